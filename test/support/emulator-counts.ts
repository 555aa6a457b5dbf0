import assert from 'node:assert/strict';
import { type JobRow, listJobs } from '../../src/store/index.js';
import type { RequestLogEntry } from '../../src/emulators/salesforce/env.js';
import type { Harness } from './harness.js';

const SF_WRITE_KINDS = new Set([
  'collections.create',
  'collections.update',
  'collections.upsert',
  'collections.delete',
  'sobject.create',
  'sobject.update',
  'sobject.upsert',
  'sobject.delete',
]);

/** Whether a call the Salesforce emulator answered wrote (a composite call that carried a write does). */
export const isSalesforceWrite = (r: RequestLogEntry) =>
  SF_WRITE_KINDS.has(r.kind) || (r.subrequests ?? []).some((k) => SF_WRITE_KINDS.has(k));

/** The write calls the Salesforce emulator has answered (queries, describes and tokens excluded). */
export const salesforceWriteCalls = (h: Harness) => h.sf.admin.requests().filter(isSalesforceWrite);

export type LogEnvelope = { log_id: string; data: unknown };

/** Posts log records as a log stream would, expects the 200, and waits until every event has its outcome. */
export async function deliver(h: Harness, ...records: LogEnvelope[]) {
  const response = await h.post(JSON.stringify(records));
  assert.equal(response.status, 200);
  await h.settled();
}

/** The job a pipeline made of the event with this source id (a `log_id`). */
export async function jobOf(h: Harness, pipeline: string, sourceId: string): Promise<JobRow> {
  const jobs = await listJobs(h.service.db, { pipeline, limit: 10_000 });
  const job = jobs.find((j) => (JSON.parse(j.event) as { sourceId: string }).sourceId === sourceId);
  assert.ok(job, `a ${pipeline} job for ${sourceId}`);
  return job;
}
