/**
 * `BulkUpsertPort` over Bulk API 2.0 ingest jobs (reference §3), with our own HTTP for the CSVs: create an
 * upsert job, upload every row in one `PUT …/batches`, close it, poll until a final state, then read
 * `successfulResults` / `failedResults` (and `unprocessedrecords` of a failed or aborted job).
 *
 * Every job-control call is an API call: each goes through `guard` (the org's budget). Idempotent reads are
 * retried on transient errors; an upload is never retried into the same job (it would add the rows twice):
 * the job is aborted and the batch starts over in a new one.
 */
import type {
  BulkBatchHooks,
  BulkBatchResult,
  BulkRow,
  BulkRowFailure,
  BulkUpsertPort,
} from '../../core/backfill-ports.js';
import { ConcordError, toConcordError } from '../../core/errors.js';
import { readCsvRecords, writeBulkCsv } from './bulk-csv.js';
import { fromVendorCode } from './errors.js';
import type { RawRequestInit } from './index.js';

export interface BulkIngestOptions {
  /** The connector's `rawRequest`. */
  request(method: string, path: string, init?: RawRequestInit): Promise<Response>;
  /** Runs one API call inside the org's budget (acquire, observe usage, pause on REQUEST_LIMIT_EXCEEDED). */
  guard?: <T>(call: () => Promise<T>) => Promise<T>;
  /** First wait between status reads; grows ×1.5 up to `maxPollIntervalMs`. Default 200 ms / 5 s. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
  /** Attempts for a transient failure of one call or one whole batch. Default 4. */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
interface JobInfo {
  id: string;
  state: JobState;
  errorMessage?: string;
}
const FINAL: ReadonlySet<JobState> = new Set(['JobComplete', 'Failed', 'Aborted']);

/** `sf__Error` reads `CODE:message:fields --`; the code decides whether a retry can help. */
export function parseRowError(text: string): { code: string; retryable: boolean } {
  const code = /^([A-Z_]+):/.exec(text)?.[1] ?? 'UNKNOWN_EXCEPTION';
  return { code, retryable: fromVendorCode(code, text).retryable };
}

export function createBulkIngest(options: BulkIngestOptions): BulkUpsertPort {
  const guard = options.guard ?? (<T>(call: () => Promise<T>) => call());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = options.attempts ?? 4;
  const firstPoll = options.pollIntervalMs ?? 200;
  const maxPoll = options.maxPollIntervalMs ?? 5_000;

  const call = (method: string, path: string, init?: RawRequestInit) =>
    guard(() => options.request(method, path, init));

  async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await call(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    return (await response.json()) as T;
  }

  /** Idempotent calls: retried on transient errors, waiting what the error asks for. */
  async function retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await fn();
      } catch (error) {
        const e = toConcordError(error);
        if (!e.retryable || attempt >= attempts) throw e;
        await sleep(e.retryAfterMs ?? 500 * 2 ** attempt);
      }
    }
  }

  const jobPath = (id: string) => `/jobs/ingest/${encodeURIComponent(id)}`;
  const status = (id: string) => retrying(() => json<JobInfo>('GET', jobPath(id)));

  async function waitForFinal(id: string): Promise<JobInfo> {
    let wait = firstPoll;
    for (;;) {
      const info = await status(id);
      if (FINAL.has(info.state)) return info;
      await sleep(wait);
      wait = Math.min(maxPoll, Math.ceil(wait * 1.5));
    }
  }

  async function results(info: JobInfo, externalIdField: string): Promise<BulkBatchResult> {
    const out: BulkBatchResult = { jobId: info.id, created: 0, updated: 0, succeeded: [], failed: [] };
    const read = (which: string) =>
      retrying(async () => {
        const response = await call('GET', `${jobPath(info.id)}/${which}`, { accept: 'text/csv' });
        return response.body ?? new ReadableStream<Uint8Array>();
      });
    for await (const r of readCsvRecords(await read('successfulResults'))) {
      const created = r['sf__Created'] === 'true';
      out.succeeded.push({ externalId: r[externalIdField] ?? '', id: r['sf__Id'] ?? '', created });
      if (created) out.created += 1;
      else out.updated += 1;
    }
    for await (const r of readCsvRecords(await read('failedResults'))) {
      const error = r['sf__Error'] ?? '';
      out.failed.push({ externalId: r[externalIdField] ?? '', error, ...parseRowError(error) });
    }
    if (info.state !== 'JobComplete') {
      const error = `UNPROCESSED:job ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''}`;
      for await (const r of readCsvRecords(await read('unprocessedrecords'))) {
        const failure: BulkRowFailure = {
          externalId: r[externalIdField] ?? '',
          code: 'UNPROCESSED',
          error,
          retryable: true,
        };
        out.failed.push(failure);
      }
    }
    return out;
  }

  async function abort(id: string): Promise<void> {
    try {
      await call('PATCH', jobPath(id), { body: JSON.stringify({ state: 'Aborted' }) });
    } catch {
      // already closed or gone: nothing of it will be applied twice by us either way
    }
  }

  /** One attempt: job, one upload, close. Returns the job id once it is closed. */
  async function send(
    object: string,
    externalIdField: string,
    csv: string,
    hooks: BulkBatchHooks | undefined,
  ): Promise<string> {
    const job = await retrying(() =>
      json<JobInfo>('POST', '/jobs/ingest', {
        object,
        operation: 'upsert',
        externalIdFieldName: externalIdField,
        contentType: 'CSV',
        columnDelimiter: 'COMMA',
        lineEnding: 'LF',
      }),
    );
    await hooks?.jobCreated?.(job.id);
    try {
      await call('PUT', `${jobPath(job.id)}/batches`, { body: csv, contentType: 'text/csv' });
      await call('PATCH', jobPath(job.id), { body: JSON.stringify({ state: 'UploadComplete' }) });
    } catch (error) {
      // the close may have reached Salesforce even though we saw an error: only an open job is safe to drop
      const info = await status(job.id).catch(() => undefined);
      if (info && info.state !== 'Open' && info.state !== 'Aborted') return job.id;
      await abort(job.id);
      throw error;
    }
    return job.id;
  }

  return {
    async upsertBatch(object, externalIdField, rows: readonly BulkRow[], hooks) {
      const columns = [...new Set([externalIdField, ...rows.flatMap((r) => Object.keys(r))])];
      const csv = writeBulkCsv(columns, rows);
      for (let attempt = 1; ; attempt += 1) {
        try {
          const id = await send(object, externalIdField, csv, hooks);
          return await results(await waitForFinal(id), externalIdField);
        } catch (error) {
          const e = toConcordError(error);
          if (!e.retryable || attempt >= attempts) throw e;
          await sleep(e.retryAfterMs ?? 500 * 2 ** attempt);
        }
      }
    },

    async resumeBatch(jobId, externalIdField) {
      let info: JobInfo;
      try {
        info = await status(jobId);
      } catch (error) {
        if (error instanceof ConcordError && error.code === 'not_found') return undefined;
        throw error;
      }
      if (info.state === 'Open') {
        await abort(jobId);
        return undefined;
      }
      if (info.state === 'Aborted') return undefined;
      return results(await waitForFinal(jobId), externalIdField);
    },
  };
}
