import { type Db, durably } from './database.js';
import { commitInboxGroup } from './inbox-group-commit.js';

export interface InboxInput {
  source: string;
  connection: string;
  sourceId: string;
  sourceType: string;
  payload: string;
}

export interface InboxRow {
  id: number;
  source: string;
  connection: string;
  sourceId: string;
  sourceType: string;
  payload: string;
  receivedAt: number;
}

const CHUNK = 400;

/**
 * Commits raw events; repeats of a (source, connection, source id) already stored, or repeated within the
 * batch, are ignored. Resolves only once the rows are durable. On SQLite, concurrent calls share one
 * fsynced commit (`commitInboxGroup`); elsewhere each call is its own durable transaction.
 */
export async function insertInbox(db: Db, rows: readonly InboxInput[], now: number) {
  if (rows.length === 0) return { inserted: 0, duplicates: 0 };
  const inserted =
    db.sqlite && !db.kysely.isTransaction
      ? await commitInboxGroup(db, db.sqlite, rows, now)
      : await insertDurably(db, rows, now);
  return { inserted, duplicates: rows.length - inserted };
}

async function insertDurably(db: Db, rows: readonly InboxInput[], now: number): Promise<number> {
  return durably(db, async (trx) => {
    let count = 0;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows.slice(i, i + CHUNK).map((r) => ({
        source: r.source,
        connection: r.connection,
        source_id: r.sourceId,
        source_type: r.sourceType,
        payload: r.payload,
        received_at: now,
        routed_at: null,
      }));
      const result = await trx
        .insertInto('inbox')
        .values(values)
        .onConflict((oc) => oc.columns(['source', 'connection', 'source_id']).doNothing())
        .returning('id')
        .execute();
      count += result.length;
    }
    return count;
  });
}

export async function unroutedInbox(db: Db, limit: number): Promise<InboxRow[]> {
  const rows = await db.kysely
    .selectFrom('inbox')
    .selectAll()
    .where('routed_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    connection: r.connection,
    sourceId: r.source_id,
    sourceType: r.source_type,
    payload: r.payload,
    receivedAt: r.received_at,
  }));
}

export async function countInbox(db: Db): Promise<number> {
  const row = await db.kysely
    .selectFrom('inbox')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
