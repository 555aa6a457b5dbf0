import { type Kysely, sql } from 'kysely';

/**
 * The claim indexes hold open jobs only. Most jobs are done (every event no pipeline wants is a done job from
 * the moment it is routed), and a done job is never claimed, so its entries in the state-keyed indexes were
 * only written, never read: routing and finishing paid for them page by page. A partial index keeps just the
 * rows its `WHERE` names; queries repeat that condition word for word, which is what lets SQLite's planner
 * (which proves nothing cleverer) use the index. PostgreSQL supports the same indexes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const name of ['jobs_state_id', 'jobs_state_lease', 'jobs_subject_state', 'jobs_runnable']) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
  // Due queued jobs in id order (the claim's walk) and by due time (when to wake up next).
  await db.schema
    .createIndex('jobs_queued_id')
    .on('jobs')
    .column('id')
    .where(sql.ref('state'), '=', 'queued')
    .execute();
  await db.schema
    .createIndex('jobs_queued_due')
    .on('jobs')
    .column('run_after')
    .where(sql.ref('state'), '=', 'queued')
    .execute();
  // Running jobs by lease: those whose worker died.
  await db.schema
    .createIndex('jobs_running_lease')
    .on('jobs')
    .column('lease_until')
    .where(sql.ref('state'), '=', 'running')
    .execute();
  // The unfinished jobs of one (pipeline, subject): what keeps a subject's jobs in order.
  await db.schema
    .createIndex('jobs_open_subject')
    .on('jobs')
    .columns(['pipeline', 'subject', 'id'])
    .where(sql<boolean>`state IN ('queued', 'running')`)
    .execute();
}
