import { createHmac } from 'node:crypto';
import type { Auth0User } from '../../core/ports.js';
import { createLogIdGenerator, newConnectionId, randomHex } from './ids.js';
import type { Fault } from './faults.js';
import type { ExportJob } from './export-jobs.js';
import type { PasswordTicket, SentEmail } from './tickets.js';
import type { EmulatorClient, LogRecord, StoredRole, UserEvent } from './types.js';

/** Every Management API scope the emulator checks; the default client is granted all of them. */
export const ALL_SCOPES = [
  'read:users',
  'update:users',
  'create:users',
  'delete:users',
  'read:users_app_metadata',
  'update:users_app_metadata',
  'create:users_app_metadata',
  'read:roles',
  'create:roles',
  'create:role_members',
  'delete:role_members',
  'read:logs',
  'read:logs_users',
  'create:user_tickets',
] as const;

export const DEFAULT_CLIENT: EmulatorClient = {
  clientId: 'concord-sandbox',
  clientSecret: 'sandbox-secret',
  name: 'Concord Sandbox',
  scopes: [...ALL_SCOPES],
};

/** The end-user application that scripted logins and signups come through. */
export const DEFAULT_APP = { clientId: 'app0Default0Application00000000', name: 'Default App' };
/** The Auth0 dashboard's own client: human admin changes are `sapi` records with this `client_id`. */
export const DASHBOARD_CLIENT = { clientId: 'dashboardClientId0000000000000000', name: '' };
export const DATABASE_CONNECTION = 'Username-Password-Authentication';

export interface RecordedRequest {
  at: number;
  method: string;
  path: string;
  query: string;
  endpoint: string;
  status: number;
  clientId?: string;
}

/** The whole in-memory tenant. Routes and admin actions read and write it through small helpers. */
export interface EmulatorState {
  readonly tenant: string;
  readonly domain: string;
  readonly now: () => number;
  readonly clients: Map<string, EmulatorClient>;
  /** HS256 key for access tokens; per emulator so tokens from one never pass another. */
  readonly signingSecret: Uint8Array;
  users: Map<string, Auth0User>;
  passwords: Map<string, string>;
  /** lower-cased email → user ids (database and social users may share an email). */
  usersByEmail: Map<string, Set<string>>;
  roles: Map<string, StoredRole>;
  userRoles: Map<string, Set<string>>;
  connectionIds: Map<string, string>;
  /** Append-only, sorted by `log_id` (ids are monotonic), with an index for `from` look-ups. */
  logs: LogRecord[];
  logIndex: Map<string, number>;
  readonly nextLogId: (nowMs: number) => string;
  counters: { total: number; byEndpoint: Record<string, number> };
  requests: RecordedRequest[];
  faults: Fault[];
  /** `user.created|updated|deleted` in order, for event streams (append-only, like `logs`). */
  events: UserEvent[];
  tickets: Map<string, PasswordTicket>;
  /** Emails the tenant sent (change-password links), oldest first: what a mailbox would hold. */
  emails: SentEmail[];
  jobs: Map<string, ExportJob>;
  /** Failed logins per `ip|username` since the last success, for brute-force protection (`limit_wc`). */
  failedLogins: Map<string, number>;
  /** user id → enrolled Guardian factor (the user object only shows `multifactor: ["guardian"]`). */
  mfaFactors: Map<string, string>;
  /** Bumped on reset so log stream cursors know the log array was replaced. */
  generation: number;
  readonly settings: EmulatorSettings;
}

/** Behaviour knobs fixed at construction. */
export interface EmulatorSettings {
  /** Failed logins for one user from one IP before `limit_wc` (Auth0's default is 10). */
  bruteForceThreshold: number;
  /** How long (emulator clock) a users-export job stays `pending`. */
  exportJobDurationMs: number;
}

export function createState(input: {
  tenant: string;
  domain: string;
  now: () => number;
  clients: EmulatorClient[];
  settings?: Partial<EmulatorSettings>;
}): EmulatorState {
  return {
    tenant: input.tenant,
    domain: input.domain,
    now: input.now,
    clients: new Map(input.clients.map((c) => [c.clientId, c])),
    signingSecret: createHmac('sha256', randomHex(32)).digest(),
    // survives reset: ids stay monotonic for consumers that keep a checkpoint across a reset
    nextLogId: createLogIdGenerator(),
    ...emptyData(),
    generation: 0,
    settings: { bruteForceThreshold: 10, exportJobDurationMs: 0, ...input.settings },
  };
}

function emptyData() {
  return {
    users: new Map<string, Auth0User>(),
    passwords: new Map<string, string>(),
    usersByEmail: new Map<string, Set<string>>(),
    roles: new Map<string, StoredRole>(),
    userRoles: new Map<string, Set<string>>(),
    connectionIds: new Map<string, string>(),
    logs: [] as LogRecord[],
    logIndex: new Map<string, number>(),
    counters: { total: 0, byEndpoint: {} as Record<string, number> },
    requests: [] as RecordedRequest[],
    faults: [] as Fault[],
    events: [] as UserEvent[],
    tickets: new Map<string, PasswordTicket>(),
    emails: [] as SentEmail[],
    jobs: new Map<string, ExportJob>(),
    failedLogins: new Map<string, number>(),
    mfaFactors: new Map<string, string>(),
  };
}

/** Drops users, roles, logs, counters and faults; keeps the tenant, its clients and signing key. */
export function resetState(state: EmulatorState): void {
  Object.assign(state, emptyData());
  state.generation += 1;
}

export function connectionId(state: EmulatorState, connection: string): string {
  let id = state.connectionIds.get(connection);
  if (!id) {
    id = newConnectionId();
    state.connectionIds.set(connection, id);
  }
  return id;
}

export const isoNow = (state: EmulatorState) => new Date(state.now()).toISOString();

const MAX_RECORDED_REQUESTS = 10_000;

export function recordRequest(state: EmulatorState, entry: RecordedRequest): void {
  state.counters.total += 1;
  state.counters.byEndpoint[entry.endpoint] = (state.counters.byEndpoint[entry.endpoint] ?? 0) + 1;
  state.requests.push(entry);
  if (state.requests.length > MAX_RECORDED_REQUESTS) state.requests.splice(0, MAX_RECORDED_REQUESTS / 10);
}
