import { describeIntent, type Intent } from '../core/intents.js';
import { type Db, directStatements, inTransaction } from './database.js';
import type { IntentState } from './schema.js';

export interface IntentRow {
  id: number;
  jobId: number;
  seq: number;
  intent: Intent;
  summary: string;
  state: IntentState;
  result: unknown;
}

/**
 * Stores a job's planned intents, replacing any that an earlier attempt planned but did not apply (a retry
 * re-plans on the current state). Applied intents stay as the record of what was written.
 */
export async function saveIntents(
  db: Db,
  jobId: number,
  intents: readonly Intent[],
  state: IntentState,
  now: number,
) {
  const rows = (seq: number) =>
    intents.map((intent, i) => ({
      job_id: jobId,
      seq: seq + i + 1,
      kind: intent.kind,
      summary: describeIntent(intent),
      payload: JSON.stringify(intent),
      state,
      result: null,
      created_at: now,
      applied_at: null,
    }));
  const direct = directStatements(db, 'transaction');
  if (direct) {
    direct("DELETE FROM intents WHERE job_id = ? AND state = 'pending'").run(jobId);
    const last = direct('SELECT max(seq) AS seq FROM intents WHERE job_id = ?').get(jobId) as {
      seq: number | null;
    };
    const insert = direct(
      'INSERT INTO intents (job_id, seq, kind, summary, payload, state, result, created_at, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    return rows(Number(last.seq ?? 0)).map((r) =>
      Number(
        insert.run(
          r.job_id,
          r.seq,
          r.kind,
          r.summary,
          r.payload,
          r.state,
          r.result,
          r.created_at,
          r.applied_at,
        ).lastInsertRowid,
      ),
    );
  }
  return inTransaction(db, async (trx) => {
    await trx.deleteFrom('intents').where('job_id', '=', jobId).where('state', '=', 'pending').execute();
    const last = await trx
      .selectFrom('intents')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    const ids: number[] = [];
    for (const values of rows(Number(last?.seq ?? 0))) {
      const row = await trx.insertInto('intents').values(values).returning('id').executeTakeFirstOrThrow();
      ids.push(Number(row.id));
    }
    return ids;
  });
}

export async function markIntentApplied(db: Db, id: number, result: unknown, now: number) {
  const direct = directStatements(db);
  if (direct) {
    direct("UPDATE intents SET state = 'applied', result = ?, applied_at = ? WHERE id = ?").run(
      JSON.stringify(result),
      now,
      id,
    );
    return;
  }
  await db.kysely
    .updateTable('intents')
    .set({ state: 'applied', result: JSON.stringify(result), applied_at: now })
    .where('id', '=', id)
    .execute();
}

export async function listIntents(db: Db, jobId: number): Promise<IntentRow[]> {
  const rows = await db.kysely
    .selectFrom('intents')
    .selectAll()
    .where('job_id', '=', jobId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    jobId: Number(r.job_id),
    seq: r.seq,
    intent: JSON.parse(r.payload) as Intent,
    summary: r.summary,
    state: r.state,
    result: r.result ? (JSON.parse(r.result) as unknown) : null,
  }));
}
