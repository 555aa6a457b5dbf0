import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BulkBatchResult, BulkRow, BulkUpsertPort, UserSource } from '../../core/backfill-ports.js';
import type { BackfillCheckpoint } from './checkpoint.js';
import { type BackfillStatePort, runBackfill } from './run-backfill.js';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `auth0|${i}`);

function source(userIds: string[], snapshot = 'export:job_1'): UserSource {
  return {
    async open() {
      return {
        snapshot,
        users: (async function* () {
          for (const user_id of userIds) yield { user_id };
        })(),
      };
    },
  };
}

function memoryState(initial?: BackfillCheckpoint) {
  let checkpoint = initial;
  const links: string[] = [];
  const port: BackfillStatePort = {
    load: async () => checkpoint,
    save: async (cp) => {
      checkpoint = cp;
    },
    commit: async (written, cp) => {
      links.push(...written.map((l) => l.externalId));
      checkpoint = cp;
    },
    written: async () => new Set(),
  };
  return { port, links, current: () => checkpoint };
}

/** Upserts into a map; `lockOnce` rows fail with a row lock the first time they are sent. */
function fakeBulk(lockOnce: Set<string> = new Set()) {
  const sent: string[][] = [];
  const jobs = new Map<string, BulkBatchResult>();
  let n = 0;
  const port: BulkUpsertPort = {
    async upsertBatch(_object, field, rows: readonly BulkRow[], hooks) {
      n += 1;
      const jobId = `750${n}`;
      await hooks?.jobCreated?.(jobId);
      sent.push(rows.map((r) => r[field]!));
      const result: BulkBatchResult = { jobId, created: 0, updated: 0, succeeded: [], failed: [] };
      for (const r of rows) {
        const id = r[field]!;
        if (lockOnce.delete(id)) {
          result.failed.push({
            externalId: id,
            code: 'UNABLE_TO_LOCK_ROW',
            error: 'UNABLE_TO_LOCK_ROW:x:--',
            retryable: true,
          });
        } else {
          result.succeeded.push({ externalId: id, id: `00Q${id}`, created: true });
          result.created += 1;
        }
      }
      jobs.set(jobId, result);
      return result;
    },
    resumeBatch: async (jobId) => jobs.get(jobId),
  };
  return { port, sent, jobs };
}

const base = {
  object: 'Lead',
  externalIdField: 'Auth0_User_Id__c',
  toRow: async (u: { user_id: string }) => ({ Auth0_User_Id__c: u.user_id, LastName: 'x' }),
  now: () => 0,
  newRunId: () => 'run-1',
};

test('chunks the users, retries a retryable failure once, records links and a done checkpoint', async () => {
  const state = memoryState();
  const bulk = fakeBulk(new Set(['auth0|3']));
  const summary = await runBackfill({
    ...base,
    source: source(ids(7)),
    bulk: bulk.port,
    state: state.port,
    chunkSize: 3,
  });
  assert.deepEqual(bulk.sent, [
    ['auth0|0', 'auth0|1', 'auth0|2'],
    ['auth0|3', 'auth0|4', 'auth0|5'],
    ['auth0|3'],
    ['auth0|6'],
  ]);
  assert.equal(summary.totals.created, 7);
  assert.equal(summary.totals.retried, 1);
  assert.equal(summary.totals.failed, 0);
  assert.equal(state.links.length, 7);
  assert.equal(state.current()?.status, 'done');
});

test('resumes: finished users are skipped and the in-flight job is read, not sent again', async () => {
  const bulk = fakeBulk();
  // a previous run finished 3 users, then created job 7509 for the next 3 and died
  bulk.jobs.set('7509', {
    jobId: '7509',
    created: 3,
    updated: 0,
    succeeded: ids(6)
      .slice(3)
      .map((id) => ({ externalId: id, id: `00Q${id}`, created: true })),
    failed: [],
  });
  const state = memoryState({
    version: 1,
    runId: 'run-0',
    status: 'running',
    snapshot: 'export:job_1',
    position: 3,
    inFlight: { jobId: '7509', count: 3 },
    totals: { read: 3, uploaded: 3, created: 3, updated: 0, failed: 0, retried: 0, skipped: 0 },
    startedAt: 0,
  });
  const summary = await runBackfill({
    ...base,
    source: source(ids(8)),
    bulk: bulk.port,
    state: state.port,
    chunkSize: 10,
  });
  assert.deepEqual(bulk.sent, [['auth0|6', 'auth0|7']]);
  assert.equal(summary.resumed, true);
  assert.deepEqual([summary.totals.read, summary.totals.created], [8, 8]);
  assert.deepEqual(state.links, ids(8).slice(3));
});
