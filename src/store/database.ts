import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type MigrationDialect, migrateToLatest } from './migrations/index.js';
import type { Database } from './schema.js';

export type StoreOptions =
  | { driver: 'sqlite'; path: string }
  | { driver: 'postgres'; url: string; poolSize?: number };

export interface Db {
  kysely: Kysely<Database>;
  dialect: MigrationDialect;
  close(): Promise<void>;
}

// int8 (ids, epoch milliseconds) as numbers: every value Concord stores fits in 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

/** Opens the database and applies pending migrations. */
export async function openDatabase(options: StoreOptions): Promise<Db> {
  if (options.driver === 'sqlite') {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const database = new SQLite(options.path);
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL'); // a 2xx to a webhook promises the events survive a power cut too
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    await migrateToLatest(kysely as Kysely<unknown>, 'sqlite');
    return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
  }
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(kysely as Kysely<unknown>, 'postgres');
  return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
}
