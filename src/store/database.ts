import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import { type MigrationDialect, migrateToLatest } from './migrations/index.js';
import type { Database } from './schema.js';

export type StoreOptions =
  | { driver: 'sqlite'; path: string }
  | { driver: 'postgres'; url: string; poolSize?: number };

export interface Db {
  kysely: Kysely<Database>;
  dialect: MigrationDialect;
  /**
   * The SQLite handle under `kysely` (SQLite only), for hot paths that run prepared statements synchronously.
   * Use it only inside `kysely.connection().execute(…)`: that holds Kysely's one connection, so no Kysely
   * transaction is open around the statements (see `commitInboxGroup`).
   */
  sqlite?: SQLite.Database;
  close(): Promise<void>;
}

/**
 * Runs a transaction whose commit must survive a power cut (events a webhook is about to acknowledge). On
 * SQLite the connection switches to `synchronous=FULL` for this commit only; PostgreSQL commits durably anyway.
 */
export async function durably<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.dialect !== 'sqlite') return db.kysely.transaction().execute(work);
  return db.kysely.connection().execute(async (conn) => {
    await sql`PRAGMA synchronous = FULL`.execute(conn);
    try {
      return await conn.transaction().execute(work);
    } finally {
      await sql`PRAGMA synchronous = NORMAL`.execute(conn);
    }
  });
}

/** Runs `work` in a transaction, or in the one `db` already is (a unit of a group commit). */
export function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db.kysely.isTransaction) return work(db.kysely as Transaction<Database>);
  return db.kysely.transaction().execute(work);
}

/**
 * Kysely prepares every statement it runs, and preparing costs more than running most of Concord's (a quarter
 * of the store's time in a drain). Its SQL has placeholders for values, so few texts recur: the last
 * `size` prepared statements are kept and reused (a fresh one, defensively, should a kept one still be
 * iterating: Kysely holds its one connection while it streams, so this does not happen today). One cache per
 * handle, shared by Kysely and `directStatements`.
 */
const statementCaches = new WeakMap<SQLite.Database, (source: string) => SQLite.Statement>();

function cachedStatements(database: SQLite.Database, size = 500) {
  const known = statementCaches.get(database);
  if (known) return known;
  const kept = new Map<string, SQLite.Statement>();
  const prepare = (source: string): SQLite.Statement => {
    const hit = kept.get(source);
    if (hit && !hit.busy) {
      kept.delete(source); // most recently used last
      kept.set(source, hit);
      return hit;
    }
    const statement = database.prepare(source);
    if (!hit) {
      kept.set(source, statement);
      if (kept.size > size) kept.delete(kept.keys().next().value!);
    }
    return statement;
  };
  statementCaches.set(database, prepare);
  return prepare;
}

/**
 * Prepared statements straight on SQLite's handle, for the statements every job runs: without Kysely's query
 * building and promise hops, which in a drain cost more than the statements themselves. Given when that is
 * safe: `db` is a transaction Kysely holds on the handle (a unit of a group commit; better-sqlite3 runs each
 * statement synchronously inside it), or no transaction is open on the handle at all (a read then sees
 * committed data only, and nothing can interleave with it). Undefined on PostgreSQL and while another
 * transaction is open: use Kysely there, which waits for the connection.
 */
export function directStatements(
  db: Db,
  /** `transaction`: several statements that must commit together, so only inside a transaction. */
  scope: 'statement' | 'transaction' = 'statement',
): ((source: string) => SQLite.Statement) | undefined {
  const handle = db.sqlite;
  if (!handle) return undefined;
  const held = db.kysely.isTransaction;
  if (scope === 'transaction' ? !held : !held && handle.inTransaction) return undefined;
  return cachedStatements(handle);
}

/** Opens the database and applies pending migrations. */
export async function openDatabase(options: StoreOptions): Promise<Db> {
  if (options.driver === 'sqlite') {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const database = new SQLite(options.path);
    database.pragma('journal_mode = WAL');
    // Job bookkeeping commits without an fsync (WAL + NORMAL survives a process crash; after a power cut the
    // last few job updates may roll back and those jobs simply run again, idempotently). Inbox commits, which
    // a webhook's 2xx promises, are made with FULL: see `durably` and `commitInboxGroup`.
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    // Savepoints (one per unit of a group commit) and multi-row statements keep the pages they change in a
    // sub-journal until they end. With the default temp_store that is a temporary file: in a drain it took more
    // than half of all the process's pwrite calls. In memory it costs a few pages' worth of RAM and no system
    // calls; durability is unaffected (the sub-journal only serves rollback inside an open transaction).
    database.pragma('temp_store = MEMORY');
    // SQLite checkpoints inside the commit that grows the log past this many pages: that commit copies the
    // log into the database file and waits for two fsyncs, on the event loop. The default (1,000 pages, 4 MiB)
    // made a checkpoint every few group commits in a drain; at 10,000 a page rewritten by many commits is copied
    // once, and the fsyncs are paid a tenth as often (paired runs: ingest +8 to +12 %, drain +2 to +5 %). The
    // log file may grow to about 40 MiB.
    database.pragma('wal_autocheckpoint = 10000');
    database.pragma('foreign_keys = ON');
    const kysely = new Kysely<Database>({
      dialect: new SqliteDialect({
        database: { prepare: cachedStatements(database), close: () => database.close() },
      }),
    });
    await migrateToLatest(kysely as Kysely<unknown>, 'sqlite');
    return { kysely, dialect: 'sqlite', sqlite: database, close: () => kysely.destroy() };
  }
  // Loaded only for PostgreSQL: an SQLite service need not carry the driver in memory.
  const { default: pg } = await import('pg');
  // int8 (ids, epoch milliseconds) as numbers: every value Concord stores fits in 2^53.
  pg.types.setTypeParser(20, (value: string) => Number(value));
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(kysely as Kysely<unknown>, 'postgres');
  return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
}
