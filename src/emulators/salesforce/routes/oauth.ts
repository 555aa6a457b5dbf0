/**
 * `POST /services/oauth2/token`: client credentials (body or HTTP Basic) and JWT bearer (RS256 against the
 * client's certificate). Answers like Salesforce: no `expires_in`, `issued_at` in ms, `{error,
 * error_description}` on failure.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { importSPKI, importX509, jwtVerify } from 'jose';
import type { ClientConfig, EmulatorEnv, HandlerResult } from '../env.js';
import { lookupUnique } from '../state.js';

export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

const oauthError = (status: number, error: string, description: string): HandlerResult => ({
  status,
  body: { error, error_description: description },
});

function userIdFor(env: EmulatorEnv, username: string | undefined): string | undefined {
  if (!username) return env.state.integrationUserId;
  const users = env.state.tables.get('User')!;
  return lookupUnique(users, 'Username', username)[0];
}

function issue(env: EmulatorEnv, origin: string, client: ClientConfig, userId: string): HandlerResult {
  const { orgId } = env.state;
  const accessToken = `${orgId.slice(0, 15)}!AQ${randomBytes(48).toString('base64url')}`;
  const issuedAt = String(env.now());
  env.state.tokens.set(accessToken, { userId, clientId: client.clientId, issuedAt: Number(issuedAt) });
  const id = `${origin}/id/${orgId}/${userId}`;
  const signature = createHmac('sha256', client.clientSecret ?? client.clientId)
    .update(id + issuedAt)
    .digest('base64');
  return {
    status: 200,
    body: {
      access_token: accessToken,
      signature,
      scope: 'api id',
      instance_url: origin,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    },
  };
}

function basicCredentials(header: string | null): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    id: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

async function clientCredentials(
  env: EmulatorEnv,
  origin: string,
  form: URLSearchParams,
  auth: string | null,
) {
  const basic = basicCredentials(auth);
  const clientId = basic?.id ?? form.get('client_id');
  const secret = basic?.secret ?? form.get('client_secret');
  const client = clientId ? env.clients.get(clientId) : undefined;
  if (!client) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
  if (!client.clientSecret || client.clientSecret !== secret) {
    return oauthError(basic ? 401 : 400, 'invalid_client', 'invalid client credentials');
  }
  const userId = userIdFor(env, client.runAsUsername);
  if (!userId) return oauthError(400, 'invalid_grant', 'no client credentials user enabled');
  return issue(env, origin, client, userId);
}

async function jwtBearer(env: EmulatorEnv, origin: string, form: URLSearchParams) {
  const assertion = form.get('assertion');
  if (!assertion) return oauthError(400, 'invalid_request', 'assertion is required');
  let iss: string | undefined;
  try {
    const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8'));
    iss = typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return oauthError(400, 'invalid_grant', 'invalid assertion');
  }
  const client = iss ? env.clients.get(iss) : undefined;
  if (!client) return oauthError(400, 'invalid_client_id', 'client identifier invalid');
  if (!client.certificatePem) return oauthError(400, 'invalid_grant', 'invalid assertion');
  try {
    const key = client.certificatePem.includes('BEGIN CERTIFICATE')
      ? await importX509(client.certificatePem, 'RS256')
      : await importSPKI(client.certificatePem, 'RS256');
    const { payload } = await jwtVerify(assertion, key, {
      algorithms: ['RS256'],
      issuer: client.clientId,
      audience: [origin, ...AUDIENCES],
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(env.now()),
    });
    const userId = userIdFor(env, String(payload.sub));
    if (!userId) return oauthError(400, 'invalid_grant', "user hasn't approved this consumer");
    return issue(env, origin, client, userId);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') return oauthError(400, 'invalid_grant', 'expired authorization code');
    if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
      return oauthError(400, 'invalid_grant', 'audience is invalid');
    return oauthError(400, 'invalid_grant', 'invalid assertion');
  }
}

export async function handleToken(env: EmulatorEnv, request: Request): Promise<HandlerResult> {
  const origin = new URL(request.url).origin;
  const form = new URLSearchParams(await request.text());
  const grant = form.get('grant_type');
  if (grant === 'client_credentials')
    return clientCredentials(env, origin, form, request.headers.get('authorization'));
  if (grant === JWT_GRANT) return jwtBearer(env, origin, form);
  return oauthError(400, 'unsupported_grant_type', 'grant type not supported');
}
