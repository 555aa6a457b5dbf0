import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Db } from '../store/index.js';
import { mountAdminRoutes } from './admin-routes.js';
import { mountAuth0EventHook } from './auth0-event-hook.js';
import { mountAuth0LogHook } from './auth0-log-hook.js';
import { type Budgets, mountMetricsRoute } from './metrics.js';

export interface HttpAppOptions {
  db: Db;
  authorizations: ReadonlyMap<string, string>;
  eventStreams: ReadonlyMap<string, { header: string; value: string }>;
  maxBodyBytes: number;
  adminToken?: string;
  now: () => number;
  isReady: () => boolean;
  onCommitted: (tenant: string, count: number) => void;
  logger: Logger;
  /** API budget use, shown by `/admin/status` and `/metrics`. */
  budgets?: () => Budgets;
}

/** The service's HTTP surface: webhooks, health, and (with a token) the admin API and `/metrics`. */
export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    options.isReady() ? c.json({ status: 'ready' }) : c.json({ status: 'starting' }, 503),
  );
  mountAuth0LogHook(app, options);
  mountAuth0EventHook(app, { ...options, credentials: options.eventStreams });
  if (options.adminToken) {
    mountAdminRoutes(app, {
      db: options.db,
      adminToken: options.adminToken,
      now: options.now,
      budgets: options.budgets,
      onRequeued: () => options.onCommitted('', 0),
    });
    mountMetricsRoute(app, { db: options.db, adminToken: options.adminToken, budgets: options.budgets });
  }
  app.notFound((c) =>
    c.json({ error: 'not_found', message: `${c.req.method} ${c.req.path} is not a Concord endpoint` }, 404),
  );
  app.onError((error, c) => {
    options.logger.error({ err: error, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal', message: 'internal error; see the service log' }, 500);
  });
  return app;
}
