import type { Auth0User } from '../../core/ports.js';
import { newSessionId } from './ids.js';
import { connectionId, DEFAULT_APP, type EmulatorState } from './state.js';
import type { LogRecord, LogRecordInput } from './types.js';

const EVENT_SCHEMA = { version: '1.0.0' } as const;
export const DEFAULT_IP = '203.0.113.10';
const DEFAULT_USER_AGENT = 'Chrome 120.0.0 / Mac OS X 10.15.7';

/** Appends a record with the fields every record carries; the only way records enter the tenant log. */
export function appendLog(state: EmulatorState, input: LogRecordInput): LogRecord {
  const now = state.now();
  const log_id = state.nextLogId(now);
  const record: LogRecord = {
    date: new Date(now).toISOString(),
    hostname: state.domain,
    ...input,
    log_id,
    _id: log_id,
    tenant_name: state.tenant,
    $event_schema: EVENT_SCHEMA,
  };
  state.logIndex.set(log_id, state.logs.length);
  state.logs.push(record);
  return record;
}

/** Who performs an action: an end user in an application, a human admin in the dashboard, or an M2M app. */
export interface ActorContext {
  clientId?: string;
  clientName?: string;
  ip?: string;
  userAgent?: string;
}

export function userConnection(state: EmulatorState, user: Auth0User) {
  const identity = user.identities?.[0];
  const connection = identity?.connection ?? 'Username-Password-Authentication';
  const isSocial = identity?.isSocial ?? false;
  return {
    connection,
    connection_id: connectionId(state, connection),
    strategy: identity?.provider ?? 'auth0',
    strategy_type: isSocial ? 'social' : 'database',
  };
}

export function appFields(actor: ActorContext = {}) {
  return {
    client_id: actor.clientId ?? DEFAULT_APP.clientId,
    client_name: actor.clientName ?? DEFAULT_APP.name,
    ip: actor.ip ?? DEFAULT_IP,
    user_agent: actor.userAgent ?? DEFAULT_USER_AGENT,
  };
}

/** `ss`: a database or passwordless signup; `details.body` echoes the signup form, password masked. */
export function signupRecord(state: EmulatorState, user: Auth0User, actor?: ActorContext): LogRecordInput {
  const app = appFields(actor);
  return {
    type: 'ss',
    description: '',
    ...app,
    ...userConnection(state, user),
    user_id: user.user_id,
    user_name: user.email ?? '',
    details: {
      body: {
        client_id: app.client_id,
        tenant: state.tenant,
        email: user.email,
        password: '*****',
        connection: user.identities?.[0]?.connection,
      },
    },
  };
}

/**
 * `s`: a successful login; `loginsCount` is the user's count including this login. Shaped after real
 * Universal Login records: a `prompt-authenticate` and a `login` prompt, plus an `mfa` prompt when a
 * second factor was performed. No `description`.
 */
export function loginRecord(
  state: EmulatorState,
  user: Auth0User,
  loginsCount: number,
  actor?: ActorContext,
  options: { mfa?: boolean } = {},
): LogRecordInput {
  const fields = userConnection(state, user);
  const completedAt = state.now();
  const initiatedAt = completedAt - 8_000;
  const prompts: Record<string, unknown>[] = [
    {
      name: 'prompt-authenticate',
      completedAt: completedAt - 2_000,
      connection: fields.connection,
      connection_id: fields.connection_id,
      strategy: fields.strategy,
      identity: user.identities?.[0]?.user_id ?? user.user_id,
      stats: { loginsCount },
      elapsedTime: null,
    },
  ];
  if (options.mfa)
    prompts.push({
      name: 'mfa',
      flow: 'universal-login',
      provider: 'guardian',
      performed_amr: ['mfa'],
      initiatedAt: completedAt - 2_000,
      completedAt: completedAt - 500,
      elapsedTime: 1_500,
    });
  prompts.push({
    name: 'login',
    flow: 'universal-login',
    initiatedAt,
    completedAt: completedAt - 100,
    timers: { rules: 4 },
    user_id: user.user_id,
    user_name: user.email ?? '',
    elapsedTime: 7_900,
  });
  return {
    type: 's',
    ...appFields(actor),
    ...fields,
    user_id: user.user_id,
    user_name: user.email ?? '',
    details: {
      prompts,
      initiatedAt,
      completedAt,
      elapsedTime: completedAt - initiatedAt,
      session_id: newSessionId(),
      stats: { loginsCount },
    },
  };
}

export const WRONG_CREDENTIALS = 'Wrong email or password.';

/** `fp`: a known user typed the wrong password. */
export function wrongPasswordRecord(
  state: EmulatorState,
  user: Auth0User,
  actor?: ActorContext,
): LogRecordInput {
  return {
    type: 'fp',
    description: WRONG_CREDENTIALS,
    ...appFields(actor),
    ...userConnection(state, user),
    user_id: user.user_id,
    user_name: user.email ?? '',
    details: { error: { message: WRONG_CREDENTIALS } },
  };
}

/** `fu`: nobody has this email; `user_id` is empty and `user_name` holds the attempted email. */
export function unknownUserRecord(state: EmulatorState, email: string, actor?: ActorContext): LogRecordInput {
  const connection = 'Username-Password-Authentication';
  return {
    type: 'fu',
    description: WRONG_CREDENTIALS,
    ...appFields(actor),
    connection,
    connection_id: connectionId(state, connection),
    strategy: 'auth0',
    strategy_type: 'database',
    user_id: '',
    user_name: email,
    details: { error: { message: WRONG_CREDENTIALS } },
  };
}

/** `seccft`: an M2M app exchanged its credentials for an access token. */
export function clientCredentialsRecord(
  input: { clientId: string; clientName: string; audience: string; scope: string },
  actor: ActorContext,
): LogRecordInput {
  return {
    type: 'seccft',
    description: 'Client Credentials for Access Token',
    connection_id: '',
    client_id: input.clientId,
    client_name: input.clientName,
    ip: actor.ip ?? DEFAULT_IP,
    user_agent: actor.userAgent ?? '',
    user_id: '',
    user_name: '',
    audience: input.audience,
    scope: input.scope,
    details: {},
  };
}

/** The caller of a Management API write, as `sapi` records it. */
export type ManagementActor =
  | { kind: 'm2m'; clientId: string; clientName: string; scopes: string[]; jti: string }
  | {
      kind: 'dashboard';
      clientId: string;
      user: { user_id: string; email: string; name: string };
      jti: string;
    };

const SECRET_KEYS = new Set([
  'password',
  'client_secret',
  'clientSecret',
  'secret',
  'access_token',
  'refresh_token',
]);

/** Replaces secret values with `*****`, as Auth0 does in `sapi` bodies. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? '*****' : maskSecrets(v)]),
  );
}

/** `sapi` (success) or `fapi` (failure) for one Management API write. */
export function managementApiRecord(input: {
  actor: ManagementActor;
  description: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  statusCode: number;
  responseBody: unknown;
  ip?: string;
  userAgent?: string;
}): LogRecordInput {
  const { actor } = input;
  const ok = input.statusCode < 400;
  const auth =
    actor.kind === 'm2m'
      ? { strategy: 'jwt', credentials: { jti: actor.jti, scopes: actor.scopes } }
      : { user: actor.user, strategy: 'jwt', credentials: { jti: actor.jti } };
  return {
    type: ok ? 'sapi' : 'fapi',
    description: ok ? input.description : String(errorMessage(input.responseBody) ?? input.description),
    client_id: actor.clientId,
    client_name: actor.kind === 'm2m' ? actor.clientName : '',
    ip: input.ip ?? DEFAULT_IP,
    user_agent: input.userAgent ?? (actor.kind === 'm2m' ? 'node.js' : DEFAULT_USER_AGENT),
    // the actor, not the target; real dashboard records have no user_name
    ...(actor.kind === 'dashboard' ? { user_id: actor.user.user_id } : {}),
    details: {
      request: {
        method: input.method.toLowerCase(),
        path: input.path,
        query: input.query,
        userAgent: input.userAgent ?? '',
        body: maskSecrets(input.body ?? {}),
        channel: actor.kind === 'm2m' ? 'api' : 'https://manage.auth0.com/',
        ip: input.ip ?? DEFAULT_IP,
        auth,
      },
      response: { statusCode: input.statusCode, body: maskSecrets(input.responseBody ?? {}) },
    },
  };
}

function errorMessage(body: unknown): unknown {
  return body && typeof body === 'object' && 'message' in body ? body.message : undefined;
}

/** `/api/v2/users/auth0|x` → `/api/v2/users/auth0%7Cx`: the form the SDK sends and `sapi` shows. */
export const encodeApiPath = (path: string) => path.replaceAll('|', '%7C');
