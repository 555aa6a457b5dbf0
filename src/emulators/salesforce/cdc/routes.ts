/**
 * The change feed over plain HTTP (the emulator's stand-in for CometD / Pub/Sub API):
 * - `GET /__emulator/cdc/events?after=N&limit=&entities=` polls: `{events, latestReplayId}`;
 * - `GET /__emulator/cdc/stream?replayId=-1|-2|N&entities=` streams newline-delimited JSON:
 *   `{"type":"event",...}` lines, and `{"type":"heartbeat","at":…}` every `cdcHeartbeatMs`.
 * Both need a valid access token, like every Salesforce event transport.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { EmulatorEnv } from '../env.js';
import { type CdcEvent, eventsAfter } from './log.js';

function authorized(env: EmulatorEnv, c: Context): boolean {
  const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  const session = token ? env.state.tokens.get(token) : undefined;
  if (!session) return false;
  const now = env.now();
  if (now - (session.lastUsedAt ?? session.issuedAt) > env.state.config.sessionTimeoutMs) return false;
  session.lastUsedAt = now;
  return true;
}

function entitiesOf(c: Context): Set<string> | undefined {
  const list = c.req.query('entities');
  return list ? new Set(list.split(',').filter((s) => s)) : undefined;
}

const invalidReplay = (c: Context, replayId: number) =>
  c.json(
    [
      {
        errorCode: 'INVALID_REPLAY_ID',
        message: `The replayId {${replayId}} you provided was invalid. Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
      },
    ],
    400,
  );

const line = (event: CdcEvent) => `${JSON.stringify({ type: 'event', ...event })}\n`;

export function cdcRoutes(env: EmulatorEnv): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    if (!authorized(env, c)) {
      return c.json([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }], 401);
    }
    await next();
  });

  app.get('/events', (c) => {
    const after = Number(c.req.query('after') ?? '-2');
    const limit = Math.min(Number(c.req.query('limit') ?? '1000'), 10_000);
    const events = eventsAfter(env.state.changeLog, env.state.config, env.now(), after, entitiesOf(c));
    if (!events) return invalidReplay(c, after);
    return c.json({ events: events.slice(0, limit), latestReplayId: env.state.changeLog.lastReplayId });
  });

  app.get('/stream', (c) => {
    const replayId = Number(c.req.query('replayId') ?? '-1');
    const entities = entitiesOf(c);
    const log = env.state.changeLog;
    const backlog = eventsAfter(log, env.state.config, env.now(), replayId, entities);
    if (!backlog) return invalidReplay(c, replayId);
    const encoder = new TextEncoder();
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (text: string) => {
          try {
            controller.enqueue(encoder.encode(text));
          } catch {
            cleanup();
          }
        };
        const listener = (events: CdcEvent[]) => {
          const wanted = entities
            ? events.filter((e) => entities.has(e.payload.ChangeEventHeader.entityName))
            : events;
          if (wanted.length > 0) send(wanted.map(line).join(''));
        };
        const timer = setInterval(
          () => send(`${JSON.stringify({ type: 'heartbeat', at: env.now() })}\n`),
          env.cdcHeartbeatMs,
        );
        timer.unref?.();
        cleanup = () => {
          clearInterval(timer);
          log.listeners.delete(listener);
        };
        // The first line says where the stream starts, so clients know they are subscribed.
        send(`${JSON.stringify({ type: 'subscribed', latestReplayId: log.lastReplayId })}\n`);
        if (backlog.length > 0) send(backlog.map(line).join(''));
        log.listeners.add(listener);
      },
      cancel() {
        cleanup();
      },
    });
    return new Response(stream, {
      status: 200,
      headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' },
    });
  });
  return app;
}
