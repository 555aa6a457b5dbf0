import { ConcordError } from '../../core/errors.js';
import { type Auth0ErrorBody, auth0ErrorBodySchema } from './schemas.js';
import type { HeaderLookup } from './http-transport.js';

/**
 * The one place Auth0 statuses become ConcordErrors. Core code only sees `code`, `retryable` and
 * `retryAfterMs`; the vendor's `errorCode` is kept as `vendorCode` for diagnostics.
 */

export interface ResponseFacts {
  status: number;
  body: unknown;
  headers: HeaderLookup;
  /** What was being done, e.g. `GET /api/v2/users/{id}`; goes into messages. */
  operation: string;
  clientId: string;
  now: number;
}

/** `Retry-After` (seconds or HTTP date), else `x-ratelimit-reset` (epoch seconds) − now. */
export function retryAfterMs(headers: HeaderLookup, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (headers.has('x-ratelimit-reset') && Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  return undefined;
}

/** "Insufficient scope, expected any of: read:users,read:users_app_metadata" → the scope names. */
export function missingScopes(message: string | undefined): string[] {
  const list = message?.match(/expected any of:\s*(.+)$/i)?.[1];
  return list ? list.split(/[\s,]+/).filter(Boolean) : [];
}

function errorBody(body: unknown): Auth0ErrorBody {
  const parsed = auth0ErrorBodySchema.safeParse(body);
  return parsed.success ? parsed.data : {};
}

/** The vendor's own words for an error body, Management (`message`) or OAuth (`error_description`) style. */
export function describeErrorBody(body: unknown, status: number): string {
  const parsed = errorBody(body);
  return parsed.message ?? parsed.error_description ?? parsed.error ?? `HTTP ${status}`;
}

export function credentialsRejected(
  clientId: string,
  operation: string,
  detail: string,
  facts: { status?: number; vendorCode?: string } = {},
) {
  return new ConcordError(
    `Auth0 rejected the credentials of M2M application ${clientId} (${operation}: ${detail}). Check the ` +
      'client id and secret, and that the application is authorised for the Auth0 Management API ' +
      '(Dashboard → Applications → APIs → Auth0 Management API → Machine to Machine Applications).',
    { code: 'auth', retryable: false, ...facts },
  );
}

export function errorFromResponse(facts: ResponseFacts): ConcordError {
  const body = errorBody(facts.body);
  const vendorMessage = describeErrorBody(facts.body, facts.status);
  const base = {
    status: facts.status,
    vendorCode: body.errorCode ?? body.error,
    details: { operation: facts.operation, body: facts.body },
  };
  const { status, operation } = facts;
  if (status === 429) {
    return new ConcordError(`Auth0 rate limit reached (${operation}): ${vendorMessage}`, {
      ...base,
      code: 'rate_limited',
      retryAfterMs: retryAfterMs(facts.headers, facts.now),
    });
  }
  if (status >= 500) {
    return new ConcordError(`Auth0 is unavailable (${operation}): HTTP ${status} ${vendorMessage}`, {
      ...base,
      code: 'unavailable',
    });
  }
  switch (status) {
    case 401:
      return credentialsRejected(facts.clientId, operation, vendorMessage, base);
    case 403: {
      const scopes = missingScopes(body.message);
      const what = scopes.length > 0 ? `the scope ${scopes.join(' or ')}` : 'a permission';
      return new ConcordError(
        `Auth0 denied ${operation}: M2M application ${facts.clientId} lacks ${what}. Grant it under ` +
          'Applications → APIs → Auth0 Management API → Machine to Machine Applications.',
        { ...base, code: 'permission', details: { ...base.details, missingScopes: scopes } },
      );
    }
    case 404:
      return new ConcordError(`Auth0: not found (${operation}): ${vendorMessage}`, {
        ...base,
        code: 'not_found',
      });
    case 409:
      return new ConcordError(`Auth0: conflict (${operation}): ${vendorMessage}`, {
        ...base,
        code: 'conflict',
      });
    default:
      return new ConcordError(`Auth0 refused ${operation}: HTTP ${status} ${vendorMessage}`, {
        ...base,
        code: 'invalid_request',
      });
  }
}

/** Network failures and timeouts: the request may or may not have reached Auth0. */
export function errorFromNetwork(error: unknown, operation: string, timeoutMs: number): ConcordError {
  const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  const reason = timedOut
    ? `no answer within ${timeoutMs} ms`
    : error instanceof Error
      ? ((error.cause instanceof Error ? error.cause.message : undefined) ?? error.message)
      : String(error);
  return new ConcordError(`Auth0 could not be reached (${operation}): ${reason}`, {
    code: 'unavailable',
    cause: error,
  });
}

export function invalidResponse(operation: string, issues: string): ConcordError {
  return new ConcordError(`Auth0 answered ${operation} with an unexpected body: ${issues}`, {
    code: 'internal',
    retryable: false,
  });
}
