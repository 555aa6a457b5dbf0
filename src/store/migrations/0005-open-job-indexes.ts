import { type Kysely, sql } from 'kysely';

/**
 * The claim indexes hold open jobs only. Most jobs are done (every event no pipeline wants is a done job from
 * the moment it is routed), and a done job is never claimed, so its entries in the state-keyed indexes were
 * only written, never read: routing and finishing paid for them page by page. A partial index keeps just the
 * rows its `WHERE` names; queries repeat that condition word for word, which is what lets SQLite's planner
 * (which proves nothing cleverer) use the index. PostgreSQL supports the same indexes.
 */
const OPEN_JOB_INDEXES: [name: string, columns: string[], where: string][] = [
  // Due queued jobs in id order (the claim's walk), and by due time (when to wake up next).
  ['jobs_queued_id', ['id'], `state = 'queued'`],
  ['jobs_queued_due', ['run_after'], `state = 'queued'`],
  // Running jobs by lease: those whose worker died.
  ['jobs_running_lease', ['lease_until'], `state = 'running'`],
  // The unfinished jobs of one (pipeline, subject): what keeps a subject's jobs in order.
  ['jobs_open_subject', ['pipeline', 'subject', 'id'], `state IN ('queued', 'running')`],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const name of ['jobs_state_id', 'jobs_state_lease', 'jobs_subject_state', 'jobs_runnable']) {
    await db.schema.dropIndex(name).ifExists().execute();
  }
  for (const [name, columns, where] of OPEN_JOB_INDEXES) {
    await db.schema.createIndex(name).on('jobs').columns(columns).where(sql.raw<boolean>(where)).execute();
  }
}
