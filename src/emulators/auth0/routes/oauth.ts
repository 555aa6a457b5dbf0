import type { Context } from 'hono';
import { appendLog, clientCredentialsRecord } from '../log-records.js';
import type { EmulatorState } from '../state.js';
import { mintAccessToken, TOKEN_LIFETIME_SECONDS } from '../tokens.js';

const oauthError = (c: Context, status: 400 | 401 | 403, error: string, error_description: string) =>
  c.json({ error, error_description }, status);

/** JSON and form-urlencoded bodies are both accepted, as on the real Authentication API. */
export async function readParams(c: Context): Promise<Record<string, string> | undefined> {
  const type = c.req.header('content-type') ?? '';
  try {
    if (type.includes('application/x-www-form-urlencoded')) {
      return Object.fromEntries(new URLSearchParams(await c.req.text()));
    }
    const body: unknown = await c.req.json();
    if (!body || typeof body !== 'object') return undefined;
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, String(v)]));
  } catch {
    return undefined;
  }
}

/** `POST /oauth/token`, client credentials only (the grant Concord uses). */
export async function tokenHandler(c: Context, state: EmulatorState): Promise<Response> {
  const params = await readParams(c);
  if (!params) return oauthError(c, 400, 'invalid_request', 'Invalid request body');
  if (params.grant_type !== 'client_credentials')
    return oauthError(
      c,
      403,
      'unauthorized_client',
      `Grant type '${params.grant_type ?? ''}' not allowed for the client.`,
    );
  const client = state.clients.get(params.client_id ?? '');
  if (!client || client.clientSecret !== params.client_secret)
    return oauthError(c, 401, 'access_denied', 'Unauthorized');
  const origin = new URL(c.req.url).origin;
  const audience = params.audience ?? '';
  if (audience !== `https://${state.domain}/api/v2/` && audience !== `${origin}/api/v2/`)
    return oauthError(c, 403, 'access_denied', `Service not enabled within domain: ${audience}`);
  const requested = params.scope?.split(' ').filter(Boolean);
  const scopes = requested ? client.scopes.filter((s) => requested.includes(s)) : client.scopes;
  const access_token = await mintAccessToken(state, { clientId: client.clientId, audience, scopes });
  const scope = scopes.join(' ');
  appendLog(
    state,
    clientCredentialsRecord(
      { clientId: client.clientId, clientName: client.name, audience, scope },
      { userAgent: c.req.header('user-agent') ?? '' },
    ),
  );
  return c.json({ access_token, scope, expires_in: TOKEN_LIFETIME_SECONDS, token_type: 'Bearer' });
}
