import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.js';

/**
 * SQLite claims keep each subject's order without an index ordered by subject (`claimOnSqlite`): the index was
 * written at a random place when a job was routed and again when it finished, about 1.2 of the 5.6 pages a job
 * wrote in a drain. PostgreSQL, where several instances claim with `FOR UPDATE SKIP LOCKED`, keeps it.
 */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  if (dialect !== 'sqlite') return;
  await db.schema.dropIndex('jobs_open_subject').ifExists().execute();
}
