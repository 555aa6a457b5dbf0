/**
 * An in-memory Salesforce org over HTTP: OAuth token endpoint, REST (records, external-id upsert, SOQL,
 * sObject Collections, describe, limits), with seeding, fault injection and call counters.
 */
import { serve } from '@hono/node-server';
import { createAdmin, type SalesforceEmulatorAdmin } from './admin.js';
import { createApp } from './app.js';
import { DEFAULT_STAGES, type DuplicateRuleDef, HOUR, type OpportunityStageDef } from './config.js';
import type { ClientConfig, EmulatorEnv } from './env.js';
import { createFaults } from './faults.js';
import { formatDatetime } from './records.js';
import { createOrgState, putRecord, type OrgState } from './state.js';

export type { SalesforceEmulatorAdmin, AdminRecord, CdcAdmin, FaultWindow } from './admin.js';
export type { FaultSpec } from './faults.js';
export type { RequestLogEntry, ClientConfig } from './env.js';
export type { DuplicateRuleDef, OpportunityStageDef } from './config.js';
export type { CdcEvent, ChangeEventHeader, CdcChangeType } from './cdc/log.js';
export { DEFAULT_STAGES } from './config.js';

export interface SalesforceEmulatorOptions {
  /** 18-character org id (`00D...`). */
  orgId?: string;
  /** Default: one client `concord-sandbox` / `sandbox-secret`. */
  clients?: ClientConfig[];
  /** Extra users; the integration user and a human admin user always exist. */
  users?: Array<{ username: string; name?: string }>;
  dailyApiLimit?: number;
  /** Page size for `/query` (default 2000). */
  queryBatchSize?: number;
  /** An external clock; without one the emulator keeps its own, movable with `admin.advanceTime`. */
  now?: () => number;
  logRequests?: boolean;
  /** Opportunity stages with their IsWon / IsClosed (default: Prospecting … Closed Won / Closed Lost). */
  opportunityStages?: OpportunityStageDef[];
  /** Duplicate rules (none by default, as in a fresh org with its standard rules deactivated). */
  duplicateRules?: DuplicateRuleDef[];
  /** Objects that publish change events (default: every createable object). */
  changeDataCapture?: { entities?: string[]; heartbeatMs?: number; retentionMs?: number };
  /** Session inactivity timeout (default 2 h). */
  sessionTimeoutMs?: number;
  /** Concurrent API requests allowed before 403 "ConcurrentPerOrgLongTxn Limit exceeded." (default: none). */
  concurrencyLimit?: number;
}

export interface SalesforceEmulator {
  fetch(request: Request): Promise<Response>;
  listen(port?: number, host?: string): Promise<{ url: string; port: number; close(): Promise<void> }>;
  admin: SalesforceEmulatorAdmin;
}

export const DEFAULT_CLIENT = { clientId: 'concord-sandbox', clientSecret: 'sandbox-secret' } as const;
export const INTEGRATION_USERNAME = 'concord-integration@example.com';
export const ADMIN_USERNAME = 'admin@example.com';

function seedUsers(state: OrgState, users: Array<{ username: string; name?: string }>, now: number): void {
  const table = state.tables.get('User')!;
  const stamp = formatDatetime(now);
  const ids = users.map(() => state.ids.next('005'));
  users.forEach((user, i) => {
    const id = ids[i]!;
    const name = user.name ?? user.username.split('@')[0]!;
    putRecord(table, {
      object: 'User',
      lastModifiedByClient: undefined,
      fields: {
        Id: id,
        IsDeleted: false,
        Username: user.username,
        Name: name,
        FirstName: null,
        LastName: name,
        Email: user.username,
        IsActive: true,
        CreatedDate: stamp,
        LastModifiedDate: stamp,
        SystemModstamp: stamp,
        CreatedById: ids[0],
        LastModifiedById: ids[0],
      },
    });
  });
  state.integrationUserId = ids[0]!;
  state.adminUserId = ids[1]!;
}

/** The read-only OpportunityStage rows mirror the configured stages. */
function seedStages(state: OrgState, now: number): void {
  const table = state.tables.get('OpportunityStage')!;
  table.byId.clear();
  const stamp = formatDatetime(now);
  state.config.stages.forEach((stage, i) => {
    putRecord(table, {
      object: 'OpportunityStage',
      lastModifiedByClient: undefined,
      fields: {
        Id: state.ids.next('01J'),
        IsDeleted: false,
        ApiName: stage.apiName,
        MasterLabel: stage.apiName,
        IsActive: true,
        IsClosed: stage.isClosed,
        IsWon: stage.isWon,
        SortOrder: i + 1,
        CreatedDate: stamp,
        LastModifiedDate: stamp,
        SystemModstamp: stamp,
        CreatedById: state.integrationUserId,
        LastModifiedById: state.integrationUserId,
      },
    });
  });
}

export function createSalesforceEmulator(options: SalesforceEmulatorOptions = {}): SalesforceEmulator {
  let offset = 0;
  const now = options.now ?? (() => Date.now() + offset);
  const orgId = options.orgId ?? '00D8d0000000001EAA';
  const dailyApiLimit = options.dailyApiLimit ?? 15000;
  const users = [
    { username: INTEGRATION_USERNAME, name: 'Concord Integration' },
    { username: ADMIN_USERNAME, name: 'Admin User' },
    ...(options.users ?? []),
  ];
  const cdc = options.changeDataCapture ?? {};
  const freshState = () => {
    const state = createOrgState(orgId, dailyApiLimit, {
      stages: [...(options.opportunityStages ?? DEFAULT_STAGES)],
      duplicateRules: [...(options.duplicateRules ?? [])],
      cdcEntities: cdc.entities ? new Set(cdc.entities) : undefined,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 2 * HOUR,
      cdcRetentionMs: cdc.retentionMs ?? 72 * HOUR,
      metadataModifiedAt: now(),
    });
    seedUsers(state, users, now());
    seedStages(state, now());
    return state;
  };
  const env: EmulatorEnv = {
    state: freshState(),
    clients: new Map((options.clients ?? [DEFAULT_CLIENT]).map((c) => [c.clientId, c])),
    faults: createFaults(),
    counters: { total: 0, byKind: {} },
    requestLog: [],
    queryBatchSize: options.queryBatchSize ?? 2000,
    now,
    logRequests: options.logRequests ?? false,
    inFlight: 0,
    concurrencyLimit: options.concurrencyLimit,
    cdcHeartbeatMs: cdc.heartbeatMs ?? 15_000,
  };
  const admin = createAdmin(env, {
    reset: () => {
      env.state = freshState();
      env.faults.clear();
      env.counters = { total: 0, byKind: {} };
      env.requestLog = [];
      env.concurrencyLimit = options.concurrencyLimit;
    },
    advanceTime: (ms) => {
      if (options.now)
        throw new Error('advanceTime: this emulator uses the clock given in options.now; advance that');
      offset += ms;
    },
    seedStages: () => seedStages(env.state, now()),
  });
  const app = createApp(env, admin);
  const fetch = async (request: Request) => app.fetch(request);

  return {
    fetch,
    admin,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise((resolve) => {
        const server = serve({ fetch, port, hostname: host }, (info) => {
          resolve({
            url: `http://${host}:${info.port}`,
            port: info.port,
            close: () =>
              new Promise<void>((done, fail) => {
                if ('closeAllConnections' in server) server.closeAllConnections();
                server.close((error) => (error ? fail(error) : done()));
              }),
          });
        });
      }),
  };
}
