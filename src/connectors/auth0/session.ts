import { type Auth0Logger, createManagementClient } from './management-client.js';
import { createTokenProvider } from './token-provider.js';

export interface ManagementSessionOptions {
  domain: string;
  /** Overrides `https://{domain}` (emulators, proxies). */
  baseUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Default `https://{domain}/api/v2/`. */
  audience?: string;
  timeoutMs: number;
  now?: () => number;
  fetch?: typeof fetch;
  logger?: Auth0Logger;
}

/** A Management API client with its own cached client-credentials token: what every Auth0 caller starts from. */
export function createManagementSession(options: ManagementSessionOptions) {
  const baseUrl = (options.baseUrl ?? `https://${options.domain}`).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const tokens = createTokenProvider({
    baseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    audience: options.audience ?? `https://${options.domain}/api/v2/`,
    timeoutMs: options.timeoutMs,
    now,
    fetch: fetchImpl,
  });
  const client = createManagementClient({
    baseUrl,
    clientId: options.clientId,
    timeoutMs: options.timeoutMs,
    now,
    // Management calls go over `node:http(s)` unless a `fetch` is injected.
    fetch: options.fetch,
    tokens,
    logger: options.logger,
  });
  return { baseUrl, now, fetch: fetchImpl, tokens, client };
}
