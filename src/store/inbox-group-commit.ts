import type SQLite from 'better-sqlite3';
import type { Db } from './database.js';
import type { InboxInput } from './inbox.js';

/**
 * Group commit of inbox rows on SQLite. A webhook may only answer 2xx once its rows are fsynced, and one fsync
 * costs milliseconds while inserting a hundred rows costs a fraction of one. So deliveries that arrive while
 * a commit is pending or running share the next one: each delivery gets its own savepoint (a delivery whose
 * rows fail is rolled back alone and rejected), then one `synchronous = FULL` commit covers them all, and
 * only after it returns is any delivery resolved. If that commit fails, every delivery in the group is
 * rejected, so no caller acknowledges rows that are not durable.
 */
interface Delivery {
  rows: readonly InboxInput[];
  now: number;
  resolve(inserted: number): void;
  reject(error: unknown): void;
}

interface Group {
  pending: Delivery[];
  /** A flush is scheduled and has not yet taken `pending`. */
  scheduled: boolean;
}

const groups = new WeakMap<SQLite.Database, Group>();
const statements = new WeakMap<SQLite.Database, SQLite.Statement>();

/** Resolves with how many of `rows` were new, once they are durably committed (with other deliveries'). */
export function commitInboxGroup(
  db: Db,
  sqlite: SQLite.Database,
  rows: readonly InboxInput[],
  now: number,
): Promise<number> {
  let group = groups.get(sqlite);
  if (!group) {
    group = { pending: [], scheduled: false };
    groups.set(sqlite, group);
  }
  const joined = group;
  return new Promise<number>((resolve, reject) => {
    joined.pending.push({ rows, now, resolve, reject });
    if (!joined.scheduled) {
      joined.scheduled = true;
      // After this turn's I/O callbacks, so deliveries whose bodies were read together commit together.
      setImmediate(() => void flush(db, sqlite, joined));
    }
  });
}

/**
 * Waits for Kysely's one connection (so no Kysely transaction is open around ours), then takes every delivery
 * pending at that moment and commits them synchronously: nothing can interleave until the commit returns.
 */
async function flush(db: Db, sqlite: SQLite.Database, group: Group) {
  try {
    await db.kysely.connection().execute(async () => {
      const deliveries = group.pending.splice(0);
      group.scheduled = false;
      commitDeliveries(sqlite, deliveries);
    });
  } catch (error) {
    // The connection could not be had (the store is closing). Deliveries taken were settled by the commit.
    const deliveries = group.pending.splice(0);
    group.scheduled = false;
    for (const d of deliveries) d.reject(error);
  }
}

/** Settles every delivery: resolved after the shared commit returned, rejected if anything before it failed. */
function commitDeliveries(sqlite: SQLite.Database, deliveries: Delivery[]) {
  const outcomes: ({ inserted: number } | { error: unknown })[] = [];
  try {
    const insert = insertStatement(sqlite);
    sqlite.pragma('synchronous = FULL');
    try {
      sqlite.exec('BEGIN IMMEDIATE');
      for (const delivery of deliveries) outcomes.push(insertDelivery(sqlite, insert, delivery));
      sqlite.exec('COMMIT');
    } finally {
      if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
      sqlite.pragma('synchronous = NORMAL');
    }
  } catch (error) {
    for (const d of deliveries) d.reject(error);
    return;
  }
  deliveries.forEach((d, i) => {
    const outcome = outcomes[i]!;
    if ('error' in outcome) d.reject(outcome.error);
    else d.resolve(outcome.inserted);
  });
}

/** One delivery's rows inside its own savepoint; a failure rolls back this delivery only. */
function insertDelivery(sqlite: SQLite.Database, insert: SQLite.Statement, delivery: Delivery) {
  sqlite.exec('SAVEPOINT delivery');
  try {
    let inserted = 0;
    for (const r of delivery.rows) {
      inserted += insert.run(
        r.source,
        r.connection,
        r.sourceId,
        r.sourceType,
        r.payload,
        delivery.now,
      ).changes;
    }
    sqlite.exec('RELEASE delivery');
    return { inserted };
  } catch (error) {
    sqlite.exec('ROLLBACK TO delivery');
    sqlite.exec('RELEASE delivery');
    return { error };
  }
}

/** Prepared once per database: repeats of (source, connection, source id) are ignored and not counted. */
function insertStatement(sqlite: SQLite.Database): SQLite.Statement {
  let statement = statements.get(sqlite);
  if (!statement) {
    statement = sqlite.prepare(
      `INSERT INTO inbox (source, connection, source_id, source_type, payload, received_at, routed_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (source, connection, source_id) DO NOTHING`,
    );
    statements.set(sqlite, statement);
  }
  return statement;
}
