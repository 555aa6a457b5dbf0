import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { Auth0EmulatorAdmin } from '../admin.js';
import { badRequest } from '../api-error.js';
import { adminActivityRoutes } from './admin-activity.js';
import { adminStreamRoutes } from './admin-streams.js';

const signupBody = z.looseObject({
  email: z.string(),
  password: z.string().optional(),
  connection: z.string().optional(),
});
const socialBody = z.object({
  provider: z.string(),
  email: z.string(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
});
const actorBody = z.object({ ip: z.string().optional(), userAgent: z.string().optional() }).optional();
const loginBody = z.object({
  userId: z.string(),
  fail: z.enum(['wrong_password', 'mfa']).optional(),
  mfa: z.boolean().optional(),
  actor: actorBody,
});
const rolesBody = z.object({ roles: z.array(z.string()) });
const logRecordBody = z.looseObject({ type: z.string() });
const faultBody = z.object({
  match: z.object({ method: z.string().optional(), path: z.string() }),
  status: z.number().int(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  times: z.number().int().positive().optional(),
  delayMs: z.number().int().nonnegative().optional(),
});
const logStreamBody = z.object({
  id: z.string().optional(),
  url: z.url(),
  format: z.enum(['JSONARRAY', 'JSONLINES', 'JSONOBJECT']),
  authorization: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  batchSize: z.number().int().positive().optional(),
  duplicateEvery: z.number().int().positive().optional(),
  reorder: z.boolean().optional(),
  retryDelayMs: z.number().int().nonnegative().optional(),
  suspendAfterFailures: z.number().int().positive().optional(),
  dropEvery: z.number().int().positive().optional(),
  delayMs: z.number().int().nonnegative().optional(),
  startFrom: z.object({ logId: z.string().optional(), date: z.string().optional() }).optional(),
  concurrency: z.number().int().positive().max(64).optional(),
});
const usersBody = z.object({ users: z.array(z.string()).min(1) });
const ticketBody = z.object({
  user_id: z.string().optional(),
  email: z.string().optional(),
  connection_id: z.string().optional(),
  result_url: z.string().optional(),
  ttl_sec: z.number().int().nonnegative().optional(),
  mark_email_as_verified: z.boolean().optional(),
});

async function parse<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const result = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!result.success) throw badRequest(`Admin payload error: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** The admin surface over HTTP (`/__emulator/...`) for the sandbox, the CLI and other processes. */
export function adminRoutes(admin: Auth0EmulatorAdmin): Hono {
  const app = new Hono();
  app.get('/users', (c) => c.json(admin.users()));
  app.post('/users', async (c) => c.json(admin.seedUser(await parse(c, signupBody)), 201));
  app.post('/signup', async (c) => c.json(admin.signup(await parse(c, signupBody)), 201));
  app.post('/social-login', async (c) => c.json(admin.socialLogin(await parse(c, socialBody))));
  app.post('/login', async (c) => {
    const { userId, fail, mfa, actor } = await parse(c, loginBody);
    return c.json(admin.login(userId, { ...(fail ? { fail } : {}), ...(mfa ? { mfa } : {}) }, actor));
  });
  app.post('/failed-login', async (c) => {
    const { email, actor } = await parse(c, z.object({ email: z.string(), actor: actorBody }));
    return c.json(admin.failedLoginUnknownUser(email, actor));
  });
  app.patch('/users/:id', async (c) =>
    c.json(admin.updateUser(c.req.param('id'), await parse(c, z.record(z.string(), z.unknown())))),
  );
  app.post('/users/:id/block', (c) => c.json(admin.blockUser(c.req.param('id'))));
  app.post('/users/:id/unblock', (c) => c.json(admin.unblockUser(c.req.param('id'))));
  app.post('/roles/:id/users', async (c) => {
    admin.addRoleMembers(c.req.param('id'), (await parse(c, usersBody)).users);
    return c.body(null, 204);
  });
  app.delete('/roles/:id/users', async (c) => {
    admin.removeRoleMembers(c.req.param('id'), (await parse(c, usersBody)).users);
    return c.body(null, 204);
  });
  app.post('/tickets/password-change', async (c) =>
    c.json(admin.createPasswordChangeTicket(await parse(c, ticketBody)), 201),
  );
  app.delete('/users/:id', (c) => {
    admin.deleteUser(c.req.param('id'));
    return c.body(null, 204);
  });
  app.post('/users/:id/roles', async (c) => {
    admin.assignRoles(c.req.param('id'), (await parse(c, rolesBody)).roles);
    return c.body(null, 204);
  });
  app.delete('/users/:id/roles', async (c) => {
    admin.removeRoles(c.req.param('id'), (await parse(c, rolesBody)).roles);
    return c.body(null, 204);
  });
  app.post('/roles', async (c) => {
    const { name, description } = await parse(
      c,
      z.object({ name: z.string(), description: z.string().optional() }),
    );
    return c.json(admin.createRole(name, description), 201);
  });
  app.get('/logs', (c) => c.json(admin.logs()));
  app.get('/emails', (c) => c.json(admin.emails()));
  app.post('/logs', async (c) => c.json(admin.appendLog(await parse(c, logRecordBody)), 201));
  app.get('/counters', (c) => c.json(admin.counters()));
  app.get('/requests', (c) => c.json(admin.requests()));
  app.post('/faults', async (c) => {
    admin.faults.inject(await parse(c, faultBody));
    return c.body(null, 204);
  });
  app.delete('/faults', (c) => {
    admin.faults.clear();
    return c.body(null, 204);
  });
  app.post('/reset', (c) => {
    admin.reset();
    return c.body(null, 204);
  });
  app.get('/log-streams', (c) => c.json(admin.streamStatus()));
  app.post('/log-streams', async (c) =>
    c.json({ id: admin.addLogStream(await parse(c, logStreamBody)) }, 201),
  );
  app.post('/log-streams/flush', async (c) => {
    await admin.flushLogStreams();
    return c.json(admin.streamStatus());
  });
  app.post('/log-streams/:id/resume', (c) =>
    admin.resumeLogStream(c.req.param('id')) ? c.body(null, 204) : c.json({ message: 'unknown stream' }, 404),
  );
  app.route('/', adminActivityRoutes(admin));
  app.route('/', adminStreamRoutes(admin));
  return app;
}
