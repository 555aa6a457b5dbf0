/**
 * Bulk API 2.0 over the emulated org: ingest jobs (`/jobs/ingest`: create, upload CSV, close or abort,
 * status, results CSVs, delete) and query jobs (`/jobs/query`: create, status, paged CSV results with
 * `Sforce-Locator` / `Sforce-NumberOfRecords`). Every job-control call counts as one REST request.
 */
import { notFound, sfError } from '../errors.js';
import { createRecord, deleteRecord, requireTable, updateRecord, upsertRecord } from '../records.js';
import { runQuery } from '../soql/evaluate.js';
import { parseSoql } from '../soql/parser.js';
import type { ApiCall, ApiRoute } from '../routes/types.js';
import type { ObjectSchema } from '../schema.js';
import { type ColumnDelimiter, DELIMITERS, parseCsv, writeCsv } from './csv.js';
import { type BulkJob, INGEST_OPERATIONS, jobInfo, type RowResult, rowError } from './jobs.js';
import { flattenRecord } from './flatten.js';

const CSV = 'text/csv';

function findJob(call: ApiCall, kind: BulkJob['kind']): BulkJob {
  const job = call.env.state.bulkJobs.get(call.params['jobId'] ?? '');
  if (!job || job.kind !== kind) throw notFound();
  return job;
}

function delimiterOf(job: BulkJob): string {
  return DELIMITERS[job.columnDelimiter as ColumnDelimiter] ?? ',';
}

function newJob(call: ApiCall, kind: BulkJob['kind'], fields: Partial<BulkJob>): BulkJob {
  const body = fields as { columnDelimiter?: string; lineEnding?: string };
  if (body.columnDelimiter && !(body.columnDelimiter in DELIMITERS)) {
    throw sfError(400, 'INVALIDJOB', `Invalid column delimiter: ${body.columnDelimiter}`);
  }
  const now = call.env.now();
  const job: BulkJob = {
    kind,
    id: call.env.state.ids.next('750'),
    object: '',
    operation: '',
    state: kind === 'ingest' ? 'Open' : 'UploadComplete',
    createdById: call.write.userId,
    createdAt: now,
    modifiedAt: now,
    apiVersion: Number(call.apiBase.split('/v')[1]),
    uploads: [],
    results: [],
    unprocessed: [],
    ...fields,
    columnDelimiter: body.columnDelimiter ?? 'COMMA',
    lineEnding: body.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
  };
  call.env.state.bulkJobs.set(job.id, job);
  return job;
}

function rowsOf(job: BulkJob): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const upload of job.uploads) {
    const [header, ...rows] = parseCsv(upload, delimiterOf(job));
    if (!header) continue;
    for (const row of rows) out.push(Object.fromEntries(header.map((h, i) => [h, row[i] ?? ''])));
  }
  return out;
}

/** Bulk semantics: an empty cell leaves the field alone, `#N/A` sets it to null. */
function fieldsOf(row: Record<string, string>, schema: ObjectSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === '') continue;
    const type = schema.byName.get(k.toLowerCase())?.type;
    out[k] = v === '#N/A' ? null : type === 'boolean' ? v.toLowerCase() === 'true' : v;
  }
  return out;
}

function processIngest(call: ApiCall, job: BulkJob): void {
  const { state } = call.env;
  const write = { ...call.write, now: call.env.now() };
  const schema = requireTable(state, job.object).schema;
  job.results = rowsOf(job).map((row): RowResult => {
    const fields = fieldsOf(row, schema);
    const id = typeof fields['Id'] === 'string' ? fields['Id'] : '';
    try {
      switch (job.operation) {
        case 'insert':
          return { row, ...createRecord(state, job.object, fields, write) };
        case 'update': {
          const { Id: _id, ...rest } = fields;
          return { row, ...updateRecord(state, job.object, id, rest, write) };
        }
        case 'upsert': {
          const key = job.externalIdFieldName ?? 'Id';
          const value = fields[key];
          if (typeof value !== 'string')
            throw sfError(400, 'MISSING_ARGUMENT', `${key} not specified`, [key]);
          const { Id: _id, ...rest } = fields;
          return { row, ...upsertRecord(state, job.object, key, value, rest, write, call.apiBase) };
        }
        default:
          return { row, ...deleteRecord(state, job.object, id, write) };
      }
    } catch (error) {
      return { row, id, error: rowError(error) };
    }
  });
}

/** One status read moves a closed job one step: UploadComplete → InProgress → JobComplete. */
function advance(call: ApiCall, job: BulkJob): void {
  if (job.state === 'UploadComplete') job.state = 'InProgress';
  else if (job.state === 'InProgress') {
    if (job.kind === 'ingest') processIngest(call, job);
    else runQueryJob(call, job);
    job.state = 'JobComplete';
  } else return;
  job.modifiedAt = call.env.now();
}

function runQueryJob(call: ApiCall, job: BulkJob): void {
  const parsed = parseSoql(job.query!);
  const result = runQuery(parsed, {
    state: call.env.state,
    includeDeleted: job.operation === 'queryAll',
    apiBase: call.apiBase,
  });
  job.columns = parsed.select.flatMap((s) => (s.kind === 'field' ? [s.path.join('.')] : []));
  job.rows = result.records.map((r) => {
    const flat = flattenRecord(r);
    return job.columns!.map((c) => flat.get(c.toLowerCase()) ?? null);
  });
}

function resultCsv(
  job: BulkJob,
  which: 'successfulResults' | 'failedResults' | 'unprocessedrecords',
): string {
  const d = delimiterOf(job);
  const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
  const columns = Object.keys(job.results[0]?.row ?? rowsOf(job)[0] ?? {});
  if (which === 'unprocessedrecords') {
    return writeCsv(
      columns,
      job.unprocessed.map((r) => columns.map((c) => r[c])),
      d,
      eol,
    );
  }
  if (which === 'successfulResults') {
    const ok = job.results.filter((r) => !r.error);
    const rows = ok.map((r) => [r.id, r.created ? 'true' : 'false', ...columns.map((c) => r.row[c])]);
    return writeCsv(['sf__Id', 'sf__Created', ...columns], rows, d, eol);
  }
  const failed = job.results.filter((r) => r.error);
  const rows = failed.map((r) => [r.id, r.error, ...columns.map((c) => r.row[c])]);
  return writeCsv(['sf__Id', 'sf__Error', ...columns], rows, d, eol);
}

const ingestResults = (which: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): ApiRoute => ({
  method: 'GET',
  path: `/jobs/ingest/:jobId/${which}`,
  kind: 'bulk2.ingest.results',
  api: 'bulkapi',
  handle: (call) => ({
    status: 200,
    raw: { text: resultCsv(findJob(call, 'ingest'), which), contentType: CSV },
  }),
});

export const bulkRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/jobs/ingest',
    kind: 'bulk2.ingest.create',
    api: 'bulkapi',
    handle: async (call) => {
      const body = ((await call.json()) ?? {}) as Record<string, string | undefined>;
      const operation = body['operation'] ?? '';
      if (!(INGEST_OPERATIONS as readonly string[]).includes(operation)) {
        throw sfError(400, 'INVALIDJOB', `Invalid operation: ${operation}`);
      }
      const object = requireTable(call.env.state, body['object'] ?? '').schema.name;
      if (operation === 'upsert' && !body['externalIdFieldName']) {
        throw sfError(400, 'INVALIDJOB', 'External ID field is required for upsert');
      }
      const job = newJob(call, 'ingest', {
        object,
        operation,
        ...(body['externalIdFieldName'] ? { externalIdFieldName: body['externalIdFieldName'] } : {}),
        ...(body['columnDelimiter'] ? { columnDelimiter: body['columnDelimiter'] } : {}),
        ...(body['lineEnding'] ? { lineEnding: body['lineEnding'] as 'LF' } : {}),
      });
      return { status: 200, body: jobInfo(job, call.apiBase) };
    },
  },
  {
    method: 'PUT',
    path: '/jobs/ingest/:jobId/batches',
    kind: 'bulk2.ingest.upload',
    api: 'bulkapi',
    handle: async (call) => {
      const job = findJob(call, 'ingest');
      if (job.state !== 'Open') {
        throw sfError(409, 'INVALIDJOBSTATE', `Job ${job.id} is not open for uploads: ${job.state}`);
      }
      job.uploads.push(await call.text());
      return { status: 201 };
    },
  },
  {
    method: 'PATCH',
    path: '/jobs/ingest/:jobId',
    kind: 'bulk2.ingest.state',
    api: 'bulkapi',
    handle: async (call) => {
      const job = findJob(call, 'ingest');
      const { state } = ((await call.json()) ?? {}) as { state?: string };
      if (state === 'UploadComplete' && job.state === 'Open') job.state = 'UploadComplete';
      else if (state === 'Aborted' && !['JobComplete', 'Failed', 'Aborted'].includes(job.state)) {
        job.state = 'Aborted';
        job.unprocessed = rowsOf(job);
      } else throw sfError(400, 'INVALIDJOBSTATE', `Cannot change job state from ${job.state} to ${state}`);
      job.modifiedAt = call.env.now();
      return { status: 200, body: jobInfo(job, call.apiBase) };
    },
  },
  {
    method: 'GET',
    path: '/jobs/ingest',
    kind: 'bulk2.ingest.list',
    api: 'bulkapi',
    handle: (call) => {
      const jobs = [...call.env.state.bulkJobs.values()].filter((j) => j.kind === 'ingest');
      return {
        status: 200,
        body: { done: true, nextRecordsUrl: null, records: jobs.map((j) => jobInfo(j, call.apiBase)) },
      };
    },
  },
  {
    method: 'GET',
    path: '/jobs/ingest/:jobId',
    kind: 'bulk2.ingest.status',
    api: 'bulkapi',
    handle: (call) => {
      const job = findJob(call, 'ingest');
      advance(call, job);
      return { status: 200, body: jobInfo(job, call.apiBase) };
    },
  },
  ingestResults('successfulResults'),
  ingestResults('failedResults'),
  ingestResults('unprocessedrecords'),
  {
    method: 'DELETE',
    path: '/jobs/ingest/:jobId',
    kind: 'bulk2.ingest.delete',
    api: 'bulkapi',
    handle: (call) => {
      call.env.state.bulkJobs.delete(findJob(call, 'ingest').id);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    path: '/jobs/query',
    kind: 'bulk2.query.create',
    api: 'bulkapi',
    handle: async (call) => {
      const body = ((await call.json()) ?? {}) as Record<string, string | undefined>;
      const operation = body['operation'] ?? 'query';
      if (operation !== 'query' && operation !== 'queryAll') {
        throw sfError(400, 'INVALIDJOB', `Invalid operation: ${operation}`);
      }
      const parsed = parseSoql(body['query'] ?? '');
      if (parsed.select.some((s) => s.kind === 'subquery')) {
        throw sfError(400, 'INVALIDJOB', 'Bulk API does not support nested queries (child relationships)');
      }
      // Validate fields and the object now, as Salesforce does at job creation.
      runQuery(
        { ...parsed, limit: 0 },
        { state: call.env.state, includeDeleted: false, apiBase: call.apiBase },
      );
      const job = newJob(call, 'query', {
        object: requireTable(call.env.state, parsed.from).schema.name,
        operation,
        query: body['query']!,
        ...(body['columnDelimiter'] ? { columnDelimiter: body['columnDelimiter'] } : {}),
        ...(body['lineEnding'] ? { lineEnding: body['lineEnding'] as 'LF' } : {}),
      });
      return { status: 200, body: jobInfo(job, call.apiBase) };
    },
  },
  {
    method: 'GET',
    path: '/jobs/query/:jobId',
    kind: 'bulk2.query.status',
    api: 'bulkapi',
    handle: (call) => {
      const job = findJob(call, 'query');
      advance(call, job);
      return { status: 200, body: jobInfo(job, call.apiBase) };
    },
  },
  {
    method: 'GET',
    path: '/jobs/query/:jobId/results',
    kind: 'bulk2.query.results',
    api: 'bulkapi',
    handle: (call) => {
      const job = findJob(call, 'query');
      if (job.state !== 'JobComplete') {
        throw sfError(400, 'INVALIDJOBSTATE', `Job ${job.id} is not complete: ${job.state}`);
      }
      const locator = call.query.get('locator');
      const start = locator ? Number(Buffer.from(locator, 'base64url').toString('utf8')) : 0;
      if (!Number.isInteger(start) || start < 0) throw sfError(400, 'INVALID_LOCATOR', 'Invalid locator');
      const max = Number(call.query.get('maxRecords') ?? call.env.queryBatchSize);
      const rows = job.rows!.slice(start, start + max);
      const next = start + rows.length;
      const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
      return {
        status: 200,
        headers: {
          'Sforce-Locator':
            next < job.rows!.length ? Buffer.from(String(next)).toString('base64url') : 'null',
          'Sforce-NumberOfRecords': String(rows.length),
        },
        raw: { text: writeCsv(job.columns!, rows, delimiterOf(job), eol), contentType: CSV },
      };
    },
  },
  {
    method: 'DELETE',
    path: '/jobs/query/:jobId',
    kind: 'bulk2.query.delete',
    api: 'bulkapi',
    handle: (call) => {
      call.env.state.bulkJobs.delete(findJob(call, 'query').id);
      return { status: 204 };
    },
  },
];
