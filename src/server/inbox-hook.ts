import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { BadInputError } from '../core/errors.js';
import { type Db, type InboxInput, insertInbox } from '../store/index.js';
import { secretsEqual } from './constant-time.js';

export interface InboxHookOptions {
  db: Db;
  /** `/hooks/auth0/:tenant/logs` */
  path: string;
  /** Tenant → the header and exact value its sender must present. */
  credentials: ReadonlyMap<string, { header: string; value: string }>;
  /** What to tell a caller whose credential is wrong (names the config key). */
  credentialHint: string;
  maxBodyBytes: number;
  now: () => number;
  /** Parses a body into inbox rows for a tenant; throws BadInputError for bad input. */
  parse(text: string, tenant: string): InboxInput[];
  /** Called after a delivery is committed (also when it held only repeats: the sender is alive). */
  onCommitted: (tenant: string, count: number) => void;
}

/**
 * The contract every webhook shares: the credential is checked in constant time (an unknown tenant answers
 * like a wrong credential, so names cannot be probed) → 401; a body over the limit → 413; a bad body → 400
 * naming the problem; otherwise the rows are committed to the inbox (repeats ignored) before the 200.
 * Anything refused has changed nothing.
 */
export function mountInboxHook(app: Hono, options: InboxHookOptions) {
  app.use(options.path, async (c, next) => {
    const tenant = c.req.param('tenant') ?? '';
    const expected = options.credentials.get(tenant) ?? { header: 'authorization', value: '' };
    if (!secretsEqual(c.req.header(expected.header), expected.value) || expected.value === '') {
      return c.json({ error: 'unauthorized', message: options.credentialHint }, 401);
    }
    return next();
  });
  app.use(
    options.path,
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
  app.post(options.path, async (c) => {
    const tenant = c.req.param('tenant') ?? '';
    let rows: InboxInput[];
    try {
      rows = options.parse(await c.req.text(), tenant);
    } catch (error) {
      if (error instanceof BadInputError)
        return c.json({ error: 'bad_request', message: error.message }, 400);
      throw error;
    }
    const { inserted, duplicates } = await insertInbox(options.db, rows, options.now());
    options.onCommitted(tenant, inserted);
    return c.json({ received: rows.length, stored: inserted, duplicates }, 200);
  });
}
