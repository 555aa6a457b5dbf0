/**
 * Mints access tokens at `${loginUrl}/services/oauth2/token` with the client-credentials or JWT bearer
 * flow. Salesforce returns no `expires_in` and no refresh token, so the connector re-mints on 401.
 */
import { createPrivateKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { ConcordError } from '../../core/errors.js';
import { fromTokenError } from './errors.js';

export type SalesforceAuth =
  | { flow: 'client_credentials'; clientId: string; clientSecret: string }
  | { flow: 'jwt_bearer'; clientId: string; username: string; privateKeyPem: string; audience?: string };

const TokenResponse = z.object({
  access_token: z.string().min(1),
  instance_url: z.string().url(),
  id: z.string().url(),
  token_type: z.string().optional(),
  issued_at: z.string().optional(),
});

export interface Session {
  accessToken: string;
  instanceUrl: string;
  orgId: string;
  userId: string;
}

/** Short, as Salesforce recommends for JWT bearer assertions (≤ 3 minutes). */
const JWT_LIFETIME_SECONDS = 170;

async function assertion(
  loginUrl: string,
  auth: Extract<SalesforceAuth, { flow: 'jwt_bearer' }>,
): Promise<string> {
  const key = createPrivateKey(auth.privateKeyPem);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(auth.clientId)
    .setSubject(auth.username)
    .setAudience(auth.audience ?? defaultJwtAudience(loginUrl))
    .setExpirationTime(Math.floor(Date.now() / 1000) + JWT_LIFETIME_SECONDS)
    .sign(key);
}

export async function mintToken(loginUrl: string, auth: SalesforceAuth): Promise<Session> {
  const base = loginUrl.replace(/\/+$/, '');
  const form =
    auth.flow === 'client_credentials'
      ? new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: auth.clientId,
          client_secret: auth.clientSecret,
        })
      : new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion: await assertion(base, auth),
        });
  let response: Response;
  try {
    response = await fetch(`${base}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
    });
  } catch (cause) {
    throw new ConcordError(`Salesforce token endpoint unreachable at ${base}`, {
      code: 'unavailable',
      cause,
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) throw fromTokenError(response.status, body);
  const parsed = TokenResponse.safeParse(body);
  if (!parsed.success) {
    throw new ConcordError('Salesforce token endpoint returned an unexpected body', {
      code: 'auth',
      retryable: false,
      status: response.status,
      details: { issues: parsed.error.issues.map((i) => i.path.join('.')) },
    });
  }
  const [orgId, userId] = new URL(parsed.data.id).pathname.split('/').slice(-2);
  if (!orgId || !userId) {
    throw new ConcordError(`Salesforce identity URL has no org/user: ${parsed.data.id}`, {
      code: 'auth',
      retryable: false,
    });
  }
  return {
    accessToken: parsed.data.access_token,
    instanceUrl: parsed.data.instance_url.replace(/\/+$/, ''),
    orgId,
    userId,
  };
}

/**
 * The JWT `aud` Salesforce expects: `https://login.salesforce.com` for production, `https://test.salesforce.com`
 * for sandboxes, even when tokens are requested from a My Domain URL; other hosts (an Experience Cloud site,
 * an emulator) are their own audience.
 */
export function defaultJwtAudience(loginUrl: string): string {
  const host = new URL(loginUrl).hostname.toLowerCase();
  if (host === 'test.salesforce.com' || host.endsWith('.sandbox.my.salesforce.com'))
    return 'https://test.salesforce.com';
  if (host === 'login.salesforce.com' || host.endsWith('.my.salesforce.com'))
    return 'https://login.salesforce.com';
  return loginUrl.replace(/\/+$/, '');
}
