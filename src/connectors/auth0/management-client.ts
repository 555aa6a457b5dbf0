import type { z } from 'zod';
import { prettifyError } from 'zod';
import { errorFromNetwork, errorFromResponse, invalidResponse } from './errors.js';
import { fetchTransport, type HeaderLookup, type HttpAnswer, nodeTransport } from './http-transport.js';
import type { TokenProvider } from './token-provider.js';

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  /** Epoch milliseconds. */
  resetAt: number;
}

export interface Auth0Logger {
  debug?(details: Record<string, unknown>, message: string): void;
  warn?(details: Record<string, unknown>, message: string): void;
}

export interface ManagementClientOptions {
  baseUrl: string;
  clientId: string;
  timeoutMs: number;
  now: () => number;
  /** Replaces the default `node:http(s)` transport (tests and embedders). */
  fetch?: typeof fetch;
  tokens: TokenProvider;
  logger?: Auth0Logger;
}

export interface ManagementRequest<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under `/api/v2` with ids already encoded (`encodeId`). */
  path: string;
  /** Path with ids replaced by placeholders, for messages and logs (no PII). */
  operation: string;
  query?: Record<string, string>;
  body?: unknown;
  schema: z.ZodType<T>;
  /** Answers `undefined` instead of an error when this holds (a look-up of something that does not exist). */
  absentWhen?: (status: number, body: unknown) => boolean;
}

/** Path ids are opaque `{provider}|{id}`: `|` must travel as `%7C`. */
export const encodeId = (id: string) => encodeURIComponent(id);

/**
 * Calls the Management API: bearer token, timeout, one retry with a fresh token after a 401, rate-limit
 * headers remembered, bodies validated, failures translated. No other retries: that is the pipeline's job.
 */
export function createManagementClient(options: ManagementClientOptions) {
  let rateLimit: RateLimitSnapshot | undefined;
  const transport = options.fetch ? fetchTransport(options.fetch) : nodeTransport();

  function remember(headers: HeaderLookup) {
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (headers.has('x-ratelimit-limit') && [limit, remaining, reset].every(Number.isFinite)) {
      rateLimit = { limit, remaining, resetAt: reset * 1000 };
    }
  }

  async function send(request: ManagementRequest<unknown>, token: string): Promise<HttpAnswer> {
    const url = new URL(`${options.baseUrl}/api/v2${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
    try {
      return await transport({
        method: request.method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      throw errorFromNetwork(error, request.operation, options.timeoutMs);
    }
  }

  async function call<T>(request: ManagementRequest<T>): Promise<T | undefined> {
    let token = await options.tokens.get();
    let response = await send(request, token);
    if (response.status === 401) {
      options.logger?.debug?.({ operation: request.operation }, 'auth0 token rejected; minting a new one');
      options.tokens.invalidate(token);
      token = await options.tokens.get();
      response = await send(request, token);
    }
    remember(response.headers);
    const text = response.text;
    const body: unknown = text === '' ? undefined : safeJson(text);
    if (request.absentWhen?.(response.status, body)) return undefined;
    if (response.status < 200 || response.status > 299) throw refusal(response, body, request.operation);
    const parsed = request.schema.safeParse(body);
    if (!parsed.success) throw invalidResponse(request.operation, prettifyError(parsed.error));
    return parsed.data;
  }

  /**
   * A POST to the Authentication API on the same domain (`/dbconnections/…`): no access token, its own rate
   * limits (not the Management API's, so its headers are not remembered), any 2xx answer body accepted.
   */
  async function authentication(request: { path: string; operation: string; body: unknown }): Promise<void> {
    let response: HttpAnswer;
    try {
      response = await transport({
        method: 'POST',
        url: new URL(`${options.baseUrl}${request.path}`),
        headers: { accept: 'application/json, text/plain', 'content-type': 'application/json' },
        body: JSON.stringify(request.body),
        timeoutMs: options.timeoutMs,
      });
    } catch (error) {
      throw errorFromNetwork(error, request.operation, options.timeoutMs);
    }
    if (response.status >= 200 && response.status <= 299) return;
    throw refusal(response, response.text === '' ? undefined : safeJson(response.text), request.operation);
  }

  /** A non-2xx answer as the error it means, logged. */
  function refusal(response: HttpAnswer, body: unknown, operation: string) {
    const error = errorFromResponse({
      status: response.status,
      body,
      headers: response.headers,
      operation,
      clientId: options.clientId,
      now: options.now(),
    });
    options.logger?.warn?.({ operation, status: response.status, code: error.code }, error.message);
    return error;
  }

  return { call, authentication, rateLimit: () => rateLimit };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
