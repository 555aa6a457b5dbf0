import { describeIntent, type Intent } from '../core/intents.js';
import { type Db, inTransaction } from './database.js';
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
  return inTransaction(db, async (trx) => {
    await trx.deleteFrom('intents').where('job_id', '=', jobId).where('state', '=', 'pending').execute();
    const last = await trx
      .selectFrom('intents')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('job_id', '=', jobId)
      .executeTakeFirst();
    let seq = Number(last?.seq ?? 0);
    const ids: number[] = [];
    for (const intent of intents) {
      seq += 1;
      const row = await trx
        .insertInto('intents')
        .values({
          job_id: jobId,
          seq,
          kind: intent.kind,
          summary: describeIntent(intent),
          payload: JSON.stringify(intent),
          state,
          result: null,
          created_at: now,
          applied_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(Number(row.id));
    }
    return ids;
  });
}

export async function markIntentApplied(db: Db, id: number, result: unknown, now: number) {
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
