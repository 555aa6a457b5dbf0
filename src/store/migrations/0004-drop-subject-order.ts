import type { Kysely } from 'kysely';

/**
 * `jobs_subject_order` (pipeline, subject, id) has had no reader since claims probe `jobs_subject_state`
 * (pipeline, subject, state, id): every job inserted, claimed or finished only paid for keeping it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jobs_subject_order').ifExists().execute();
}
