import { type Db, directStatements } from './database.js';

/**
 * Group commit of job bookkeeping on SQLite. Every commit writes the pages it changed (the jobs table and its
 * indexes, the audit trail, intents) to the write-ahead log, which costs about 0.15 ms, while the statements
 * themselves cost a few microseconds: finishing jobs one commit at a time made the store the drain's
 * bottleneck. Units of work handed in during one turn of the event loop therefore share one transaction. Each
 * unit runs in its own savepoint (a unit that fails is rolled back alone and rejected), and no unit is
 * resolved before the shared commit returned; if that commit fails, every unit in it is rejected, as each
 * would have been alone.
 *
 * A unit must not wait for anything but the store: the transaction holds the one connection. On PostgreSQL,
 * where several instances and connections share the database, each unit is its own transaction as before.
 */
interface Unit {
  work(db: Db): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Group {
  pending: Unit[];
  scheduled: boolean;
}

const groups = new WeakMap<Db['kysely'], Group>();

/** Runs `work` atomically; on SQLite in one transaction with the other units handed in this turn. */
export function commitTogether<T>(db: Db, work: (db: Db) => Promise<T>): Promise<T> {
  if (db.dialect !== 'sqlite') return db.kysely.transaction().execute((trx) => work({ ...db, kysely: trx }));
  if (db.kysely.isTransaction) return work(db);
  let group = groups.get(db.kysely);
  if (!group) {
    group = { pending: [], scheduled: false };
    groups.set(db.kysely, group);
  }
  const joined = group;
  return new Promise<T>((resolve, reject) => {
    joined.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
    if (!joined.scheduled) {
      joined.scheduled = true;
      setImmediate(() => void flush(db, joined));
    }
  });
}

async function flush(db: Db, group: Group) {
  const units = group.pending.splice(0);
  group.scheduled = false;
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  try {
    await db.kysely.transaction().execute(async (trx) => {
      const inner: Db = { ...db, kysely: trx };
      // Savepoints straight on the handle the transaction holds (two per unit); flush runs on SQLite only.
      const statement = directStatements(inner);
      if (!statement) throw new Error('a group commit needs the SQLite handle');
      for (const unit of units) {
        statement('SAVEPOINT unit').run();
        try {
          const value = await unit.work(inner);
          statement('RELEASE unit').run();
          outcomes.push({ ok: true, value });
        } catch (error) {
          statement('ROLLBACK TO unit').run();
          statement('RELEASE unit').run();
          outcomes.push({ ok: false, error });
        }
      }
    });
  } catch (error) {
    for (const unit of units) unit.reject(error);
    return;
  }
  units.forEach((unit, i) => {
    const outcome = outcomes[i]!;
    if (outcome.ok) unit.resolve(outcome.value);
    else unit.reject(outcome.error);
  });
}
