import { z } from 'zod';
import {
  credentialsRejected,
  describeErrorBody,
  errorFromNetwork,
  errorFromResponse,
  invalidResponse,
} from './errors.js';
import { tokenResponseSchema } from './schemas.js';

/** Tokens are renewed this long before `expires_in` runs out. */
const RENEW_BEFORE_MS = 60_000;

export interface TokenProviderOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  timeoutMs: number;
  now: () => number;
  fetch: typeof fetch;
}

/**
 * Client-credentials tokens for the Management API, cached until shortly before expiry; concurrent
 * callers share one request (one token per call is the top cause of 429s, reference §7).
 */
export function createTokenProvider(options: TokenProviderOptions) {
  let cached: { token: string; renewAt: number } | undefined;
  let inflight: Promise<string> | undefined;
  const operation = 'POST /oauth/token';

  async function request(): Promise<string> {
    const startedAt = options.now();
    let response: Response;
    try {
      response = await options.fetch(`${options.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          grant_type: 'client_credentials',
          client_id: options.clientId,
          client_secret: options.clientSecret,
          audience: options.audience,
        }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw errorFromNetwork(error, operation, options.timeoutMs);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        throw credentialsRejected(options.clientId, operation, describeErrorBody(body, response.status), {
          status: response.status,
        });
      }
      const { status, headers } = response;
      throw errorFromResponse({
        status,
        body,
        headers,
        operation,
        clientId: options.clientId,
        now: options.now(),
      });
    }
    const parsed = tokenResponseSchema.safeParse(body);
    if (!parsed.success) throw invalidResponse(operation, z.prettifyError(parsed.error));
    const lifetimeMs = parsed.data.expires_in * 1000;
    cached = {
      token: parsed.data.access_token,
      renewAt: startedAt + lifetimeMs - Math.min(RENEW_BEFORE_MS, lifetimeMs / 2),
    };
    return cached.token;
  }

  return {
    async get(): Promise<string> {
      if (cached && options.now() < cached.renewAt) return cached.token;
      inflight ??= request().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    /** Forgets `token` (after a 401) so the next `get` mints a new one; a newer token is kept. */
    invalidate(token: string): void {
      if (cached?.token === token) cached = undefined;
    },
  };
}

export type TokenProvider = ReturnType<typeof createTokenProvider>;
