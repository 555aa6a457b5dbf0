import { createManagementSession } from './session.js';
import type { Auth0Port } from '../../core/ports.js';
import { type Auth0Logger, encodeId, type RateLimitSnapshot } from './management-client.js';
import { managementOperations } from './management-operations.js';
import { auth0UserListSchema, auth0UserSchema } from './schemas.js';

export interface Auth0ConnectorOptions {
  /** The tenant's domain, e.g. `acme.eu.auth0.com`. */
  domain: string;
  /** Overrides `https://{domain}` for every call, e.g. `http://127.0.0.1:4011` (an emulator). */
  baseUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Default `https://{domain}/api/v2/`. */
  audience?: string;
  /** Per request, token requests included. Default 10 s. */
  timeoutMs?: number;
  logger?: Auth0Logger;
  /** Default `Date.now`; used for token expiry and `retryAfterMs`. */
  now?: () => number;
  /**
   * Replaces the HTTP client (tests, proxies). Default: the global `fetch` for tokens and export downloads,
   * kept-alive `node:http(s)` connections for Management API calls.
   */
  fetch?: typeof fetch;
}

export interface Auth0Connector extends Auth0Port {
  readonly clientId: string;
  /** The `x-ratelimit-*` values of the last Management API response, if any call has been made. */
  rateLimit(): RateLimitSnapshot | undefined;
}

/**
 * Only Auth0's own "user does not exist" 404 means deleted; a 404 from a wrong `baseUrl` or a proxy must
 * not look like a deletion (flow 5 would mark the Contact inactive).
 */
function isUnknownUser(status: number, body: unknown): boolean {
  return (
    status === 404 &&
    typeof body === 'object' &&
    body !== null &&
    'errorCode' in body &&
    body.errorCode === 'inexistent_user'
  );
}

/** Concord's Auth0 Management API client, behind the core's `Auth0Port`. */
export function createAuth0Connector(options: Auth0ConnectorOptions): Auth0Connector {
  const { client } = createManagementSession({ ...options, timeoutMs: options.timeoutMs ?? 10_000 });

  return {
    ...managementOperations(client),
    clientId: options.clientId,
    rateLimit: client.rateLimit,
    async getUser(userId) {
      const user = await client.call({
        method: 'GET',
        path: `/users/${encodeId(userId)}`,
        operation: 'GET /api/v2/users/{id}',
        schema: auth0UserSchema,
        absentWhen: isUnknownUser,
      });
      return user ?? null;
    },
    async getUsersByEmail(email) {
      const users = await client.call({
        method: 'GET',
        path: '/users-by-email',
        operation: 'GET /api/v2/users-by-email',
        query: { email },
        schema: auth0UserListSchema,
      });
      return users ?? [];
    },
  };
}
