/**
 * The two small ports a backfill runs over: every existing Auth0 user of a tenant, and Salesforce upserts in
 * bulk. Vendor code (users-export jobs, Bulk API 2.0) lives behind them in `src/connectors/<vendor>/`.
 */
import type { Auth0User } from './ports.js';

/** One ordered listing of a tenant's users. */
export interface UserListing {
  /**
   * Names this listing (an export job, or the paged listing). The same snapshot yields the same users in the
   * same order, so a resumed run can skip the users a previous run finished by position alone.
   */
  snapshot: string;
  users: AsyncIterable<Auth0User>;
}

export interface UserSource {
  /**
   * Opens a listing. With `resume` (a snapshot an earlier run used) the source reopens that snapshot when it
   * still can; otherwise it starts a new one, and the returned `snapshot` differs.
   */
  open(resume?: string): Promise<UserListing>;
}

/** A row to upsert: Salesforce field → value, the external-id field included. */
export type BulkRow = Readonly<Record<string, string>>;

export interface BulkRowSuccess {
  externalId: string;
  id: string;
  created: boolean;
}

export interface BulkRowFailure {
  externalId: string;
  /** Salesforce's status code (`CANNOT_UPDATE_CONVERTED_LEAD`), or `UNPROCESSED` for rows a job never ran. */
  code: string;
  /** Salesforce's `sf__Error` text. */
  error: string;
  /** Sending the row again may succeed (row lock, unavailable, unprocessed). */
  retryable: boolean;
}

export interface BulkBatchResult {
  jobId: string;
  created: number;
  updated: number;
  succeeded: BulkRowSuccess[];
  failed: BulkRowFailure[];
}

export interface BulkBatchHooks {
  /** Called once the job exists and before any row is sent: persist it, so a crash can resume the job. */
  jobCreated?(jobId: string): Promise<void>;
}

export interface BulkUpsertPort {
  /** Upserts rows on the external-id field as one job and waits for its results. */
  upsertBatch(
    object: string,
    externalIdField: string,
    rows: readonly BulkRow[],
    hooks?: BulkBatchHooks,
  ): Promise<BulkBatchResult>;
  /**
   * Finishes a job an interrupted run created: when its upload was closed, waits for it and reads its results;
   * when it was still open (the upload may be incomplete) aborts it and answers `undefined` (send again).
   */
  resumeBatch(jobId: string, externalIdField: string): Promise<BulkBatchResult | undefined>;
}
