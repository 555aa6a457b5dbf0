import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-pipeline-state.js';
import * as m0003 from './0003-claim-indexes.js';
import * as m0004 from './0004-drop-subject-order.js';
import * as m0005 from './0005-open-job-indexes.js';
import * as m0006 from './0006-open-subject-by-outcome.js';
import * as m0007 from './0007-sqlite-claims-without-subject-index.js';
import * as m0008 from './0008-events-beside-jobs.js';

export type MigrationDialect = 'sqlite' | 'postgres';

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void>;
}

/** Numbered migrations, applied in order at start. Add `NNNN-name.ts` and list it here. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001-initial': m0001,
  '0002-pipeline-state': m0002,
  '0003-claim-indexes': m0003,
  '0004-drop-subject-order': m0004,
  '0005-open-job-indexes': m0005,
  '0006-open-subject-by-outcome': m0006,
  '0007-sqlite-claims-without-subject-index': m0007,
  '0008-events-beside-jobs': m0008,
};

/** Applies pending migrations (all of them, or up to and including `upTo`); returns the names applied. */
export async function migrateToLatest(
  db: Kysely<unknown>,
  dialect: MigrationDialect,
  upTo?: string,
): Promise<string[]> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, migration] of Object.entries(MIGRATIONS)) {
        out[name] = { up: (d) => migration.up(d, dialect) };
      }
      return out;
    },
  };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'concord_migrations',
    migrationLockTableName: 'concord_migrations_lock',
  });
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  if (error) throw new Error(`database migration failed: ${(error as Error).message}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
