/**
 * Admin powers a real org gives a human in the UI: seed, inspect, edit as the admin user, convert leads,
 * delete to the recycle bin, faults, counters, token revocation. Exposed in-process and over `/__emulator`.
 */
import { Hono } from 'hono';
import { type CdcChangeType, type CdcEvent, eventsAfter, publishGap, publishTransaction } from './cdc/log.js';
import type { DuplicateRuleDef, OpportunityStageDef } from './config.js';
import { SfApiError, sfError } from './errors.js';
import type { EmulatorEnv, RequestLogEntry } from './env.js';
import type { FaultSpec, RecordFaultSpec } from './faults.js';
import {
  createRecord,
  deleteRecord,
  formatDatetime,
  requireId,
  requireLive,
  requireTable,
  undeleteRecord,
  updateRecord,
  type WriteContext,
  writeRaw,
} from './records.js';
import type { StoredRecord } from './state.js';
import { createTransaction, rollback } from './transaction.js';

/** A window of faults: the next `times` matching requests, or every one until cleared. */
export interface FaultWindow {
  times?: number;
  /** Narrow it (default: every write for row locks, every API request for 503s). */
  match?: FaultSpec['match'];
}

export interface CdcAdmin {
  /** Retained events after a replay id (default: all), as the stream would deliver them. */
  events(after?: number): CdcEvent[];
  latestReplayId(): number;
  /** Publishes a `GAP_*` event (no field values; subscribers re-read the records). */
  injectGap(gap: { entity: string; recordIds: string[]; changeType?: CdcChangeType }): CdcEvent;
  /** Publishes `GAP_OVERFLOW` for an entity (`recordIds: ['000000000000000AAA']`): resync everything. */
  injectOverflow(entity: string): CdcEvent;
  /** Objects that produce events; undefined = every createable object. */
  setEntities(entities: string[] | undefined): void;
}

export type AdminRecord = Record<string, unknown> & { Id: string };

export interface SalesforceEmulatorAdmin {
  /** Creates records with full validation as the admin user; returns their ids in order. */
  seed(object: string, records: Record<string, unknown>[]): string[];
  get(object: string, id: string): AdminRecord | undefined;
  /** Every record of the object, including those in the recycle bin. */
  all(object: string): AdminRecord[];
  /** Edits a record as the human admin user through the UI (no API client, not counted). */
  update(object: string, id: string, fields: Record<string, unknown>): void;
  convertLead(leadId: string, options?: { accountId?: string }): { contactId: string; accountId: string };
  deleteRecord(object: string, id: string): void;
  /** The `Sforce-Call-Options` client of the last write to this record (undefined for UI edits). */
  lastModifiedByClient(object: string, id: string): string | undefined;
  faults: {
    inject(spec: FaultSpec): void;
    clear(): void;
    /**
     * One record of a Collections write fails (default UNABLE_TO_LOCK_ROW, once) while the rest of the
     * call succeeds, as a record locked by another transaction does.
     */
    failRecord(spec: RecordFaultSpec): void;
    /** UNABLE_TO_LOCK_ROW on the next N writes (or every write until cleared). */
    rowLock(window?: FaultWindow): void;
    /** 503 SERVER_UNAVAILABLE on the next N API requests (or until cleared). */
    unavailable(window?: FaultWindow): void;
    /** Lets every request held by a `hold` fault continue. */
    release(): void;
    /** Resolves once `count` requests are held by `hold` faults. */
    whenHeld(count?: number): Promise<void>;
  };
  counters(): { total: number; byKind: Record<string, number> };
  requests(): RequestLogEntry[];
  revokeTokens(): void;
  setApiUsage(used: number): void;
  identity(): { orgId: string; integrationUserId: string; adminUserId: string };
  reset(): void;
  /** Moves the emulator's clock forward (only when it owns its clock, i.e. no `now` option was given). */
  advanceTime(ms: number): void;
  /** A human marks the Opportunity won in the UI (first won stage unless one is named). */
  winOpportunity(id: string, options?: { stageName?: string }): void;
  /** Restores a record from the recycle bin as the admin user. */
  undelete(object: string, id: string): void;
  setDuplicateRules(rules: DuplicateRuleDef[]): void;
  setOpportunityStages(stages: OpportunityStageDef[]): void;
  /** More concurrent API requests than this → 403 "ConcurrentPerOrgLongTxn Limit exceeded."; undefined lifts it. */
  setConcurrencyLimit(limit: number | undefined): void;
  cdc: CdcAdmin;
}

export interface AdminHooks {
  reset(): void;
  advanceTime(ms: number): void;
  /** Re-seeds the read-only OpportunityStage rows after the stages change. */
  seedStages(): void;
}

export function createAdmin(env: EmulatorEnv, hooks: AdminHooks): SalesforceEmulatorAdmin {
  /** Runs a UI action as the admin user in one transaction: all its writes or none, one commit. */
  const asUi = <T>(fn: (ctx: WriteContext) => T): T => {
    const tx = createTransaction();
    const ctx: WriteContext = {
      userId: env.state.adminUserId,
      client: undefined,
      now: env.now(),
      origin: '',
      tx,
    };
    try {
      const out = fn(ctx);
      publishTransaction(env.state.changeLog, env.state.config, tx, env.now());
      return out;
    } catch (error) {
      rollback(tx);
      throw error;
    }
  };
  const find = (object: string, id: string): StoredRecord | undefined => {
    const table = requireTable(env.state, object);
    return table.byId.get(requireId(table.schema, id));
  };
  const copy = (r: StoredRecord) => ({ ...r.fields }) as AdminRecord;

  return {
    seed: (object, records) => asUi((ctx) => records.map((r) => createRecord(env.state, object, r, ctx).id)),
    get: (object, id) => {
      const record = find(object, id);
      return record ? copy(record) : undefined;
    },
    all: (object) => [...requireTable(env.state, object).byId.values()].map(copy),
    update: (object, id, fields) => {
      asUi((ctx) => updateRecord(env.state, object, id, fields, ctx));
    },
    convertLead: (leadId, options = {}) =>
      asUi((ctx) => {
        const leads = requireTable(env.state, 'Lead');
        const lead = requireLive(leads, requireId(leads.schema, leadId));
        if (lead.fields['IsConverted'] === true)
          throw sfError(400, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
        const f = lead.fields;
        const accountId =
          options.accountId ?? createRecord(env.state, 'Account', { Name: f['Company'] }, ctx).id;
        const contactId = createRecord(
          env.state,
          'Contact',
          {
            FirstName: f['FirstName'],
            LastName: f['LastName'],
            Email: f['Email'],
            Phone: f['Phone'],
            MobilePhone: f['MobilePhone'],
            Title: f['Title'],
            LeadSource: f['LeadSource'],
            AccountId: accountId,
            Auth0_User_Id__c: f['Auth0_User_Id__c'],
          },
          ctx,
        ).id;
        const stamp = formatDatetime(env.now());
        writeRaw(
          env.state,
          'Lead',
          {
            ...f,
            IsConverted: true,
            Status: 'Closed - Converted',
            ConvertedContactId: contactId,
            ConvertedAccountId: accountId,
            ConvertedDate: stamp.slice(0, 10),
            LastModifiedDate: stamp,
            SystemModstamp: stamp,
            LastModifiedById: env.state.adminUserId,
          },
          ctx,
        );
        return { contactId, accountId };
      }),
    deleteRecord: (object, id) => {
      asUi((ctx) => deleteRecord(env.state, object, id, ctx));
    },
    lastModifiedByClient: (object, id) => find(object, id)?.lastModifiedByClient,
    faults: {
      inject: (spec) => env.faults.inject(spec),
      clear: () => env.faults.clear(),
      failRecord: (spec) => env.faults.injectRecord(spec),
      rowLock: (window = {}) =>
        env.faults.inject({
          match: window.match ?? { writes: true },
          status: 400,
          errorCode: 'UNABLE_TO_LOCK_ROW',
          message: 'unable to obtain exclusive access to this record or 1 records',
          ...(window.times !== undefined ? { times: window.times } : {}),
        }),
      unavailable: (window = {}) =>
        env.faults.inject({
          match: window.match ?? {},
          status: 503,
          errorCode: 'SERVER_UNAVAILABLE',
          message: 'Server temporarily unavailable',
          ...(window.times !== undefined ? { times: window.times } : {}),
        }),
      release: () => env.faults.release(),
      whenHeld: (count) => env.faults.whenHeld(count),
    },
    counters: () => ({ total: env.counters.total, byKind: { ...env.counters.byKind } }),
    requests: () => [...env.requestLog],
    revokeTokens: () => env.state.tokens.clear(),
    setApiUsage: (used) => {
      env.state.apiUsage = used;
    },
    identity: () => ({
      orgId: env.state.orgId,
      integrationUserId: env.state.integrationUserId,
      adminUserId: env.state.adminUserId,
    }),
    reset: hooks.reset,
    advanceTime: hooks.advanceTime,
    winOpportunity: (id, options = {}) => {
      const stage = options.stageName ?? env.state.config.stages.find((s) => s.isWon)?.apiName;
      if (!stage) throw sfError(400, 'FIELD_INTEGRITY_EXCEPTION', 'no won stage is configured');
      asUi((ctx) => updateRecord(env.state, 'Opportunity', id, { StageName: stage }, ctx));
    },
    undelete: (object, id) => {
      asUi((ctx) => undeleteRecord(env.state, object, id, ctx));
    },
    setDuplicateRules: (rules) => {
      env.state.config.duplicateRules = [...rules];
    },
    setOpportunityStages: (stages) => {
      env.state.config.stages = [...stages];
      env.state.config.metadataModifiedAt = env.now();
      hooks.seedStages();
    },
    setConcurrencyLimit: (limit) => {
      env.concurrencyLimit = limit;
    },
    cdc: {
      events: (after = -2) => eventsAfter(env.state.changeLog, env.state.config, env.now(), after) ?? [],
      latestReplayId: () => env.state.changeLog.lastReplayId,
      injectGap: ({ entity, recordIds, changeType = 'GAP_UPDATE' }) =>
        publishGap(
          env.state.changeLog,
          env.state.config,
          { entity, recordIds, changeType, userId: env.state.adminUserId },
          env.now(),
        ),
      injectOverflow: (entity) =>
        publishGap(
          env.state.changeLog,
          env.state.config,
          {
            entity,
            recordIds: ['000000000000000AAA'],
            changeType: 'GAP_OVERFLOW',
            userId: env.state.adminUserId,
          },
          env.now(),
        ),
      setEntities: (entities) => {
        env.state.config.cdcEntities = entities ? new Set(entities) : undefined;
      },
    },
  };
}

/** The same operations as JSON over HTTP, for the sandbox and the CLI in another process. */
export function adminRoutes(admin: SalesforceEmulatorAdmin): Hono {
  const app = new Hono();
  app.onError((error, c) => {
    if (error instanceof SfApiError) return c.json(error.toBody() as object, error.status as 400);
    return c.json([{ message: String(error), errorCode: 'UNKNOWN_EXCEPTION' }], 500);
  });
  app.post('/seed', async (c) => {
    const { object, records } = await c.req.json<{ object: string; records: Record<string, unknown>[] }>();
    return c.json({ ids: admin.seed(object, records) });
  });
  app.get('/records/:object', (c) => c.json(admin.all(c.req.param('object'))));
  app.get('/records/:object/:id', (c) => {
    const found = admin.get(c.req.param('object'), c.req.param('id'));
    return found ? c.json(found) : c.json([{ message: 'not found', errorCode: 'NOT_FOUND' }], 404);
  });
  app.patch('/records/:object/:id', async (c) => {
    admin.update(c.req.param('object'), c.req.param('id'), await c.req.json());
    return c.body(null, 204);
  });
  app.delete('/records/:object/:id', (c) => {
    admin.deleteRecord(c.req.param('object'), c.req.param('id'));
    return c.body(null, 204);
  });
  app.post('/convert-lead', async (c) => {
    const { leadId, accountId } = await c.req.json<{ leadId: string; accountId?: string }>();
    return c.json(admin.convertLead(leadId, accountId ? { accountId } : {}));
  });
  app.post('/faults', async (c) => {
    admin.faults.inject(await c.req.json<FaultSpec>());
    return c.body(null, 204);
  });
  app.delete('/faults', (c) => {
    admin.faults.clear();
    return c.body(null, 204);
  });
  app.get('/counters', (c) => c.json(admin.counters()));
  app.get('/requests', (c) => c.json(admin.requests()));
  app.get('/identity', (c) => c.json(admin.identity()));
  app.post('/revoke-tokens', (c) => {
    admin.revokeTokens();
    return c.body(null, 204);
  });
  app.post('/api-usage', async (c) => {
    admin.setApiUsage((await c.req.json<{ used: number }>()).used);
    return c.body(null, 204);
  });
  app.post('/reset', (c) => {
    admin.reset();
    return c.body(null, 204);
  });
  app.post('/advance-time', async (c) => {
    admin.advanceTime((await c.req.json<{ ms: number }>()).ms);
    return c.body(null, 204);
  });
  app.post('/win-opportunity', async (c) => {
    const { id, stageName } = await c.req.json<{ id: string; stageName?: string }>();
    admin.winOpportunity(id, stageName ? { stageName } : {});
    return c.body(null, 204);
  });
  app.post('/undelete/:object/:id', (c) => {
    admin.undelete(c.req.param('object'), c.req.param('id'));
    return c.body(null, 204);
  });
  app.put('/duplicate-rules', async (c) => {
    admin.setDuplicateRules(await c.req.json<DuplicateRuleDef[]>());
    return c.body(null, 204);
  });
  app.put('/opportunity-stages', async (c) => {
    admin.setOpportunityStages(await c.req.json<OpportunityStageDef[]>());
    return c.body(null, 204);
  });
  app.post('/concurrency-limit', async (c) => {
    admin.setConcurrencyLimit((await c.req.json<{ limit?: number }>()).limit);
    return c.body(null, 204);
  });
  app.post('/faults/record', async (c) => {
    const spec = await c.req.json<RecordFaultSpec>().catch(() => undefined);
    if (!spec || typeof spec.field !== 'string' || typeof spec.value !== 'string') {
      return c.json(
        { error: 'body must be {"field": "...", "value": "...", "errorCode"?, "message"?, "times"?}' },
        400,
      );
    }
    admin.faults.failRecord(spec);
    return c.body(null, 204);
  });
  app.post('/faults/row-lock', async (c) => {
    admin.faults.rowLock(await c.req.json<FaultWindow>().catch(() => ({})));
    return c.body(null, 204);
  });
  app.post('/faults/unavailable', async (c) => {
    admin.faults.unavailable(await c.req.json<FaultWindow>().catch(() => ({})));
    return c.body(null, 204);
  });
  app.post('/faults/release', (c) => {
    admin.faults.release();
    return c.body(null, 204);
  });
  app.post('/cdc-admin/gap', async (c) => c.json(admin.cdc.injectGap(await c.req.json())));
  app.post('/cdc-admin/overflow', async (c) =>
    c.json(admin.cdc.injectOverflow((await c.req.json<{ entity: string }>()).entity)),
  );
  app.put('/cdc-admin/entities', async (c) => {
    admin.cdc.setEntities((await c.req.json<{ entities?: string[] }>()).entities);
    return c.body(null, 204);
  });
  return app;
}
