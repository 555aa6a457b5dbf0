/**
 * The backfill loop: read every user from a `UserSource` in order, turn each into a row, and upsert the rows
 * in chunks through a `BulkUpsertPort`, one job per chunk. Only one chunk is in memory at a time.
 *
 * Resuming: after each chunk the checkpoint records how many users of the listing are finished, together
 * with that chunk's identity links (one transaction). A job is recorded as in flight when it is created, so
 * a re-run reads its results instead of sending its rows again. Failed rows that may succeed on a second try
 * (row locks, unavailable, unprocessed) are sent once more in a retry job; the rest are reported.
 */
import type {
  BulkBatchResult,
  BulkRow,
  BulkRowFailure,
  BulkRowSuccess,
  BulkUpsertPort,
  UserSource,
} from '../../core/backfill-ports.js';
import type { Auth0User } from '../../core/ports.js';
import { type BackfillCheckpoint, type BackfillTotals, emptyTotals } from './checkpoint.js';

export interface BackfillStatePort {
  load(): Promise<BackfillCheckpoint | undefined>;
  save(checkpoint: BackfillCheckpoint): Promise<void>;
  /** Records the written rows' identity links and the checkpoint after them, atomically. */
  commit(links: readonly BulkRowSuccess[], checkpoint: BackfillCheckpoint): Promise<void>;
  /** Of these users, the ones the run `runId` already wrote. */
  written(runId: string, userIds: readonly string[]): Promise<Set<string>>;
}

export interface BackfillOptions {
  object: string;
  externalIdField: string;
  /** The Salesforce row for a user, the external-id field included. */
  toRow(user: Auth0User): Promise<BulkRow>;
  source: UserSource;
  bulk: BulkUpsertPort;
  state: BackfillStatePort;
  /** Users per Bulk job. */
  chunkSize: number;
  /** Forget an unfinished run and start over. */
  restart?: boolean;
  now: () => number;
  newRunId: () => string;
  onProgress?(totals: Readonly<BackfillTotals>): void;
  /** A row that failed for good (after its retry, if it had one). */
  onFailure?(failure: BulkRowFailure): void;
  onNotice?(message: string): void;
}

export interface BackfillSummary {
  runId: string;
  /** True when this run continued an interrupted one. */
  resumed: boolean;
  totals: BackfillTotals;
  /** The first failures, for the summary (all of them went to `onFailure`). */
  failures: BulkRowFailure[];
}

const KEPT_FAILURES = 100;
/** Users read between progress reports while a chunk fills. */
const PROGRESS_EVERY = 500;

interface Entry {
  userId: string;
  row: BulkRow;
}

export async function runBackfill(options: BackfillOptions): Promise<BackfillSummary> {
  const { object, externalIdField, bulk, state } = options;
  const stored = options.restart ? undefined : await state.load();
  const resumed = stored?.status === 'running';
  let cp: BackfillCheckpoint = resumed
    ? stored
    : {
        version: 1,
        runId: options.newRunId(),
        status: 'running',
        position: 0,
        totals: emptyTotals(),
        startedAt: options.now(),
      };
  const failures: BulkRowFailure[] = [];
  const report = (failure: BulkRowFailure) => {
    if (failures.length < KEPT_FAILURES) failures.push(failure);
    options.onFailure?.(failure);
  };

  const listing = await options.source.open(cp.snapshot);
  const sameListing = resumed && cp.snapshot === listing.snapshot;
  let resumeJob = sameListing ? cp.inFlight : undefined;
  if (resumed && !sameListing && cp.snapshot !== undefined) {
    options.onNotice?.(
      'the user listing of the interrupted run is gone; users it already wrote are skipped by their links',
    );
    if (cp.inFlight) await finishOrphanJob(cp.inFlight);
    cp = { ...cp, position: 0, inFlight: undefined, skipWritten: true };
  }
  cp = { ...cp, snapshot: listing.snapshot };
  await state.save(cp);
  options.onProgress?.(cp.totals);

  /** A job of a listing we can no longer read: take its results (no retry, its rows are unknown now). */
  async function finishOrphanJob(inFlight: NonNullable<BackfillCheckpoint['inFlight']>) {
    const results: BulkBatchResult[] = [];
    for (const jobId of [inFlight.jobId, inFlight.retryJobId]) {
      const result = jobId ? await bulk.resumeBatch(jobId, externalIdField) : undefined;
      if (result) results.push(result);
    }
    const totals = { ...cp.totals };
    for (const r of results) {
      totals.created += r.created;
      totals.updated += r.updated;
    }
    cp = { ...cp, totals, inFlight: undefined };
    await state.commit(
      results.flatMap((r) => r.succeeded),
      cp,
    );
  }

  const remember = (inFlight: BackfillCheckpoint['inFlight']) => {
    cp = { ...cp, inFlight };
    return state.save(cp);
  };

  async function flush(chunk: Entry[], endPosition: number) {
    let entries = chunk;
    const totals = { ...cp.totals };
    totals.read += chunk.length;
    if (cp.skipWritten) {
      const done = await state.written(
        cp.runId,
        chunk.map((e) => e.userId),
      );
      entries = chunk.filter((e) => !done.has(e.userId));
      totals.skipped += done.size;
    }
    const rows = new Map(entries.map((e) => [e.userId, e.row]));
    const inFlight = resumeJob;
    resumeJob = undefined;

    let first: BulkBatchResult | undefined;
    if (inFlight) first = await bulk.resumeBatch(inFlight.jobId, externalIdField);
    if (!first && entries.length > 0) {
      first = await bulk.upsertBatch(object, externalIdField, [...rows.values()], {
        jobCreated: (jobId) => remember({ jobId, count: chunk.length }),
      });
    }
    const results = first ? [first] : [];
    const failed = (first?.failed ?? []).filter((f) => !(f.retryable && rows.has(f.externalId)));
    const again = (first?.failed ?? []).filter((f) => f.retryable && rows.has(f.externalId));
    if (first && again.length > 0) {
      let retry = inFlight?.retryJobId
        ? await bulk.resumeBatch(inFlight.retryJobId, externalIdField)
        : undefined;
      retry ??= await bulk.upsertBatch(
        object,
        externalIdField,
        again.map((f) => rows.get(f.externalId)!),
        { jobCreated: (retryJobId) => remember({ jobId: first.jobId, count: chunk.length, retryJobId }) },
      );
      totals.retried += again.length;
      failed.push(...retry.failed);
      results.push(retry);
    }
    const succeeded = results.flatMap((r) => r.succeeded);
    const answered = new Set([...succeeded, ...failed].map((r) => r.externalId));
    for (const userId of rows.keys()) {
      if (!answered.has(userId)) {
        failed.push({
          externalId: userId,
          code: 'MISSING_RESULT',
          error: 'MISSING_RESULT:the job reported no result for this row',
          retryable: false,
        });
      }
    }
    totals.uploaded += results.reduce((n, r) => n + r.succeeded.length + r.failed.length, 0);
    totals.created += results.reduce((n, r) => n + r.created, 0);
    totals.updated += results.reduce((n, r) => n + r.updated, 0);
    totals.failed += failed.length;
    cp = { ...cp, position: endPosition, inFlight: undefined, totals };
    await state.commit(succeeded, cp);
    for (const f of failed) report(f);
    options.onProgress?.(cp.totals);
  }

  const skip = sameListing ? cp.position : 0;
  let position = 0;
  let chunk: Entry[] = [];
  let target = resumeJob?.count ?? options.chunkSize;
  for await (const user of listing.users) {
    position += 1;
    if (position <= skip) continue;
    chunk.push({ userId: user.user_id, row: await options.toRow(user) });
    if (chunk.length % PROGRESS_EVERY === 0)
      options.onProgress?.({ ...cp.totals, read: cp.totals.read + chunk.length });
    if (chunk.length >= target) {
      await flush(chunk, position);
      chunk = [];
      target = options.chunkSize;
    }
  }
  if (chunk.length > 0 || resumeJob) await flush(chunk, position);

  cp = { ...cp, status: 'done', inFlight: undefined };
  await state.save(cp);
  return { runId: cp.runId, resumed, totals: cp.totals, failures };
}
