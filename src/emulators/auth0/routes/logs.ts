import { notFound } from '../api-error.js';
import { compileQuery } from '../lucene-query.js';
import type { EmulatorState } from '../state.js';
import type { LogRecord } from '../types.js';
import { getUserOrThrow } from '../users.js';
import { type ApiResult, type ApiRoute, MAX_PER_PAGE, paginate } from './route.js';

/** Index of the first record whose id sorts after `from` (ids are monotonic, so the array is sorted). */
function indexAfter(state: EmulatorState, from: string): number {
  const exact = state.logIndex.get(from);
  if (exact !== undefined) return exact + 1;
  let lo = 0;
  let hi = state.logs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (state.logs[mid]!.log_id <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Checkpoint mode: records after `from`, oldest first, at most `take` (≤ 100), a bare array and a
 * `Link: <...>; rel="next"` carrying the last id; past the end, `[]` with the same `from`.
 * Every other parameter is ignored, as Auth0 documents.
 */
function checkpoint(state: EmulatorState, query: Record<string, string>, origin: string): ApiResult {
  const take = Math.min(Math.max(Number(query.take) || 50, 1), MAX_PER_PAGE);
  const from = query.from ?? '';
  const start = from ? indexAfter(state, from) : 0;
  const records = state.logs.slice(start, start + take);
  const next = records.at(-1)?.log_id ?? from;
  const link = `<${origin}/api/v2/logs?from=${next}&take=${take}>; rel="next"`;
  return { body: records, headers: { link } };
}

/** Search mode: `q` (or the SDK's `search`), `page`/`per_page`, newest first unless `sort=date:1`. */
function search(records: readonly LogRecord[], query: Record<string, string>): ApiResult {
  const matches = compileQuery(query.q ?? query.search);
  const found = records.filter(matches);
  if (query.sort !== 'date:1') found.reverse();
  return paginate(found, query, 'logs');
}

export const logRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/logs',
    scopes: ['read:logs'],
    handle: ({ state, query, origin }) =>
      query.from !== undefined || query.take !== undefined
        ? checkpoint(state, query, origin)
        : search(state.logs, query),
  },
  {
    method: 'GET',
    path: '/logs/:id',
    scopes: ['read:logs'],
    handle: ({ state, params }) => {
      const index = state.logIndex.get(params.id!);
      if (index === undefined) throw notFound('log not found', 'inexistent_log');
      return { body: state.logs[index] };
    },
  },
  {
    method: 'GET',
    path: '/users/:id/logs',
    scopes: ['read:logs', 'read:logs_users'],
    handle: ({ state, params, query }) => {
      getUserOrThrow(state, params.id!);
      return search(
        state.logs.filter((r) => r.user_id === params.id),
        query,
      );
    },
  },
];
