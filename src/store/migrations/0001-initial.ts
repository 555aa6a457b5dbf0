import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.js';

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const withId = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
        dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
      );

  await withId('inbox')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('connection', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('source_type', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('received_at', big, (c) => c.notNull())
    .addColumn('routed_at', big)
    .addUniqueConstraint('inbox_source_unique', ['source', 'connection', 'source_id'])
    .execute();
  await db.schema.createIndex('inbox_unrouted').on('inbox').columns(['routed_at', 'id']).execute();

  await withId('jobs')
    .addColumn('inbox_id', big, (c) => c.notNull())
    .addColumn('pipeline', 'text', (c) => c.notNull())
    .addColumn('event_index', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_after', big, (c) => c.notNull())
    .addColumn('lease_until', big)
    .addColumn('outcome', 'text')
    .addColumn('reason', 'text')
    .addColumn('last_error', 'text')
    .addColumn('resolution', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addUniqueConstraint('jobs_event_pipeline_unique', ['inbox_id', 'pipeline', 'event_index'])
    .execute();
  await db.schema.createIndex('jobs_runnable').on('jobs').columns(['state', 'run_after']).execute();
  await db.schema
    .createIndex('jobs_subject_order')
    .on('jobs')
    .columns(['pipeline', 'subject', 'id'])
    .execute();
  await db.schema.createIndex('jobs_outcome').on('jobs').columns(['outcome', 'id']).execute();

  await withId('intents')
    .addColumn('job_id', big, (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('applied_at', big)
    .execute();
  await db.schema.createIndex('intents_job').on('intents').columns(['job_id', 'seq']).execute();

  await withId('identity_links')
    .addColumn('tenant', 'text', (c) => c.notNull())
    .addColumn('auth0_user_id', 'text', (c) => c.notNull())
    .addColumn('org', 'text', (c) => c.notNull())
    .addColumn('object', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('matched_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addUniqueConstraint('identity_links_unique', ['tenant', 'auth0_user_id', 'org'])
    .execute();
  await db.schema
    .createIndex('identity_links_record')
    .on('identity_links')
    .columns(['org', 'record_id'])
    .execute();

  await withId('quarantine')
    .addColumn('job_id', big, (c) => c.notNull())
    .addColumn('pipeline', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('candidates', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('resolution', 'text')
    .addColumn('created_at', big, (c) => c.notNull())
    .addColumn('resolved_at', big)
    .execute();
  await db.schema.createIndex('quarantine_state').on('quarantine').columns(['state', 'id']).execute();

  await withId('audit')
    .addColumn('at', big, (c) => c.notNull())
    .addColumn('pipeline', 'text', (c) => c.notNull())
    .addColumn('job_id', big)
    .addColumn('inbox_id', big)
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_job').on('audit').columns(['job_id']).execute();

  await db.schema
    .createTable('checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .execute();
}
