import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { createRetention } from '../src/pipeline/retention-loop.js';
import { createSignal } from '../src/pipeline/signal.js';
import {
  type Db,
  finishJob,
  insertInbox,
  listJobs,
  openDatabase,
  routeInbox,
  unroutedInbox,
} from '../src/store/index.js';
import { waitFor } from './support/wait-for.js';

const DAY = 86_400_000;

test('the service prunes at start, again once its interval has passed, and stops with the worker', async () => {
  const db = await openDatabase({ driver: 'sqlite', path: ':memory:' });
  let now = 1_000 * DAY;
  /** One inbox row received `ageDays` before the clock, routed to one job, finished. */
  const finishedRow = async (sourceId: string, ageDays: number) => {
    const at = now - ageDays * DAY;
    await insertInbox(
      db,
      [{ source: 'auth0.logs', connection: 'acme', sourceId, sourceType: 'ss', payload: '{}' }],
      at,
    );
    const [row] = (await unroutedInbox(db, 10)).filter((r) => r.sourceId === sourceId);
    await routeInbox(
      db,
      [
        {
          inboxId: row!.id,
          jobs: [{ inboxId: row!.id, pipeline: 'p', eventIndex: 0, subject: sourceId, event: '{}' }],
        },
      ],
      at,
    );
    const job = (await listJobs(db)).find((j) => j.subject === sourceId)!;
    await finishJob(db, job.id, 'applied', 'ok', at);
  };
  const inbox = async (d: Db) =>
    (await d.kysely.selectFrom('inbox').select('source_id').orderBy('id').execute()).map((r) => r.source_id);

  try {
    await finishedRow('old', 100);
    await finishedRow('recent', 80);
    const signal = createSignal();
    let running = true;
    const retention = createRetention({
      db,
      policy: { days: 90, auditDays: null },
      intervalMs: 60 * 60_000,
      now: () => now,
      logger: pino({ level: 'silent' }),
    });
    const loop = retention.trigger({ signal, isRunning: () => running, onCommitted: () => {} });

    await waitFor(async () => (await inbox(db)).join() === 'recent', 'the old row pruned at start');
    assert.deepEqual(
      (await listJobs(db)).map((j) => j.subject),
      ['recent'],
      'its job went with it',
    );
    await waitFor(() => retention.snapshot().passes === 1, 'the pass counted');
    assert.deepEqual(retention.snapshot().pruned, { inbox: 1, jobs: 1, intents: 0, quarantine: 0, audit: 0 });
    assert.equal(retention.snapshot().lastPassAt, now);
    // Eleven days on (well past the interval), the recent row is past 90 days too.
    now += 11 * DAY;
    signal.wake();
    await waitFor(async () => (await inbox(db)).length === 0, 'the next pass, once the interval has passed');
    assert.equal((await listJobs(db)).length, 0);
    await waitFor(() => retention.snapshot().passes === 2, 'the second pass counted');
    assert.equal(retention.snapshot().pruned.inbox, 2, 'counted since start');

    running = false;
    signal.wake();
    await loop;
  } finally {
    await db.close();
  }
});
