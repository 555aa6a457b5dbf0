/** `/query` and `/queryAll` with `nextRecordsUrl` paging through server-side cursors. */
import { randomBytes } from 'node:crypto';
import { malformedQuery, sfError } from '../errors.js';
import { runQuery } from '../soql/evaluate.js';
import { parseSoql } from '../soql/parser.js';
import type { ApiCall, ApiRoute } from './types.js';

function batchSize(call: ApiCall): number {
  const header = /batchSize=(\d+)/i.exec(call.headers.get('sforce-query-options') ?? '');
  const requested = header ? Math.min(Math.max(Number(header[1]), 200), 2000) : 2000;
  return Math.min(requested, call.env.queryBatchSize);
}

function page(
  call: ApiCall,
  resource: string,
  cursorId: string,
  records: unknown[],
  offset: number,
  totalSize: number,
) {
  const size = batchSize(call);
  const slice = records.slice(offset, offset + size);
  const next = offset + size;
  if (next >= records.length) {
    call.env.state.cursors.delete(cursorId);
    return { status: 200, body: { totalSize, done: true, records: slice } };
  }
  return {
    status: 200,
    body: {
      totalSize,
      done: false,
      nextRecordsUrl: `${call.apiBase}/${resource}/${cursorId}-${next}`,
      records: slice,
    },
  };
}

function start(call: ApiCall, includeDeleted: boolean) {
  const q = call.query.get('q');
  if (!q) throw malformedQuery('A query string (q) is required');
  const result = runQuery(parseSoql(q), { state: call.env.state, includeDeleted, apiBase: call.apiBase });
  if (result.records.length <= batchSize(call)) {
    return { status: 200, body: { totalSize: result.totalSize, done: true, records: result.records } };
  }
  const cursorId = `01g${randomBytes(8).toString('hex').slice(0, 12)}AAA`;
  call.env.state.cursors.set(cursorId, { records: result.records, pageSize: 0 });
  return page(call, includeDeleted ? 'queryAll' : 'query', cursorId, result.records, 0, result.totalSize);
}

function more(call: ApiCall, resource: string) {
  const match = /^(01g[A-Za-z0-9]+)-(\d+)$/.exec(call.params['locator'] ?? '');
  const cursor = match ? call.env.state.cursors.get(match[1]!) : undefined;
  if (!match || !cursor) throw sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  return page(call, resource, match[1]!, cursor.records, Number(match[2]), cursor.records.length);
}

export const queryRoutes: ApiRoute[] = [
  { method: 'GET', path: '/query', kind: 'query', handle: (call) => start(call, false) },
  { method: 'GET', path: '/queryAll', kind: 'queryAll', handle: (call) => start(call, true) },
  { method: 'GET', path: '/query/:locator', kind: 'query.more', handle: (call) => more(call, 'query') },
  { method: 'GET', path: '/queryAll/:locator', kind: 'query.more', handle: (call) => more(call, 'queryAll') },
];
