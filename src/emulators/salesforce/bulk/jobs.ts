/**
 * Bulk API 2.0 jobs: their info as the API shows it, the state machine (Open → UploadComplete → InProgress →
 * JobComplete, or Aborted / Failed) and the processing of ingest rows into per-row results. Jobs advance one
 * state per status read, so clients see the progression without the emulator running timers.
 */
import { SfApiError } from '../errors.js';
import { formatDatetime } from '../records.js';

export const INGEST_OPERATIONS = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;
export type IngestOperation = (typeof INGEST_OPERATIONS)[number];
export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Aborted' | 'Failed';

export interface RowResult {
  row: Record<string, string>;
  id: string;
  created?: boolean;
  error?: string;
}

export interface BulkJob {
  kind: 'ingest' | 'query';
  id: string;
  object: string;
  operation: string;
  state: JobState;
  createdById: string;
  createdAt: number;
  modifiedAt: number;
  externalIdFieldName?: string;
  columnDelimiter: string;
  lineEnding: 'LF' | 'CRLF';
  apiVersion: number;
  /** Ingest: uploaded CSV chunks; query: the SOQL. */
  uploads: string[];
  query?: string;
  results: RowResult[];
  unprocessed: Record<string, string>[];
  /** Query jobs: flattened result rows and columns. */
  columns?: string[];
  rows?: unknown[][];
  errorMessage?: string;
}

export function jobInfo(job: BulkJob, apiBase: string) {
  const failed = job.results.filter((r) => r.error).length;
  const base = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatDatetime(job.createdAt),
    systemModstamp: formatDatetime(job.modifiedAt),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
  if (job.kind === 'query') {
    return {
      ...base,
      jobType: 'V2Query',
      numberRecordsProcessed: job.state === 'JobComplete' ? (job.rows?.length ?? 0) : 0,
      retries: 0,
      totalProcessingTime: 0,
    };
  }
  return {
    ...base,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    jobType: 'V2Ingest',
    contentUrl: `${apiBase.slice(1)}/jobs/ingest/${job.id}/batches`,
    numberRecordsProcessed: job.results.length,
    numberRecordsFailed: failed,
    retries: 0,
    totalProcessingTime: 0,
    apiActiveProcessingTime: 0,
    apexProcessingTime: 0,
    ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
  };
}

/** `STATUS_CODE:message:fields --`, the way Bulk API result files report a row's error. */
export function rowError(error: unknown): string {
  if (error instanceof SfApiError)
    return `${error.errorCode}:${error.message}:${(error.fields ?? []).join(',')} --`;
  return `UNKNOWN_EXCEPTION:${String(error)}: --`;
}
