import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Resolution } from '../core/template.js';
import {
  type Db,
  getJob,
  jobCounts,
  listAudit,
  listIntents,
  listJobs,
  listQuarantine,
  OUTCOMES,
  replayJob,
  resolveQuarantine,
} from '../store/index.js';
import { secretsEqual } from './constant-time.js';

const resolutionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('link'), object: z.string().min(1), recordId: z.string().min(15).max(18) }),
  z.object({ action: z.literal('create') }),
]);

/** Middleware: 401 unless the request carries `Authorization: Bearer <server.adminToken>`. */
export function requireAdminToken(adminToken: string): MiddlewareHandler {
  return async (c, next) => {
    if (!secretsEqual(c.req.header('authorization'), `Bearer ${adminToken}`)) {
      return c.json(
        { error: 'unauthorized', message: 'send Authorization: Bearer <server.adminToken>' },
        401,
      );
    }
    return next();
  };
}

/** `/admin/*`: outcomes, quarantine and replay, behind `server.adminToken` (Bearer). */
export function mountAdminRoutes(
  app: Hono,
  options: { db: Db; adminToken: string; now: () => number; onRequeued: () => void; budgets?: () => unknown },
) {
  const { db } = options;
  app.use('/admin/*', requireAdminToken(options.adminToken));

  app.get('/admin/status', async (c) => c.json({ jobs: await jobCounts(db), budgets: options.budgets?.() }));

  app.get('/admin/jobs', async (c) => {
    const outcome = c.req.query('outcome');
    if (outcome && !(OUTCOMES as readonly string[]).includes(outcome)) {
      return c.json({ error: 'bad_request', message: `outcome must be one of ${OUTCOMES.join(', ')}` }, 400);
    }
    const jobs = await listJobs(db, {
      outcome: outcome as (typeof OUTCOMES)[number] | undefined,
      pipeline: c.req.query('pipeline'),
      limit: Math.min(Number(c.req.query('limit') ?? 100) || 100, 1000),
      afterId: c.req.query('after') ? Number(c.req.query('after')) : undefined,
    });
    return c.json({ jobs: jobs.map(({ event: _event, ...rest }) => rest) });
  });

  app.get('/admin/jobs/:id', async (c) => {
    const id = Number(c.req.param('id'));
    const job = await getJob(db.kysely, id);
    if (!job) return c.json({ error: 'not_found', message: `no job ${id}` }, 404);
    const { event: _event, ...rest } = job;
    return c.json({
      job: rest,
      intents: (await listIntents(db, id)).map((i) => ({
        seq: i.seq,
        summary: i.summary,
        state: i.state,
        result: i.result,
      })),
      audit: await listAudit(db, { jobId: id }),
    });
  });

  app.post('/admin/jobs/:id/replay', async (c) => {
    const id = Number(c.req.param('id'));
    const result = await replayJob(db, id, options.now());
    if (result === 'not_found') return c.json({ error: 'not_found', message: `no job ${id}` }, 404);
    if (result === 'not_done') {
      return c.json(
        { error: 'conflict', message: `job ${id} has not finished; only finished jobs can be replayed` },
        409,
      );
    }
    options.onRequeued();
    return c.json({ replayed: id, how: result }, 202);
  });

  app.get('/admin/quarantine', async (c) => {
    const state = c.req.query('state') ?? 'open';
    if (!['open', 'resolved', 'all'].includes(state))
      return c.json({ error: 'bad_request', message: 'state is open, resolved or all' }, 400);
    return c.json({ items: await listQuarantine(db, state as 'open') });
  });

  app.post('/admin/quarantine/:id/resolve', async (c) => {
    const id = Number(c.req.param('id'));
    const parsed = resolutionSchema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      return c.json(
        {
          error: 'bad_request',
          message:
            'body must be {"action":"link","object":"Contact","recordId":"003..."} or {"action":"create"}',
        },
        400,
      );
    }
    const resolved = await resolveQuarantine(db, id, parsed.data as Resolution, options.now());
    if (!resolved) return c.json({ error: 'not_found', message: `no open quarantine item ${id}` }, 404);
    options.onRequeued();
    return c.json({ resolved: id }, 202);
  });
}
