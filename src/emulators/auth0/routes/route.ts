import { badRequest } from '../api-error.js';
import type { EmulatorState } from '../state.js';
import type { AccessTokenClaims } from '../tokens.js';

/** What a Management API handler sees: decoded path params, query, parsed JSON body and the caller. */
export interface ApiRequest {
  state: EmulatorState;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  auth: AccessTokenClaims;
  /** The origin the caller used (for `Link` headers), e.g. `http://127.0.0.1:4011`. */
  origin: string;
}

export interface ApiResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One Management API endpoint, declared as data; `app.ts` wires auth, scopes, limits and `sapi` around it. */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Hono path under `/api/v2`, e.g. `/users/:id`. */
  path: string;
  /** The caller needs any one of these. */
  scopes: readonly string[];
  /** Writes name the `sapi` description they log. */
  audit?: string;
  handle(request: ApiRequest): ApiResult | Promise<ApiResult>;
}

export const MAX_PER_PAGE = 100;
/** Auth0 stops offset paging at 1,000 results. */
export const MAX_PAGED_RESULTS = 1000;

function intParam(query: Record<string, string>, name: string, fallback: number): number {
  const raw = query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw badRequest(
      `Query validation error: '${name}' must be a non-negative integer.`,
      'invalid_query_string',
    );
  return value;
}

/** `page`/`per_page`/`include_totals` as Auth0 reads them: an array, or `{start, limit, length, total, <key>}`. */
export function paginate<T>(
  items: readonly T[],
  query: Record<string, string>,
  key: string,
  defaultPerPage = 50,
) {
  const page = intParam(query, 'page', 0);
  const perPage = intParam(query, 'per_page', defaultPerPage);
  if (perPage > MAX_PER_PAGE)
    throw badRequest(
      `Query validation error: 'per_page' must be at most ${MAX_PER_PAGE}.`,
      'invalid_query_string',
    );
  const start = page * perPage;
  if (start + perPage > MAX_PAGED_RESULTS && perPage > 0)
    throw badRequest(
      'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation',
      'invalid_paging',
    );
  const slice = items.slice(start, start + perPage);
  if (query.include_totals !== 'true') return { body: slice };
  return {
    body: {
      start,
      limit: perPage,
      length: slice.length,
      total: Math.min(items.length, MAX_PAGED_RESULTS),
      [key]: slice,
    },
  };
}

export function requireObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('Payload validation error: expected a JSON object.');
  return body as Record<string, unknown>;
}

export function requireRoleIds(body: unknown): string[] {
  const roles = requireObject(body).roles;
  if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === 'string'))
    throw badRequest("Payload validation error: 'Missing required property: roles'.");
  return roles;
}
