import { Hono } from 'hono';
import { z } from 'zod';
import type { Auth0EmulatorAdmin } from '../admin.js';
import { notFound } from '../api-error.js';
import { ACTIVITIES, type SimulationHandle } from '../simulator/index.js';
import { parseBody } from './admin-parse.js';

const actor = z.object({ ip: z.string().optional(), userAgent: z.string().optional() }).optional();
const userAction = z.object({ userId: z.string(), actor });
const mix = z.partialRecord(z.enum(ACTIVITIES), z.number().nonnegative()).optional();
const simulateBody = z.object({
  seed: z.union([z.number(), z.string()]),
  ratePerSecond: z.number().positive(),
  durationMs: z.number().int().positive().optional(),
  count: z.number().int().positive().optional(),
  mix,
});
const generateBody = z.object({
  count: z.number().int().positive().max(1_000_000),
  seed: z.union([z.number(), z.string()]),
  mix,
});

/** End-user actions beyond signup/login, and the simulator, over HTTP (`/__emulator/...`). */
export function adminActivityRoutes(admin: Auth0EmulatorAdmin): Hono {
  const app = new Hono();
  const simulations = new Map<string, SimulationHandle>();
  let nextSimulation = 0;

  app.post('/leaked-password-login', async (c) => {
    const { email, actor: a } = await parseBody(c, z.object({ email: z.string(), actor }));
    return c.json(admin.leakedPasswordLogin(email, a), 201);
  });
  app.post('/mfa/enroll', async (c) => {
    const body = await parseBody(
      c,
      userAction.extend({
        factor: z.enum(['otp', 'sms', 'push-notification', 'webauthn-roaming']).optional(),
      }),
    );
    return c.json(admin.enrollMfa(body.userId, body.factor, body.actor));
  });
  app.post('/mfa/required', async (c) => {
    const { userId, actor: a } = await parseBody(c, userAction);
    return c.json(admin.mfaRequired(userId, a), 201);
  });
  app.post('/verify-email', async (c) => {
    const { userId, actor: a } = await parseBody(c, userAction);
    return c.json(admin.verifyEmail(userId, a));
  });
  app.post('/change-password', async (c) => {
    const body = await parseBody(c, userAction.extend({ password: z.string().optional() }));
    return c.json(admin.changePassword(body.userId, body.password, body.actor));
  });
  app.post('/tickets/redeem', async (c) => {
    const body = await parseBody(c, z.object({ ticket: z.string(), password: z.string().optional(), actor }));
    return c.json(admin.redeemPasswordTicket(body.ticket, body.password, body.actor));
  });
  app.post('/self-delete', async (c) => {
    const body = await parseBody(c, userAction.extend({ type: z.enum(['sdu', 'du']).optional() }));
    return c.json(admin.selfDeleteUser(body.userId, body.type, body.actor), 201);
  });

  app.post('/generate', async (c) => {
    const { count, seed, mix: m } = await parseBody(c, generateBody);
    return c.json(admin.generate(count, { seed, mix: m }));
  });
  app.post('/simulations', async (c) => {
    const handle = admin.simulate(await parseBody(c, simulateBody));
    nextSimulation += 1;
    const id = `sim_${nextSimulation}`;
    simulations.set(id, handle);
    return c.json({ id, stats: handle.stats() }, 201);
  });
  const find = (id: string) => {
    const handle = simulations.get(id);
    if (!handle) throw notFound(`Simulation ${id} does not exist.`);
    return handle;
  };
  app.get('/simulations/:id', (c) => c.json(find(c.req.param('id')).stats()));
  /** Resolves when the simulation ends: the way an HTTP client waits for a bounded run. */
  app.post('/simulations/:id/wait', async (c) => c.json(await find(c.req.param('id')).done));
  app.post('/simulations/:id/stop', async (c) => {
    const handle = find(c.req.param('id'));
    handle.stop();
    return c.json(await handle.done);
  });
  return app;
}
