import type { MatchCandidate, Resolution } from '../core/template.js';
import type { Db } from './database.js';
import { requeueJob } from './jobs.js';

export interface QuarantineItem {
  id: number;
  jobId: number;
  pipeline: string;
  reason: string;
  candidates: MatchCandidate[];
  state: 'open' | 'resolved';
  resolution: Resolution | null;
  createdAt: number;
}

export async function openQuarantine(
  db: Db,
  item: { jobId: number; pipeline: string; reason: string; candidates: MatchCandidate[] },
  now: number,
) {
  await db.kysely
    .insertInto('quarantine')
    .values({
      job_id: item.jobId,
      pipeline: item.pipeline,
      reason: item.reason,
      candidates: JSON.stringify(item.candidates),
      state: 'open',
      resolution: null,
      created_at: now,
      resolved_at: null,
    })
    .execute();
}

export async function listQuarantine(
  db: Db,
  state: 'open' | 'resolved' | 'all' = 'open',
): Promise<QuarantineItem[]> {
  let q = db.kysely.selectFrom('quarantine').selectAll();
  if (state !== 'all') q = q.where('state', '=', state);
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    id: Number(r.id),
    jobId: Number(r.job_id),
    pipeline: r.pipeline,
    reason: r.reason,
    candidates: JSON.parse(r.candidates) as MatchCandidate[],
    state: r.state,
    resolution: r.resolution ? (JSON.parse(r.resolution) as Resolution) : null,
    createdAt: Number(r.created_at),
  }));
}

/** Resolves an open item and queues its job again with the decision attached; returns false if not open. */
export async function resolveQuarantine(
  db: Db,
  id: number,
  resolution: Resolution,
  now: number,
): Promise<boolean> {
  return db.kysely.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('quarantine')
      .selectAll()
      .where('id', '=', id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (!row) return false;
    await trx
      .updateTable('quarantine')
      .set({ state: 'resolved', resolution: JSON.stringify(resolution), resolved_at: now })
      .where('id', '=', id)
      .execute();
    await requeueJob(trx, Number(row.job_id), now, JSON.stringify(resolution));
    return true;
  });
}
