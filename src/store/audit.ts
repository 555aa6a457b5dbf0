import { maskPersonalData } from '../core/mask.js';
import { type Db, directStatements } from './database.js';

export interface AuditEntry {
  pipeline: string;
  jobId?: number;
  inboxId?: number;
  action: string;
  summary: string;
  /** Masked before it is stored: the audit trail never holds personal data in clear. */
  data?: unknown;
}

export async function appendAudit(db: Db, entry: AuditEntry, now: number) {
  const row = {
    at: now,
    pipeline: entry.pipeline,
    job_id: entry.jobId ?? null,
    inbox_id: entry.inboxId ?? null,
    action: entry.action,
    summary: String(maskPersonalData(entry.summary)),
    data: JSON.stringify(maskPersonalData(entry.data ?? {})),
  };
  const direct = directStatements(db);
  if (direct) {
    direct(
      'INSERT INTO audit (at, pipeline, job_id, inbox_id, action, summary, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(row.at, row.pipeline, row.job_id, row.inbox_id, row.action, row.summary, row.data);
    return;
  }
  await db.kysely.insertInto('audit').values(row).execute();
}

export async function listAudit(db: Db, filter: { jobId?: number; pipeline?: string; limit?: number } = {}) {
  let q = db.kysely.selectFrom('audit').selectAll();
  if (filter.jobId !== undefined) q = q.where('job_id', '=', filter.jobId);
  if (filter.pipeline) q = q.where('pipeline', '=', filter.pipeline);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as unknown })).reverse();
}
