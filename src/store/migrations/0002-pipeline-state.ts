import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.js';

/** Per-pipeline key-value memory: failure episodes, last engagement update, watched-field hashes. */
export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('pipeline_state')
    .addColumn('pipeline', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('pipeline_state_pk', ['pipeline', 'key'])
    .execute();
}
