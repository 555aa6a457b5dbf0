import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfigObject } from '../../src/config/index.js';
import { type Auth0Emulator, createAuth0Emulator } from '../../src/emulators/auth0/index.js';
import { createSalesforceEmulator, type SalesforceEmulator } from '../../src/emulators/salesforce/index.js';
import type { OutcomeReport } from '../../src/pipeline/run-job.js';
import { createService } from '../../src/server/service.js';
import { countInbox, type StoreOptions } from '../../src/store/index.js';
import { waitFor } from './wait-for.js';

export const AUTHORIZATION = 'Bearer test-log-stream-secret-0123456789';
export const EVENT_STREAM_AUTHORIZATION = 'Bearer test-event-stream-secret-0123456789';
export const TENANT = 'acme';
export const ORG = 'crm';

export interface HarnessPipeline {
  name: string;
  template: string;
  params?: Record<string, unknown>;
  mode?: 'live' | 'dry-run';
}

export interface HarnessOptions {
  /** Defaults to one `signups` pipeline of `signup-to-lead` with `params` and `mode`. */
  pipelines?: HarnessPipeline[];
  params?: Record<string, unknown>;
  mode?: 'live' | 'dry-run';
  maxBodyBytes?: number;
  maxAttempts?: number;
  salesforce?: Parameters<typeof createSalesforceEmulator>[0];
  logPoll?: boolean;
  /** Last word on the generated config (budgets, rate limits …). */
  configure?: (config: ReturnType<typeof harnessConfig>) => void;
  auth0?: Parameters<typeof createAuth0Emulator>[0];
  /** Defaults to a SQLite file in the harness's temp dir. */
  store?: StoreOptions;
}

/**
 * Both emulators on loopback ports and a Concord config wired to them, in a fresh temp dir (`prefix`);
 * `close()` stops the emulators and removes the dir.
 */
export async function startEmulators(prefix: string, options: HarnessOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const sf: SalesforceEmulator = createSalesforceEmulator(options.salesforce);
  const auth0: Auth0Emulator = createAuth0Emulator({ tenant: TENANT, ...options.auth0 });
  const sfServer = await sf.listen(0);
  const auth0Server = await auth0.listen(0);
  const config = harnessConfig({
    dir,
    sfUrl: sfServer.url,
    auth0Url: auth0Server.url,
    auth0Domain: auth0.domain,
    ...options,
  });
  options.configure?.(config);
  return {
    dir,
    sf,
    auth0,
    config,
    sfUrl: sfServer.url,
    async close() {
      await auth0Server.close();
      await sfServer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Both emulators on loopback and a Concord service wired to them through a real config; SQLite in a temp dir. */
export async function startHarness(options: HarnessOptions = {}) {
  const emulators = await startEmulators('concord-e2e-', options);
  const { dir, sf, auth0, config } = emulators;
  const service = await createService({
    loaded: parseConfigObject(config),
    logger: pino({ level: 'silent' }),
  });
  const url = await service.start({ port: 0, host: '127.0.0.1' });
  const outcomes: OutcomeReport[] = [];
  service.events.on('outcome', (r) => outcomes.push(r));
  const hookUrl = `${url}/hooks/auth0/${TENANT}/logs`;

  return {
    dir,
    sf,
    auth0,
    service,
    url,
    hookUrl,
    outcomes,
    config,
    /** POSTs a raw body to the log hook as Auth0 would. */
    post(body: string, headers: Record<string, string> = {}) {
      return fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: AUTHORIZATION, ...headers },
        body,
      });
    },
    /** The log record Auth0 wrote last of a type (for hand-made deliveries). */
    lastLog(type: string) {
      const log = [...auth0.admin.logs()].reverse().find((l) => l.type === type);
      if (!log) throw new Error(`no ${type} log record`);
      return { log_id: log.log_id, data: log };
    },
    /** Waits until the Salesforce pollers have read everything changed so far (a poll after `now`). */
    async pollSalesforce() {
      const { pollObjectOnce } = await import('../../src/pipeline/salesforce-trigger.js');
      return pollObjectOnce;
    },
    /** Waits until every stored event has its outcome (nothing queued or running). */
    async settled(timeoutMs?: number) {
      return waitFor(
        async () => {
          const db = service.db;
          // Unrouted rows first: routing creates a row's jobs in the same commit that marks it routed, so
          // asking in this order cannot miss work that moves from the inbox to the jobs in between.
          const unrouted = await db.kysely
            .selectFrom('inbox')
            .select('id')
            .where('routed_at', 'is', null)
            .limit(1)
            .execute();
          // one query, one snapshot: a job between queued and running cannot slip through
          const pending = await db.kysely
            .selectFrom('jobs')
            .select('id')
            .where('state', 'in', ['queued', 'running'])
            .limit(1)
            .execute();
          return pending.length === 0 && unrouted.length === 0 && (await countInbox(db)) > 0;
        },
        'all events to reach an outcome',
        timeoutMs,
      );
    },
    async close() {
      await service.stop();
      await emulators.close();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof startHarness>>;

export function harnessConfig(
  input: HarnessOptions & { dir: string; sfUrl: string; auth0Url: string; auth0Domain: string },
) {
  return {
    server: {
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: input.maxBodyBytes ?? 1024 * 1024,
      adminToken: 'test-admin-token-0123456789',
    },
    store: input.store ?? { driver: 'sqlite', path: join(input.dir, 'concord.db') },
    logging: { level: 'silent' },
    worker: {
      concurrency: 32,
      pollIntervalMs: 20,
      maxAttempts: input.maxAttempts ?? 20,
      backoff: { initialMs: 10, maxMs: 50 },
      leaseMs: 60_000,
    },
    auth0: {
      [TENANT]: {
        domain: input.auth0Domain,
        baseUrl: input.auth0Url,
        clientId: 'concord-sandbox',
        clientSecret: 'sandbox-secret',
        logStream: { authorization: AUTHORIZATION },
        logPoll: { enabled: input.logPoll ?? false, intervalMs: 1000, silentAfterMs: 60_000 },
        rateLimit: { requestsPerSecond: 1000, burst: 1000 },
        eventStream: { header: 'authorization', value: EVENT_STREAM_AUTHORIZATION },
      },
    },
    salesforce: {
      [ORG]: {
        loginUrl: input.sfUrl,
        auth: { flow: 'client_credentials', clientId: 'concord-sandbox', clientSecret: 'sandbox-secret' },
        poll: { intervalMs: 1000, overlapMs: 5000 },
        budget: { share: 1, probeIntervalMs: 1000 },
        // Short lingers keep the tests quick; the batching tests set the defaults back.
        batching: { lingerMs: 20, readLingerMs: 5 },
      },
    },
    pipelines: (
      input.pipelines ?? [
        { name: 'signups', template: 'signup-to-lead', params: input.params, mode: input.mode },
      ]
    ).map((p) => ({
      name: p.name,
      auth0: TENANT,
      salesforce: ORG,
      template: p.template,
      mode: p.mode ?? 'live',
      params: p.params ?? {},
    })),
  };
}
