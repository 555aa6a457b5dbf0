import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { LogStreamBodyError, parseLogStreamBody } from '../connectors/auth0/log-stream-body.js';
import { type Db, insertInbox } from '../store/index.js';
import { secretsEqual } from './constant-time.js';

export interface LogHookOptions {
  db: Db;
  /** Tenant name → the exact Authorization value its log stream sends. */
  authorizations: ReadonlyMap<string, string>;
  maxBodyBytes: number;
  now: () => number;
  /** Called after a delivery is committed (also when it held only repeats: the stream is alive). */
  onCommitted: (tenant: string, count: number) => void;
}

/**
 * `POST /hooks/auth0/:tenant/logs` — Auth0 log streams (custom webhook). Answers 2xx only once every
 * record is committed to the inbox; repeats are acknowledged and ignored; anything refused changes nothing.
 */
export function mountAuth0LogHook(app: Hono, options: LogHookOptions) {
  const path = '/hooks/auth0/:tenant/logs';
  app.use(path, async (c, next) => {
    const tenant = c.req.param('tenant') ?? '';
    // An unknown tenant answers exactly like a wrong token, so tenant names cannot be probed.
    const expected = options.authorizations.get(tenant) ?? '';
    if (!secretsEqual(c.req.header('authorization'), expected) || expected === '') {
      return c.json(
        {
          error: 'unauthorized',
          message: 'the Authorization header does not match auth0.<tenant>.logStream.authorization',
        },
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
            message: `the body exceeds ${options.maxBodyBytes} bytes (server.maxBodyBytes); send smaller batches`,
          },
          413,
        ),
    }),
  );
  app.post(path, async (c) => {
    const tenant = c.req.param('tenant');
    let records: ReturnType<typeof parseLogStreamBody>;
    try {
      records = parseLogStreamBody(await c.req.text());
    } catch (error) {
      if (error instanceof LogStreamBodyError)
        return c.json({ error: 'bad_request', message: error.message }, 400);
      throw error;
    }
    const { inserted, duplicates } = await insertInbox(
      options.db,
      records.map((r) => ({
        source: 'auth0.logs',
        connection: tenant,
        sourceId: r.logId,
        sourceType: r.type,
        payload: JSON.stringify(r.data),
      })),
      options.now(),
    );
    options.onCommitted(tenant, inserted);
    return c.json({ received: records.length, stored: inserted, duplicates }, 200);
  });
}
