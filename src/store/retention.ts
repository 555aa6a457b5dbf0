import type { Db } from './database.js';

const DAY_MS = 86_400_000;

/** How long the store keeps what it no longer needs (`retention` in the config); null keeps it forever. */
export interface RetentionPolicy {
  /** Inbox rows, with their jobs and intents, once every job of the row is done. */
  days: number | null;
  /** Audit entries. */
  auditDays: number | null;
}

export interface PruneCounts {
  inbox: number;
  jobs: number;
  intents: number;
  quarantine: number;
  audit: number;
}

/** Both periods `null`: nothing is ever pruned (no pass runs, and nothing about retention is shown). */
export const keepsEverything = (policy: RetentionPolicy) => policy.days === null && policy.auditDays === null;

const none = (): PruneCounts => ({ inbox: 0, jobs: 0, intents: 0, quarantine: 0, audit: 0 });

/** Rows looked at per transaction: each batch is short, so webhooks and jobs wait at most a few ms for it. */
const BATCH = 500;

/**
 * Deletes, oldest first, what the policy no longer keeps: inbox rows received more than `days` ago whose jobs
 * are all done (none queued, running or waiting for a retry, none dead-lettered, none in an open quarantine
 * item), together with their jobs, intents and resolved quarantine items; and audit entries older than
 * `auditDays`. Identity links, pipeline state and checkpoints are never pruned. Works through the tables in id order (ids grow with time),
 * one short transaction per batch, yielding to the event loop between batches; a row it must keep is stepped
 * over, not waited for. Safe to run on several instances at once: a row deleted twice is deleted once.
 */
export async function pruneExpired(
  db: Db,
  now: number,
  policy: RetentionPolicy,
  batch = BATCH,
): Promise<PruneCounts> {
  const total = none();
  if (policy.days !== null) {
    const before = now - policy.days * DAY_MS;
    let after = 0;
    for (;;) {
      const step = await pruneInboxBatch(db, before, after, batch);
      for (const key of ['inbox', 'jobs', 'intents', 'quarantine'] as const) total[key] += step.counts[key];
      if (step.next === undefined) break;
      after = step.next;
      await yieldToEventLoop();
    }
  }
  if (policy.auditDays !== null) {
    const before = now - policy.auditDays * DAY_MS;
    for (;;) {
      const step = await pruneAuditBatch(db, before, batch);
      total.audit += step.deleted;
      if (!step.more) break;
      await yieldToEventLoop();
    }
  }
  return total;
}

/**
 * One batch of inbox rows after id `after`, oldest first, up to the first row received at or after `before`.
 * `next` is where the following batch starts, or undefined when the old rows are done.
 */
async function pruneInboxBatch(db: Db, before: number, after: number, batch: number) {
  return db.kysely.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('inbox')
      .select(['id', 'received_at', 'routed_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(batch)
      .execute();
    const old = [];
    for (const row of rows) {
      if (Number(row.received_at) >= before) break;
      old.push(row);
    }
    const counts = none();
    const next = old.length === rows.length && rows.length === batch ? Number(rows.at(-1)!.id) : undefined;
    const routed = old.filter((r) => r.routed_at !== null).map((r) => Number(r.id));
    if (routed.length === 0) return { counts, next };
    // Rows whose events are not finished, were dead-lettered (never applied: an operator may still replay them),
    // or wait for someone to resolve a quarantine item, stay.
    const kept = await trx
      .selectFrom('jobs')
      .leftJoin('quarantine', (join) =>
        join.onRef('quarantine.job_id', '=', 'jobs.id').on('quarantine.state', '=', 'open'),
      )
      .select('jobs.inbox_id')
      .distinct()
      .where('jobs.inbox_id', 'in', routed)
      .where((eb) =>
        eb.or([
          eb('jobs.outcome', 'is', null),
          eb('jobs.outcome', '=', 'dead_lettered'),
          eb('quarantine.id', 'is not', null),
        ]),
      )
      .execute();
    const keep = new Set(kept.map((r) => Number(r.inbox_id)));
    const ids = routed.filter((id) => !keep.has(id));
    if (ids.length === 0) return { counts, next };
    const jobIds = trx.selectFrom('jobs').select('id').where('inbox_id', 'in', ids);
    const removed = async (query: { executeTakeFirst(): Promise<{ numDeletedRows: bigint }> }) =>
      Number((await query.executeTakeFirst()).numDeletedRows);
    counts.intents = await removed(trx.deleteFrom('intents').where('job_id', 'in', jobIds));
    counts.quarantine = await removed(trx.deleteFrom('quarantine').where('job_id', 'in', jobIds));
    counts.jobs = await removed(trx.deleteFrom('jobs').where('inbox_id', 'in', ids));
    await trx.deleteFrom('job_events').where('inbox_id', 'in', ids).execute();
    counts.inbox = await removed(trx.deleteFrom('inbox').where('id', 'in', ids));
    return { counts, next };
  });
}

/** The oldest audit entries, up to `batch` of them and up to the first written at or after `before`. */
async function pruneAuditBatch(db: Db, before: number, batch: number) {
  return db.kysely.transaction().execute(async (trx) => {
    // `at` has no index, and needs none: entries are appended in time order, so walk them in id order and stop
    // at the first young one (a filter on `at` would read the whole table when little is old).
    const rows = await trx.selectFrom('audit').select(['id', 'at']).orderBy('id').limit(batch).execute();
    const ids: number[] = [];
    for (const row of rows) {
      if (Number(row.at) >= before) break;
      ids.push(Number(row.id));
    }
    if (ids.length === 0) return { deleted: 0, more: false };
    const result = await trx.deleteFrom('audit').where('id', 'in', ids).executeTakeFirst();
    return { deleted: Number(result.numDeletedRows), more: ids.length === batch };
  });
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
