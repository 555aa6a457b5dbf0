import { Hono } from 'hono';
import { z } from 'zod';
import type { Auth0EmulatorAdmin } from '../admin.js';
import { notFound } from '../api-error.js';
import { parseBody } from './admin-parse.js';

const eventTypes = z.enum(['user.created', 'user.updated', 'user.deleted']);
const eventStreamBody = z.object({
  id: z.string().optional(),
  url: z.url(),
  auth: z
    .discriminatedUnion('method', [
      z.object({ method: z.literal('bearer'), token: z.string() }),
      z.object({ method: z.literal('basic'), username: z.string(), password: z.string() }),
      z.object({
        method: z.literal('custom_header'),
        header_key: z.string().min(1),
        header_value: z.string(),
      }),
    ])
    .optional(),
  subscriptions: z.array(eventTypes).optional(),
  retries: z.number().int().nonnegative().optional(),
  retryDelayMs: z.number().int().nonnegative().optional(),
  duplicateEvery: z.number().int().positive().optional(),
  reorder: z.union([z.boolean(), z.number().int().positive()]).optional(),
  disableAfterConsecutiveFailures: z.number().int().positive().optional(),
  disableAfterTotalFailures: z.number().int().positive().optional(),
  concurrency: z.number().int().positive().max(64).optional(),
});

/** Event streams, user events and export files over HTTP (`/__emulator/...`). */
export function adminStreamRoutes(admin: Auth0EmulatorAdmin): Hono {
  const app = new Hono();
  app.get('/events', (c) => c.json(admin.events()));
  app.get('/event-streams', (c) => c.json(admin.eventStreamStatus()));
  app.post('/event-streams', async (c) =>
    c.json({ id: admin.addEventStream(await parseBody(c, eventStreamBody)) }, 201),
  );
  app.post('/event-streams/flush', async (c) => {
    await admin.flushEventStreams();
    return c.json(admin.eventStreamStatus());
  });
  app.get('/event-streams/:id/deliveries', (c) => c.json(admin.eventStreamDeliveries(c.req.param('id'))));
  app.post('/event-streams/:id/enable', (c) => {
    if (!admin.enableEventStream(c.req.param('id'))) throw notFound('unknown event stream');
    return c.body(null, 204);
  });
  app.delete('/event-streams/:id', (c) => {
    admin.removeEventStream(c.req.param('id'));
    return c.body(null, 204);
  });
  /** What a users-export job's `location` points at: the gzipped file, like Auth0's pre-signed URL. */
  app.get('/exports/:jobId/:file', (c) =>
    c.body(new Uint8Array(admin.exportFile(c.req.param('jobId'))), 200, {
      'content-type': 'application/gzip',
      'content-disposition': `attachment; filename="${c.req.param('file')}"`,
    }),
  );
  return app;
}
