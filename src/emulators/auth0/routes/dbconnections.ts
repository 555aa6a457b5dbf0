import type { Context } from 'hono';
import { appendLog } from '../log-records.js';
import { changePasswordRequestRecord } from '../profile-records.js';
import { DATABASE_CONNECTION, type EmulatorState } from '../state.js';
import { sendChangePasswordEmail } from '../tickets.js';
import { readParams } from './oauth.js';

/** What Auth0 answers whether or not the user exists, so the endpoint cannot be used to probe for accounts. */
export const CHANGE_PASSWORD_SENT = "We've just sent you an email to reset your password.";

const badRequest = (c: Context, error: string, error_description: string) =>
  c.json({ error, error_description }, 400);

/** Database connections the tenant has: the default one and any a database user belongs to. */
function isDatabaseConnection(state: EmulatorState, name: string): boolean {
  if (name === DATABASE_CONNECTION) return true;
  for (const user of state.users.values()) {
    if (user.identities?.some((i) => i.connection === name && !i.isSocial)) return true;
  }
  return false;
}

/**
 * Authentication API `POST /dbconnections/change_password` (`client_id`, `email`, `connection`; JSON or form):
 * no access token, 200 with a plain-text sentence. The error shapes are assumed [unverified].
 */
export async function changePasswordHandler(c: Context, state: EmulatorState): Promise<Response> {
  const params = await readParams(c);
  if (!params) return badRequest(c, 'invalid_request', 'Invalid request body');
  const { client_id: clientId, email, connection } = params;
  if (!clientId || !state.clients.has(clientId)) {
    return badRequest(c, 'invalid_request', `Unknown client: ${clientId ?? '(none)'}`);
  }
  if (!email) return badRequest(c, 'invalid_request', 'email is required');
  if (!connection) return badRequest(c, 'invalid_request', 'connection is required');
  if (!isDatabaseConnection(state, connection)) {
    return badRequest(c, 'bad.connection', `the connection ${connection} is not a database connection`);
  }
  const sent = sendChangePasswordEmail(state, { email, connection, clientId });
  if (sent) {
    const user = state.users.get(sent.userId)!;
    const client = state.clients.get(clientId)!;
    appendLog(
      state,
      changePasswordRequestRecord(state, user, {
        clientId,
        clientName: client.name,
        userAgent: c.req.header('user-agent') ?? '',
      }),
    );
  }
  return c.text(CHANGE_PASSWORD_SENT, 200);
}
