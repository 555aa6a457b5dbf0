import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { CloudEventBodyError, parseCloudEventBody } from '../connectors/auth0/cloud-events.js';
import { type Db, insertInbox } from '../store/index.js';
import { secretsEqual } from './constant-time.js';

export interface EventHookOptions {
  db: Db;
  /** Tenant name → the header and exact value its Event Stream destination sends. */
  credentials: ReadonlyMap<string, { header: string; value: string }>;
  maxBodyBytes: number;
  now: () => number;
  onCommitted: (tenant: string, count: number) => void;
}

/**
 * `POST /hooks/auth0/:tenant/events` — Auth0 Event Streams (CloudEvents, one per request). Same contract as the
 * log hook: 2xx only after commit, repeats (by CloudEvent id) acknowledged and ignored, refusals change nothing.
 */
export function mountAuth0EventHook(app: Hono, options: EventHookOptions) {
  const path = '/hooks/auth0/:tenant/events';
  app.use(path, async (c, next) => {
    const tenant = c.req.param('tenant') ?? '';
    // An unknown tenant answers exactly like a wrong credential, so tenant names cannot be probed.
    const expected = options.credentials.get(tenant) ?? { header: 'authorization', value: '' };
    if (!secretsEqual(c.req.header(expected.header), expected.value) || expected.value === '') {
      return c.json(
        { error: 'unauthorized', message: 'the credential does not match auth0.<tenant>.eventStream' },
        401,
      );
    }
    return next();
  });
  app.use(
    path,
    bodyLimit({
      maxSize: options.maxBodyBytes,
      onError: (c) =>
        c.json(
          {
            error: 'payload_too_large',
            message: `the body exceeds ${options.maxBodyBytes} bytes (server.maxBodyBytes)`,
          },
          413,
        ),
    }),
  );
  app.post(path, async (c) => {
    const tenant = c.req.param('tenant');
    let events: ReturnType<typeof parseCloudEventBody>;
    try {
      events = parseCloudEventBody(await c.req.text());
    } catch (error) {
      if (error instanceof CloudEventBodyError)
        return c.json({ error: 'bad_request', message: error.message }, 400);
      throw error;
    }
    const { inserted, duplicates } = await insertInbox(
      options.db,
      events.map((e) => ({
        source: 'auth0.events',
        connection: tenant,
        sourceId: e.id,
        sourceType: e.type,
        payload: JSON.stringify(e),
      })),
      options.now(),
    );
    options.onCommitted(tenant, inserted);
    return c.json({ received: events.length, stored: inserted, duplicates }, 200);
  });
}
