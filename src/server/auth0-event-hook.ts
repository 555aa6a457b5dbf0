import type { Hono } from 'hono';
import { parseCloudEventBody } from '../connectors/auth0/cloud-events.js';
import type { Db } from '../store/index.js';
import { mountInboxHook } from './inbox-hook.js';

export interface EventHookOptions {
  db: Db;
  /** Tenant name → the header and exact value its Event Stream destination sends. */
  credentials: ReadonlyMap<string, { header: string; value: string }>;
  maxBodyBytes: number;
  now: () => number;
  onCommitted: (tenant: string, count: number) => void;
}

/** `POST /hooks/auth0/:tenant/events` — Auth0 Event Streams (CloudEvents, one per request). */
export function mountAuth0EventHook(app: Hono, options: EventHookOptions) {
  mountInboxHook(app, {
    ...options,
    path: '/hooks/auth0/:tenant/events',
    credentialHint: 'the credential does not match auth0.<tenant>.eventStream',
    parse: (text, tenant) =>
      parseCloudEventBody(text).map((e) => ({
        source: 'auth0.events',
        connection: tenant,
        sourceId: e.id,
        sourceType: e.type,
        payload: JSON.stringify(e),
      })),
  });
}
