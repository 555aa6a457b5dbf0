import type { Hono } from 'hono';
import { parseLogStreamBody } from '../connectors/auth0/log-stream-body.js';
import type { Db } from '../store/index.js';
import { mountInboxHook } from './inbox-hook.js';

export interface LogHookOptions {
  db: Db;
  /** Tenant name → the exact Authorization value its log stream sends. */
  authorizations: ReadonlyMap<string, string>;
  maxBodyBytes: number;
  now: () => number;
  onCommitted: (tenant: string, count: number) => void;
}

/** `POST /hooks/auth0/:tenant/logs` — Auth0 Log Streams (custom webhook), JSONARRAY / JSONLINES / JSONOBJECT. */
export function mountAuth0LogHook(app: Hono, options: LogHookOptions) {
  mountInboxHook(app, {
    ...options,
    path: '/hooks/auth0/:tenant/logs',
    credentials: new Map(
      [...options.authorizations].map(([tenant, value]) => [tenant, { header: 'authorization', value }]),
    ),
    credentialHint: 'the Authorization header does not match auth0.<tenant>.logStream.authorization',
    parse: (text, tenant) =>
      parseLogStreamBody(text).map((r) => ({
        source: 'auth0.logs',
        connection: tenant,
        sourceId: r.logId,
        sourceType: r.type,
        payload: JSON.stringify(r.data),
      })),
  });
}
