import type SQLite from 'better-sqlite3';
import { type Kysely, type RawBuilder, type Selectable, type Transaction, sql } from 'kysely';
import { type Db, directStatements } from './database.js';
import type { Database, JobState, JobsTable, Outcome } from './schema.js';

export interface NewJob {
  inboxId: number;
  pipeline: string;
  eventIndex: number;
  subject: string;
  event: string;
  /** Set for events decided at routing time (e.g. filtered: no pipeline wants them). */
  outcome?: { outcome: Outcome; reason: string };
}

export interface JobRow {
  id: number;
  inboxId: number;
  pipeline: string;
  eventIndex: number;
  subject: string;
  event: string;
  state: JobState;
  attempts: number;
  runAfter: number;
  outcome: Outcome | null;
  reason: string | null;
  lastError: string | null;
  resolution: string | null;
  createdAt: number;
  updatedAt: number;
}

type Executor = Kysely<Database> | Transaction<Database>;

/** A job row and its event (`job_events`; '{}' if it has none). */
function toJob(r: Selectable<JobsTable>, event: string | null | undefined): JobRow {
  return {
    id: Number(r.id),
    inboxId: Number(r.inbox_id),
    pipeline: r.pipeline,
    eventIndex: Number(r.event_index),
    subject: r.subject,
    event: event ?? '{}',
    state: r.state,
    attempts: Number(r.attempts),
    runAfter: Number(r.run_after),
    outcome: r.outcome,
    reason: r.reason,
    lastError: r.last_error,
    resolution: r.resolution,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Job rows with their events, in one read of `job_events`. */
async function withEvents(db: Executor, rows: Selectable<JobsTable>[]): Promise<JobRow[]> {
  if (rows.length === 0) return [];
  const events = await db
    .selectFrom('job_events')
    .select(['inbox_id', 'event_index', 'event'])
    .where((eb) =>
      eb(
        eb.refTuple('inbox_id', 'event_index'),
        'in',
        rows.map((r) => eb.tuple(Number(r.inbox_id), Number(r.event_index))),
      ),
    )
    .execute();
  const byKey = new Map(events.map((e) => [`${e.inbox_id}:${e.event_index}`, e.event]));
  return rows.map((r) => toJob(r, byKey.get(`${r.inbox_id}:${r.event_index}`)));
}

/** The events of routed rows' jobs, one per (inbox row, event index). */
function eventsOf(routed: Routed) {
  const events = new Map<string, { inbox_id: number; event_index: number; event: string }>();
  for (const r of routed) {
    for (const j of r.jobs) {
      const key = `${j.inboxId}:${j.eventIndex}`;
      if (!events.has(key))
        events.set(key, { inbox_id: j.inboxId, event_index: j.eventIndex, event: j.event });
    }
  }
  return [...events.values()];
}

export type Routed = readonly { inboxId: number; jobs: NewJob[] }[];

/** Creates the jobs for routed inbox rows and marks the rows routed, atomically. Idempotent. */
export async function routeInbox(db: Db, routed: Routed, now: number) {
  // On SQLite, prepared statements run synchronously in one transaction: building and compiling a large
  // multi-row INSERT with Kysely cost more CPU than the writes themselves. Holding Kysely's one connection
  // keeps any Kysely transaction from being open around ours (see `commitInboxGroup`).
  const sqlite = db.sqlite;
  if (sqlite && !db.kysely.isTransaction) {
    await db.kysely.connection().execute(async () => routeOnSqlite(sqlite, routed, now));
    return;
  }
  await db.kysely.transaction().execute(async (trx) => {
    const values = routed.flatMap((r) =>
      r.jobs.map((j) => ({
        inbox_id: j.inboxId,
        pipeline: j.pipeline,
        event_index: j.eventIndex,
        subject: j.subject,
        state: (j.outcome ? 'done' : 'queued') as JobState,
        attempts: 0,
        run_after: now,
        lease_until: null,
        outcome: j.outcome?.outcome ?? null,
        reason: j.outcome?.reason ?? null,
        last_error: null,
        resolution: null,
        created_at: now,
        updated_at: now,
      })),
    );
    const events = eventsOf(routed);
    for (let i = 0; i < events.length; i += 200) {
      await trx
        .insertInto('job_events')
        .values(events.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['inbox_id', 'event_index']).doNothing())
        .execute();
    }
    for (let i = 0; i < values.length; i += 200) {
      await trx
        .insertInto('jobs')
        .values(values.slice(i, i + 200))
        .onConflict((oc) => oc.columns(['inbox_id', 'pipeline', 'event_index']).doNothing())
        .execute();
    }
    const ids = routed.map((r) => r.inboxId);
    for (let i = 0; i < ids.length; i += 500) {
      await trx
        .updateTable('inbox')
        .set({ routed_at: now })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
  });
}

const routeStatements = new WeakMap<SQLite.Database, (routed: Routed, now: number) => void>();

/**
 * Writes routed rows' jobs and marks the rows routed, in the caller's transaction (SQLite, synchronous): the
 * router's batches, and rows routed in the commit that stores them (`commitInboxGroup`). A job already created
 * for (inbox row, pipeline, event) stays.
 */
export function writeRoutedOnSqlite(sqlite: SQLite.Database, routed: Routed, now: number) {
  let write = routeStatements.get(sqlite);
  if (!write) {
    const insertEvent = sqlite.prepare(
      `INSERT INTO job_events (inbox_id, event_index, event) VALUES (?, ?, ?)
       ON CONFLICT (inbox_id, event_index) DO NOTHING`,
    );
    const insertJob = sqlite.prepare(
      `INSERT INTO jobs (inbox_id, pipeline, event_index, subject, state, attempts, run_after,
         lease_until, outcome, reason, last_error, resolution, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 0, ?, NULL, ?, ?, NULL, NULL, ?, ?)
       ON CONFLICT (inbox_id, pipeline, event_index) DO NOTHING`,
    );
    const markRouted = sqlite.prepare('UPDATE inbox SET routed_at = ? WHERE id = ?');
    write = (rows: Routed, at: number) => {
      for (const e of eventsOf(rows)) insertEvent.run(e.inbox_id, e.event_index, e.event);
      for (const r of rows) {
        for (const j of r.jobs) {
          insertJob.run(
            j.inboxId,
            j.pipeline,
            j.eventIndex,
            j.subject,
            j.outcome ? 'done' : 'queued',
            at,
            j.outcome?.outcome ?? null,
            j.outcome?.reason ?? null,
            at,
            at,
          );
        }
      }
      for (const r of rows) markRouted.run(at, r.inboxId);
    };
    routeStatements.set(sqlite, write);
  }
  write(routed, now);
}

const routeTransactions = new WeakMap<SQLite.Database, SQLite.Transaction<typeof writeRoutedOnSqlite>>();

/** The same rows and values as the Kysely path, in one immediate transaction. */
function routeOnSqlite(sqlite: SQLite.Database, routed: Routed, now: number) {
  if (routed.length === 0) return;
  let transaction = routeTransactions.get(sqlite);
  if (!transaction) {
    transaction = sqlite.transaction(writeRoutedOnSqlite);
    routeTransactions.set(sqlite, transaction);
  }
  transaction.immediate(sqlite, routed, now);
}

/**
 * Claims the oldest runnable job: queued and due, or running with an expired lease (its worker died), and
 * with no earlier unfinished job for the same pipeline and subject — that is what keeps order per subject.
 */
export async function claimJob(db: Db, now: number, leaseMs: number): Promise<JobRow | undefined> {
  return (await claimJobs(db, now, leaseMs, 1))[0];
}

/**
 * Which other pipelines' earlier unfinished jobs on the same subject a pipeline's jobs wait for (besides its
 * own): pipeline name → those pipelines' names.
 */
export type ClaimOrder = ReadonlyMap<string, readonly string[]>;

/**
 * Claims up to `limit` jobs in one transaction: expired leases first, then due queued jobs, each the first
 * unfinished job of its subject (so no two claimed jobs share a subject), oldest first. `after` adds the
 * cross-pipeline waits (a first login's signal after its signup). Jobs of `paused` pipelines (their org or
 * tenant takes no calls now) stay where they are, and so do later jobs of their subjects. On PostgreSQL the
 * two scans of `claimScans` decide, probing the open-jobs-by-subject index; on SQLite `claimOnSqlite` picks the
 * same jobs without it.
 */
export async function claimJobs(
  db: Db,
  now: number,
  leaseMs: number,
  limit: number,
  after: ClaimOrder = new Map(),
  paused: ReadonlySet<string> = new Set(),
): Promise<JobRow[]> {
  const sqlite = db.sqlite;
  if (sqlite && !db.kysely.isTransaction) {
    return db.kysely
      .connection()
      .execute(async () => claimOnSqlite(sqlite, now, leaseMs, limit, after, paused));
  }
  return db.kysely.transaction().execute(async (trx) => {
    const scans = claimScans(db, now, after, paused);
    const expired = await scans.expired(limit).execute(trx);
    const room = limit - expired.rows.length;
    const queued = room > 0 ? await scans.queued(room).execute(trx) : { rows: [] };
    const ids = [...expired.rows, ...queued.rows].map((r) => Number(r.id));
    if (ids.length === 0) return [];
    const claimed = await trx
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        lease_until: now + leaseMs,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
    return (await withEvents(trx, claimed)).sort((a, b) => a.id - b.id);
  });
}

interface OpenJob {
  id: number;
  pipeline: string;
  subject: string;
}

interface SqliteClaim {
  held: SQLite.Statement;
  waiting: SQLite.Statement;
  due: SQLite.Statement;
  queuedBefore: SQLite.Statement;
  take: SQLite.Statement;
  eventOf: SQLite.Statement;
  run: SQLite.Transaction<
    (now: number, leaseMs: number, limit: number, after: ClaimOrder, paused: ReadonlySet<string>) => JobRow[]
  >;
}

const sqliteClaims = new WeakMap<SQLite.Database, SqliteClaim>();

/**
 * The claim on SQLite, which has one instance and no index ordered by subject (migration 0007): the same jobs
 * as `claimScans` would pick, decided in memory within one immediate transaction. The open jobs that are not in
 * the due queue (running, or queued for later: a retry) are read first, through their partial indexes; then the
 * due queue is walked in id order, so every open job with a smaller id than the one at hand has been seen when it
 * is judged. A job is free when no open job of its pipeline and subject, nor of a pipeline it waits for
 * (`after`), has a smaller id. Nothing is kept between claims, so jobs another process put back in the queue (an
 * operator's replay) are seen like any other. The index it replaces was written at a random place when a job
 * was routed and again when it finished: without it the 105,206-event drain writes a third less.
 */
function claimOnSqlite(
  sqlite: SQLite.Database,
  now: number,
  leaseMs: number,
  limit: number,
  after: ClaimOrder,
  paused: ReadonlySet<string>,
): JobRow[] {
  let claim = sqliteClaims.get(sqlite);
  if (!claim) {
    const statements = {
      held: sqlite.prepare(
        "SELECT id, pipeline, subject, lease_until FROM jobs INDEXED BY jobs_running_lease WHERE state = 'running'",
      ),
      waiting: sqlite.prepare(
        "SELECT id, pipeline, subject FROM jobs INDEXED BY jobs_queued_due WHERE state = 'queued' AND run_after > ?",
      ),
      due: sqlite.prepare(
        "SELECT id, pipeline, subject FROM jobs INDEXED BY jobs_queued_id WHERE state = 'queued' AND run_after <= ? ORDER BY id",
      ),
      queuedBefore: sqlite.prepare(
        `SELECT 1 FROM jobs INDEXED BY jobs_queued_id
         WHERE state = 'queued' AND id < ? AND subject = ? AND pipeline IN (SELECT value FROM json_each(?)) LIMIT 1`,
      ),
      eventOf: sqlite.prepare('SELECT event FROM job_events WHERE inbox_id = ? AND event_index = ?').pluck(),
      take: sqlite.prepare(
        `UPDATE jobs SET state = 'running', lease_until = ?, attempts = attempts + 1, updated_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) RETURNING *`,
      ),
    };
    claim = {
      ...statements,
      run: sqlite.transaction(
        (at: number, lease: number, most: number, order: ClaimOrder, held: ReadonlySet<string>) =>
          pickOnSqlite(statements, at, lease, most, order, held),
      ),
    };
    sqliteClaims.set(sqlite, claim);
  }
  return claim.run.immediate(now, leaseMs, limit, after, paused);
}

function pickOnSqlite(
  s: Omit<SqliteClaim, 'run'>,
  now: number,
  leaseMs: number,
  limit: number,
  after: ClaimOrder,
  paused: ReadonlySet<string>,
): JobRow[] {
  const key = (pipeline: string, subject: string) => `${pipeline}\u0000${subject}`;
  /** The smallest id of an open job, by pipeline and subject, among those not in the due queue. */
  const firstHeld = new Map<string, number>();
  const hold = (job: OpenJob) => {
    const k = key(job.pipeline, job.subject);
    const known = firstHeld.get(k);
    if (known === undefined || job.id < known) firstHeld.set(k, job.id);
  };
  const running = s.held.all() as (OpenJob & { lease_until: number | null })[];
  const waiting = s.waiting.all(now) as OpenJob[];
  for (const job of running) hold(job);
  for (const job of waiting) hold(job);
  const picked: number[] = [];
  // Expired leases first (their worker died), as `claimScans` does: free when no open job of theirs is older.
  const expired = running
    .filter((j) => j.lease_until !== null && j.lease_until < now)
    .sort((a, b) => a.id - b.id);
  for (const job of expired) {
    if (picked.length >= limit) break;
    if (paused.has(job.pipeline)) continue;
    const pipelines = [job.pipeline, ...(after.get(job.pipeline) ?? [])];
    const older = (other: OpenJob) =>
      other.id < job.id && other.subject === job.subject && pipelines.includes(other.pipeline);
    if (running.some(older) || waiting.some(older)) continue;
    if (s.queuedBefore.get(job.id, job.subject, JSON.stringify(pipelines)) !== undefined) continue;
    picked.push(job.id);
  }
  if (picked.length < limit) {
    /** Pipelines and subjects whose due jobs the walk has passed. */
    const seen = new Set<string>();
    for (const job of s.due.iterate(now) as IterableIterator<OpenJob>) {
      const pipelines = [job.pipeline, ...(after.get(job.pipeline) ?? [])];
      const free =
        !paused.has(job.pipeline) &&
        pipelines.every((pipeline) => {
          const k = key(pipeline, job.subject);
          const first = firstHeld.get(k);
          return (first === undefined || first > job.id) && !seen.has(k);
        });
      if (free) picked.push(job.id);
      seen.add(key(job.pipeline, job.subject));
      if (picked.length >= limit) break;
    }
  }
  if (picked.length === 0) return [];
  const rows = s.take.all(now + leaseMs, now, JSON.stringify(picked)) as Selectable<JobsTable>[];
  return rows
    .map((r) => toJob(r, s.eventOf.get(r.inbox_id, r.event_index) as string | undefined))
    .sort((a, b) => a.id - b.id);
}

/**
 * The two scans of a claim on PostgreSQL (and on SQLite inside an open transaction, which nothing does today):
 * running jobs whose lease expired, then due queued jobs; each only the first unfinished job of its subject (and
 * after the jobs of the pipelines it waits for), found by probing the open-jobs-by-subject index. Both walk an
 * index in id order and stop after `limit` free jobs: no sort of the queue, so a claim costs the same with ten
 * jobs queued or a million. The indexes hold open jobs only (migrations 0005 and 0006: an open job is one
 * without an outcome); each condition is spelled as in its index's WHERE.
 */
export function claimScans(
  db: Db,
  now: number,
  after: ClaimOrder = new Map(),
  paused: ReadonlySet<string> = new Set(),
) {
  const lock = db.dialect === 'postgres' ? sql` FOR UPDATE SKIP LOCKED` : sql``;
  // SQLite's planner has no statistics: it would pick the due-time index and sort the queue, or walk the whole
  // table in id order for the expired leases. Name the indexes.
  const sqlite = db.dialect === 'sqlite';
  const byId = sqlite ? sql` INDEXED BY jobs_queued_id` : sql``;
  const byLease = sqlite ? sql` INDEXED BY jobs_running_lease` : sql``;
  const unfinishedBefore = (pipelines: RawBuilder<unknown>) => sql`NOT EXISTS (
      SELECT 1 FROM jobs p
      WHERE p.pipeline IN (${pipelines}) AND p.subject = j.subject AND p.outcome IS NULL AND p.id < j.id
    )`;
  // One probe of the open-subject index per pipeline list; a job checks the other pipelines only when its own
  // pipeline waits for them.
  const waits = [...after].filter(([, others]) => others.length > 0);
  const free = sql.join(
    [
      ...(paused.size > 0 ? [sql`j.pipeline NOT IN (${sql.join([...paused].map((p) => sql`${p}`))})`] : []),
      unfinishedBefore(sql`j.pipeline`),
      ...waits.map(
        ([pipeline, others]) =>
          sql`(j.pipeline <> ${pipeline} OR ${unfinishedBefore(sql.join(others.map((o) => sql`${o}`)))})`,
      ),
    ],
    sql` AND `,
  );
  return {
    expired: (limit: number) => sql<{ id: number }>`
      SELECT j.id FROM jobs j${byLease}
      WHERE j.state = 'running' AND j.lease_until < ${now} AND ${free}
      ORDER BY j.id LIMIT ${limit}${lock}`,
    queued: (limit: number) => sql<{ id: number }>`
      SELECT j.id FROM jobs j${byId}
      WHERE j.state = 'queued' AND j.run_after <= ${now} AND ${free}
      ORDER BY j.id LIMIT ${limit}${lock}`,
  };
}

/** Records the job's one outcome and ends it. */
export async function finishJob(
  db: Db,
  id: number,
  outcome: Outcome,
  reason: string,
  now: number,
  lastError: string | null = null,
) {
  const direct = directStatements(db);
  if (direct) {
    direct(
      "UPDATE jobs SET state = 'done', outcome = ?, reason = ?, last_error = ?, lease_until = NULL, updated_at = ? WHERE id = ?",
    ).run(outcome, reason, lastError, now, id);
    return;
  }
  await db.kysely
    .updateTable('jobs')
    .set({ state: 'done', outcome, reason, last_error: lastError, lease_until: null, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/**
 * Puts a job back for a later attempt (retryable failure), keeping its place in its subject's order.
 * `refundAttempt`: the failure was a budget or rate-limit wait, not the job's fault; it does not count.
 */
export async function retryJob(
  db: Executor,
  id: number,
  runAfter: number,
  error: string,
  now: number,
  refundAttempt = false,
) {
  await db
    .updateTable('jobs')
    .set((eb) => ({
      state: 'queued',
      run_after: runAfter,
      last_error: error,
      lease_until: null,
      updated_at: now,
      ...(refundAttempt ? { attempts: eb('attempts', '-', 1) } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

/** Replays a finished job (dead letter, quarantine, or any other) from scratch. */
export async function requeueJob(db: Executor, id: number, now: number, resolution: string | null = null) {
  const result = await db
    .updateTable('jobs')
    .set({
      state: 'queued',
      attempts: 0,
      run_after: now,
      outcome: null,
      reason: null,
      last_error: null,
      lease_until: null,
      resolution,
      updated_at: now,
    })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Replays a finished job. A job of no pipeline (filtered at routing) is routed again instead, so an event
 * that arrived while its pipeline was missing or disabled can reach it after a config change.
 */
export async function replayJob(
  db: Db,
  id: number,
  now: number,
): Promise<'requeued' | 'rerouted' | 'not_found' | 'not_done'> {
  return db.kysely.transaction().execute(async (trx) => {
    const job = await getJob(trx, id);
    if (!job) return 'not_found';
    if (job.state !== 'done') return 'not_done';
    if (job.pipeline !== '') {
      await requeueJob(trx, id, now);
      return 'requeued';
    }
    // A job of no pipeline is its row's only job: routing again stores the row's events afresh.
    await trx.deleteFrom('jobs').where('id', '=', id).execute();
    await trx.deleteFrom('job_events').where('inbox_id', '=', job.inboxId).execute();
    await trx.updateTable('inbox').set({ routed_at: null }).where('id', '=', job.inboxId).execute();
    return 'rerouted';
  });
}

/**
 * Extends the leases of jobs this instance still runs, so that a job waiting longer than a lease (for its turn at
 * a rate-limited tenant, say) is not taken over as if its worker had died. Jobs that finished meanwhile are left
 * alone. Returns how many leases were extended.
 */
export async function renewLeases(db: Db, ids: readonly number[], leaseUntil: number): Promise<number> {
  let renewed = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const result = await db.kysely
      .updateTable('jobs')
      .set({ lease_until: leaseUntil })
      .where('state', '=', 'running')
      .where('id', 'in', ids.slice(i, i + 500))
      .executeTakeFirst();
    renewed += Number(result.numUpdatedRows);
  }
  return renewed;
}

/** After a crash of a single-instance (SQLite) service, its running jobs are nobody's: run them again. */
export async function releaseRunningJobs(db: Db, now: number) {
  await db.kysely
    .updateTable('jobs')
    .set({ state: 'queued', lease_until: null, run_after: now, updated_at: now })
    .where('state', '=', 'running')
    .execute();
}

/** Jobs, each with its event. */
function selectJobs(db: Executor) {
  return db
    .selectFrom('jobs')
    .leftJoin('job_events', (join) =>
      join
        .onRef('job_events.inbox_id', '=', 'jobs.inbox_id')
        .onRef('job_events.event_index', '=', 'jobs.event_index'),
    )
    .selectAll('jobs')
    .select('job_events.event');
}

export async function getJob(db: Executor, id: number): Promise<JobRow | undefined> {
  const row = await selectJobs(db).where('jobs.id', '=', id).executeTakeFirst();
  return row ? toJob(row, row.event) : undefined;
}

export interface JobFilter {
  outcome?: Outcome;
  pipeline?: string;
  state?: JobState;
  limit?: number;
  afterId?: number;
}

export async function listJobs(db: Db, filter: JobFilter = {}): Promise<JobRow[]> {
  let q = selectJobs(db.kysely);
  if (filter.outcome) q = q.where('jobs.outcome', '=', filter.outcome);
  if (filter.pipeline !== undefined) q = q.where('jobs.pipeline', '=', filter.pipeline);
  if (filter.state) q = q.where('jobs.state', '=', filter.state);
  if (filter.afterId !== undefined) q = q.where('jobs.id', '>', filter.afterId);
  const rows = await q
    .orderBy('jobs.id')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map((row) => toJob(row, row.event));
}

/** Counts by state and outcome, for `concord status` and metrics. */
export async function jobCounts(db: Db) {
  const rows = await db.kysely
    .selectFrom('jobs')
    .select(['state', 'outcome', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['state', 'outcome'])
    .execute();
  return rows.map((r) => ({ state: r.state, outcome: r.outcome, count: Number(r.n) }));
}

/** The earliest time a queued job becomes due (to sleep until then), if any. */
export async function nextDueAt(db: Db): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom('jobs')
    .select((eb) => eb.fn.min('run_after').as('due'))
    .where('state', '=', 'queued')
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? undefined : Number(row.due);
}
