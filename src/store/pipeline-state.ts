import { type Db, directStatements, inTransaction } from './database.js';

export async function getState<T>(db: Db, pipeline: string, key: string): Promise<T | undefined> {
  const direct = directStatements(db);
  const row = direct
    ? (direct('SELECT value FROM pipeline_state WHERE pipeline = ? AND key = ?').get(pipeline, key) as
        | { value: string }
        | undefined)
    : await db.kysely
        .selectFrom('pipeline_state')
        .select('value')
        .where('pipeline', '=', pipeline)
        .where('key', '=', key)
        .executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : undefined;
}

/** Writes several keys at once; a `null` value deletes the key. */
export async function writeState(db: Db, pipeline: string, writes: Record<string, unknown>, now: number) {
  const entries = Object.entries(writes);
  if (entries.length === 0) return;
  const direct = directStatements(db, 'transaction');
  if (direct) {
    for (const [key, value] of entries) {
      if (value === null || value === undefined) {
        direct('DELETE FROM pipeline_state WHERE pipeline = ? AND key = ?').run(pipeline, key);
      } else {
        direct(
          'INSERT INTO pipeline_state (pipeline, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        ).run(pipeline, key, JSON.stringify(value), now);
      }
    }
    return;
  }
  await inTransaction(db, async (trx) => {
    for (const [key, value] of entries) {
      if (value === null || value === undefined) {
        await trx
          .deleteFrom('pipeline_state')
          .where('pipeline', '=', pipeline)
          .where('key', '=', key)
          .execute();
        continue;
      }
      const text = JSON.stringify(value);
      await trx
        .insertInto('pipeline_state')
        .values({ pipeline, key, value: text, updated_at: now })
        .onConflict((oc) => oc.columns(['pipeline', 'key']).doUpdateSet({ value: text, updated_at: now }))
        .execute();
    }
  });
}

/** Small named cursors (pollers' checkpoints). */
export async function getCheckpoint(db: Db, name: string): Promise<string | undefined> {
  const row = await db.kysely
    .selectFrom('checkpoints')
    .select('value')
    .where('name', '=', name)
    .executeTakeFirst();
  return row?.value;
}

export async function setCheckpoint(db: Db, name: string, value: string, now: number) {
  await db.kysely
    .insertInto('checkpoints')
    .values({ name, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}
