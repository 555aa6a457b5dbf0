import type SQLite from 'better-sqlite3';
import type { Db } from './database.js';
import type { InboxInput, InboxRow } from './inbox.js';
import { type NewJob, writeRoutedOnSqlite } from './jobs.js';

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
const statements = new WeakMap<SQLite.Database, { insert: SQLite.Statement; unrouted: SQLite.Statement }>();

/** Decides a new inbox row's jobs (the router's `jobsForRow`); may throw. */
export type IngestRouter = (row: InboxRow) => NewJob[];
const routers = new WeakMap<SQLite.Database, IngestRouter>();

/**
 * Routes rows in the commit that stores them, from now on (`undefined`: no longer). The worker registers its
 * router while it runs: each row is then read, parsed and written once, not stored by the webhook and read
 * back by the router loop in a second transaction.
 *
 * Jobs of one subject must be created in inbox order, so a commit routes inline only when no older row is
 * still unrouted (checked inside the commit, where nothing else can write), and stops routing inline at the
 * first row whose routing fails: that row, and every row after it, is left to the router loop.
 */
export function routeAtIngest(sqlite: SQLite.Database, router: IngestRouter | undefined) {
  if (router) routers.set(sqlite, router);
  else routers.delete(sqlite);
}

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
    const prepared = preparedStatements(sqlite);
    sqlite.pragma('synchronous = FULL');
    try {
      sqlite.exec('BEGIN IMMEDIATE');
      const router = routers.get(sqlite);
      const inline = { router: router && prepared.unrouted.get() === undefined ? router : undefined };
      for (const delivery of deliveries)
        outcomes.push(insertDelivery(sqlite, prepared.insert, delivery, inline));
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

/**
 * One delivery's rows inside its own savepoint; a failure rolls back this delivery only. New rows are routed
 * as they are stored while `inline.router` is set; a routing failure unsets it for the rest of the commit.
 */
function insertDelivery(
  sqlite: SQLite.Database,
  insert: SQLite.Statement,
  delivery: Delivery,
  inline: { router: IngestRouter | undefined },
) {
  sqlite.exec('SAVEPOINT delivery');
  try {
    let inserted = 0;
    for (const r of delivery.rows) {
      const { changes, lastInsertRowid } = insert.run(
        r.source,
        r.connection,
        r.sourceId,
        r.sourceType,
        r.payload,
        delivery.now,
      );
      inserted += changes;
      if (changes === 0 || !inline.router) continue;
      const row: InboxRow = { id: Number(lastInsertRowid), ...r, receivedAt: delivery.now };
      let jobs: NewJob[];
      try {
        jobs = inline.router(row);
      } catch {
        inline.router = undefined; // this row and all after it go to the router loop, in order
        continue;
      }
      writeRoutedOnSqlite(sqlite, [{ inboxId: row.id, jobs }], delivery.now);
    }
    sqlite.exec('RELEASE delivery');
    return { inserted };
  } catch (error) {
    sqlite.exec('ROLLBACK TO delivery');
    sqlite.exec('RELEASE delivery');
    return { error };
  }
}

/**
 * Prepared once per database. The insert ignores (and does not count) repeats of (source, connection, source
 * id); `unrouted` finds any row the router loop has yet to route.
 */
function preparedStatements(sqlite: SQLite.Database) {
  let prepared = statements.get(sqlite);
  if (!prepared) {
    prepared = {
      insert: sqlite.prepare(
        `INSERT INTO inbox (source, connection, source_id, source_type, payload, received_at, routed_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT (source, connection, source_id) DO NOTHING`,
      ),
      unrouted: sqlite.prepare('SELECT 1 FROM inbox WHERE routed_at IS NULL LIMIT 1'),
    };
    statements.set(sqlite, prepared);
  }
  return prepared;
}
