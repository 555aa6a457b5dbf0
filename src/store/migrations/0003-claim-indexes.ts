import type { Kysely } from 'kysely';

/**
 * Indexes for claiming jobs without sorting the queue: queued jobs in id order, expired leases, and the
 * unfinished jobs of one (pipeline, subject).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_state_id').on('jobs').columns(['state', 'id']).execute();
  await db.schema.createIndex('jobs_state_lease').on('jobs').columns(['state', 'lease_until']).execute();
  await db.schema
    .createIndex('jobs_subject_state')
    .on('jobs')
    .columns(['pipeline', 'subject', 'state', 'id'])
    .execute();
}
