import { type Db, durably } from './database.js';

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
 * Commits raw events in one transaction; repeats of a (source, connection, source id) already stored, or
 * repeated within the batch, are ignored. Resolves only once the rows are durable.
 */
export async function insertInbox(db: Db, rows: readonly InboxInput[], now: number) {
  if (rows.length === 0) return { inserted: 0, duplicates: 0 };
  const inserted = await durably(db, async (trx) => {
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
  return { inserted, duplicates: rows.length - inserted };
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
