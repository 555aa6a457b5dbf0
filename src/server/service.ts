import { serve } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { configuredPort, type LoadedConfig } from '../config/index.js';
import { createAuth0Connector } from '../connectors/auth0/index.js';
import {
  createSalesforceChangeFeed,
  createSalesforceConnector,
  type SalesforceAuth,
  type SalesforceConnector,
} from '../connectors/salesforce/index.js';
import { runAuth0LogPoller } from '../pipeline/auth0-log-poller.js';
import { type Auth0ReadCache, cacheAuth0Reads } from '../pipeline/auth0-read-cache.js';
import { runChangeFeedTrigger } from '../pipeline/change-feed-trigger.js';
import { runSalesforceTrigger } from '../pipeline/salesforce-trigger.js';
import {
  type Auth0RateGovernor,
  createAuth0RateGovernor,
  governAuth0,
} from '../pipeline/auth0-rate-governor.js';
import {
  createSalesforceBudget,
  governSalesforce,
  type SalesforceBudget,
} from '../pipeline/salesforce-governor.js';
import { createFlightDeck } from '../pipeline/flight-deck.js';
import { type BatchingSalesforce, batchSalesforce } from '../pipeline/salesforce-batcher.js';
import { createRetention } from '../pipeline/retention-loop.js';
import { createWorker, type WorkerOptions } from '../pipeline/worker.js';
import type { RuntimePipeline } from '../pipeline/run-job.js';
import { type Db, openDatabase } from '../store/index.js';
import { TEMPLATES } from '../templates/index.js';
import { createHttpApp } from './app.js';
import { salesforceAuthFromConfig } from './salesforce-auth.js';

export interface ServiceOptions {
  loaded: LoadedConfig;
  logger?: Logger;
  now?: () => number;
}

export type ConcordService = Awaited<ReturnType<typeof createService>>;

/** Redaction for the service log: secrets and personal fields never reach it in clear. */
export const LOG_REDACT = {
  paths: [
    '*.authorization',
    '*.clientSecret',
    '*.client_secret',
    '*.password',
    '*.email',
    '*.phone_number',
    'req.headers.authorization',
  ],
  censor: '[redacted]',
};

export function createLogger(level: string): Logger {
  return pino({ level, redact: LOG_REDACT, base: { service: 'concord' } });
}

/**
 * Wires a config into a running service: store, one connector per tenant and org, the pipelines, the
 * worker loops and the HTTP app. `start()` migrates, starts the loops and listens; `stop()` undoes it.
 */
export async function createService(options: ServiceOptions) {
  const { config, pipelines: resolved } = options.loaded;
  const logger = options.logger ?? createLogger(config.logging.level);
  const now = options.now ?? Date.now;

  const budgets = new Map<string, SalesforceBudget>();
  const rates = new Map<string, Auth0RateGovernor>();
  const auth0 = new Map<string, Auth0ReadCache>();
  for (const [name, tenant] of Object.entries(config.auth0)) {
    const governor = createAuth0RateGovernor({ tenant: name, ...tenant.rateLimit, now });
    rates.set(name, governor);
    const connector = createAuth0Connector({
      domain: tenant.domain,
      baseUrl: tenant.baseUrl,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
      audience: tenant.audience,
      logger: logger.child({ tenant: name }),
    });
    // Reads shared between jobs do not take a turn from the governor: the cache sits outside it.
    auth0.set(name, cacheAuth0Reads(governAuth0(connector, governor), { now }));
  }
  const deck = createFlightDeck();
  const salesforce = new Map<string, BatchingSalesforce<SalesforceConnector>>();
  const salesforceAuth = new Map<string, SalesforceAuth>();
  for (const [name, org] of Object.entries(config.salesforce)) {
    const auth = salesforceAuthFromConfig(org);
    salesforceAuth.set(name, auth);
    const connector = createSalesforceConnector({
      loginUrl: org.loginUrl,
      apiVersion: org.apiVersion,
      auth,
      logger: logger.child({ org: name }),
    });
    const budget = createSalesforceBudget({
      org: name,
      ...org.budget,
      now,
      probe: async () => {
        const { dailyApiRequests } = await connector.limits();
        return { used: dailyApiRequests.max - dailyApiRequests.remaining, limit: dailyApiRequests.max };
      },
      onChange: (snapshot) => {
        if (snapshot.pausedUntil) logger.warn(snapshot, 'Salesforce API budget: calls paused');
      },
      onProbeFailed: (error) =>
        logger.warn(
          { org: name, err: error },
          'Salesforce API budget: GET /limits failed; going by Sforce-Limit-Info on responses',
        ),
    });
    budgets.set(name, budget);
    salesforce.set(name, batchSalesforce(governSalesforce(connector, budget), { ...org.batching, deck }));
  }

  const pipelines: RuntimePipeline[] = resolved.map((p) => ({
    name: p.name,
    tenant: p.tenant,
    org: p.org,
    mode: p.mode,
    enabled: p.enabled,
    params: p.params,
    template: TEMPLATES[p.template]!,
    auth0: auth0.get(p.tenant)!.port,
    auth0ReadsAfter: auth0.get(p.tenant)!.readsAfter,
    salesforce: salesforce.get(p.org)!,
    salesforceUserId: () => salesforce.get(p.org)?.identity()?.userId,
    ready: async () => {
      await budgets.get(p.org)!.acquire();
      rates.get(p.tenant)!.ready();
    },
    holds: () => budgets.get(p.org)!.holds() || rates.get(p.tenant)!.holds(),
  }));

  const lastStreamDelivery = new Map<string, number>();
  let retention: ReturnType<typeof createRetention> | undefined;
  const triggers = (database: Db): NonNullable<WorkerOptions['triggers']> => {
    retention = createRetention({
      db: database,
      policy: { days: config.retention.days, auditDays: config.retention.auditDays },
      intervalMs: config.retention.intervalMinutes * 60_000,
      now,
      logger: logger.child({ trigger: 'retention' }),
    });
    const loops: NonNullable<WorkerOptions['triggers']> = [retention.trigger];
    for (const [name, tenant] of Object.entries(config.auth0)) {
      const bound = pipelines.some((p) => p.tenant === name && p.enabled);
      if (!tenant.logPoll.enabled || !bound) continue;
      loops.push((control) =>
        runAuth0LogPoller({
          db: database,
          tenant: name,
          auth0: auth0.get(name)!.port,
          intervalMs: tenant.logPoll.intervalMs,
          silentAfterMs: tenant.logPoll.silentAfterMs,
          lastStreamDelivery: () => lastStreamDelivery.get(name),
          now,
          logger: logger.child({ tenant: name, trigger: 'auth0-log-poller' }),
          ...control,
        }),
      );
    }
    for (const [name, org] of Object.entries(config.salesforce)) {
      const watched = pipelines
        .filter((p) => p.org === name && p.enabled && p.template.salesforceTriggers)
        .flatMap((p) => p.template.salesforceTriggers!(p.params));
      if (watched.length === 0) continue;
      if (org.changeFeed.enabled) {
        const feed = createSalesforceChangeFeed({
          loginUrl: org.loginUrl,
          auth: salesforceAuth.get(name)!,
          streamPath: org.changeFeed.streamPath,
        });
        loops.push((control) =>
          runChangeFeedTrigger(
            {
              db: database,
              org: name,
              feed,
              entities: [...new Set(watched.map((t) => t.object))],
              ownClient: 'concord',
              now,
              logger: logger.child({ org: name, trigger: 'salesforce-change-feed' }),
              pollNow: () => control.signal.wake(),
            },
            control,
          ),
        );
      }
      loops.push((control) =>
        runSalesforceTrigger({
          db: database,
          org: name,
          port: salesforce.get(name)!,
          triggers: watched,
          intervalMs: org.poll.intervalMs,
          overlapMs: org.poll.overlapMs,
          now,
          logger: logger.child({ org: name, trigger: 'salesforce-poll' }),
          ...control,
        }),
      );
    }
    return loops;
  };

  let db: Db | undefined;
  let worker: ReturnType<typeof createWorker> | undefined;
  let server: ReturnType<typeof serve> | undefined;
  let ready = false;

  const service = {
    logger,
    pipelines,
    /** API budget use per Salesforce org and request rate per Auth0 tenant. */
    budgets: () => ({
      salesforce: [...budgets.entries()].map(([name, b]) => ({
        ...b.snapshot(),
        batching: salesforce.get(name)?.batchingStats(),
      })),
      auth0: [...rates.values()].map((r) => r.snapshot()),
      retention: retention?.snapshot(),
    }),
    get db(): Db {
      if (!db) throw new Error('the service is not started');
      return db;
    },
    get events() {
      if (!worker) throw new Error('the service is not started');
      return worker.events;
    },
    url: '',
    /** Opens the store (applying migrations), starts the loops, then listens. */
    async start(listen: { port?: number; host?: string } = {}) {
      db = await openDatabase(config.store);
      worker = createWorker({
        db,
        pipelines,
        now,
        logger,
        concurrency: config.worker.concurrency,
        maxAttempts: config.worker.maxAttempts,
        backoff: config.worker.backoff,
        leaseMs: config.worker.leaseMs,
        pollIntervalMs: config.worker.pollIntervalMs,
        triggers: triggers(db),
        deck,
      });
      await worker.start();
      // The allocation is known before the first call: read now, so status shows it while idle too.
      for (const budget of budgets.values()) void budget.start();
      const app = createHttpApp({
        db,
        authorizations: new Map(
          Object.entries(config.auth0).map(([name, t]) => [name, t.logStream.authorization]),
        ),
        eventStreams: new Map(
          Object.entries(config.auth0).flatMap(([name, t]) =>
            t.eventStream
              ? [[name, { header: t.eventStream.header.toLowerCase(), value: t.eventStream.value }] as const]
              : [],
          ),
        ),
        maxBodyBytes: config.server.maxBodyBytes,
        adminToken: config.server.adminToken,
        now,
        isReady: () => ready,
        budgets: service.budgets,
        onCommitted: (tenant) => {
          lastStreamDelivery.set(tenant, now());
          worker?.wake();
        },
        logger,
      });
      const port = listen.port ?? configuredPort(config.server);
      const host = listen.host ?? config.server.host;
      await new Promise<void>((resolve, reject) => {
        server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
          const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
          service.url = `http://${shownHost}:${info.port}`;
          resolve();
        });
        server.once('error', reject);
      });
      ready = true;
      logger.info({ url: service.url, pipelines: pipelines.map((p) => p.name) }, 'Concord is listening');
      return service.url;
    },
    /** Stops accepting webhooks, lets running jobs finish, closes the store. */
    async stop() {
      ready = false;
      if (server) {
        const s = server;
        server = undefined;
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        if ('closeIdleConnections' in s) s.closeIdleConnections();
        await closed;
      }
      await worker?.stop();
      worker = undefined;
      for (const cache of auth0.values()) cache.clear();
      await db?.close();
      db = undefined;
    },
  };
  return service;
}
