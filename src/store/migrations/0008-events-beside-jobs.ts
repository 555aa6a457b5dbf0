import { type Kysely, sql } from 'kysely';
import type { MigrationDialect } from './index.js';

/**
 * Rows a drain rewrites get smaller.
 *
 * - The normalised event leaves the jobs table for `job_events`, one row per (inbox row, event index), written
 *   once at routing. A job row was about 740 bytes, 440 of them the event, and it is rewritten when it is claimed
 *   and again when it finishes: in the 105,206-event drain the jobs table took half of all pages written to the
 *   write-ahead log. The jobs of several pipelines for one event now share its one copy.
 * - On SQLite, `pipeline_state` becomes a WITHOUT ROWID table: one b-tree ordered by (pipeline, key) instead of a
 *   table and its primary-key index, so a state write changes one page at a random place instead of two, and a
 *   read walks one tree. (PostgreSQL's tables are heaps beside their index either way.)
 *
 * Both rewrite tables (on SQLite, dropping a column copies the table): on a large store the start after the
 * upgrade takes longer once.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`CREATE TABLE job_events (
      inbox_id integer NOT NULL, event_index integer NOT NULL, event text NOT NULL,
      PRIMARY KEY (inbox_id, event_index)
    ) WITHOUT ROWID`.execute(db);
  } else {
    await db.schema
      .createTable('job_events')
      .addColumn('inbox_id', 'bigint', (c) => c.notNull())
      .addColumn('event_index', 'integer', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_events_pk', ['inbox_id', 'event_index'])
      .execute();
  }
  // The jobs of one event hold the same text; keep one.
  await sql`INSERT INTO job_events (inbox_id, event_index, event)
    SELECT inbox_id, event_index, MIN(event) FROM jobs GROUP BY inbox_id, event_index`.execute(db);
  await db.schema.alterTable('jobs').dropColumn('event').execute();

  if (dialect !== 'sqlite') return;
  await sql`CREATE TABLE pipeline_state_by_key (
    pipeline text NOT NULL, key text NOT NULL, value text NOT NULL, updated_at integer NOT NULL,
    PRIMARY KEY (pipeline, key)
  ) WITHOUT ROWID`.execute(db);
  await sql`INSERT INTO pipeline_state_by_key (pipeline, key, value, updated_at)
    SELECT pipeline, key, value, updated_at FROM pipeline_state`.execute(db);
  await sql`DROP TABLE pipeline_state`.execute(db);
  await sql`ALTER TABLE pipeline_state_by_key RENAME TO pipeline_state`.execute(db);
}
