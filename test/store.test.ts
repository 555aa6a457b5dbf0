import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  claimJob,
  claimJobs,
  type Db,
  type StoreOptions,
  findLink,
  finishJob,
  insertInbox,
  listJobs,
  listQuarantine,
  openDatabase,
  openQuarantine,
  renewLeases,
  requeueJob,
  resolveQuarantine,
  retryJob,
  routeInbox,
  unroutedInbox,
  upsertLink,
} from '../src/store/index.js';
import { DIALECTS, useFreshStore } from './support/databases.js';

for (const dialect of DIALECTS) {
  describe(`store on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    let options: StoreOptions;
    useFreshStore(dialect.name, (store) => {
      ({ db, options } = store);
    });

    const row = (id: string) => ({
      source: 'auth0.logs',
      connection: 'acme',
      sourceId: id,
      sourceType: 'ss',
      payload: '{}',
    });

    /**
     * Ends every open job, then stores one inbox row per `[source id, pipeline, subject]` and routes it to that
     * one job, at `at`; the new rows' ids by source id.
     */
    const routeOnly = async (at: number, jobs: [string, string, string][]) => {
      await db.kysely
        .updateTable('jobs')
        .set({ state: 'done', outcome: 'applied' })
        .where('outcome', 'is', null)
        .execute();
      await insertInbox(
        db,
        jobs.map(([sourceId]) => row(sourceId)),
        at,
      );
      const byId = new Map((await unroutedInbox(db, 100)).map((r) => [r.sourceId, r.id]));
      await routeInbox(
        db,
        jobs.map(([sourceId, pipeline, subject]) => ({
          inboxId: byId.get(sourceId)!,
          jobs: [{ inboxId: byId.get(sourceId)!, pipeline, eventIndex: 0, subject, event: '{}' }],
        })),
        at,
      );
      return byId;
    };
    const label = (j: { pipeline: string; subject: string }) => `${j.pipeline} ${j.subject}`;

    test('migrations are idempotent: opening again applies nothing and keeps data', async () => {
      await insertInbox(db, [row('m1')], 1);
      const again = await openDatabase(options);
      await again.close();
      const rows = await unroutedInbox(db, 10);
      assert.ok(rows.some((r) => r.sourceId === 'm1'));
    });

    test('inbox ignores repeats, within a batch and across batches', async () => {
      const first = await insertInbox(db, [row('a'), row('b'), row('a')], 10);
      assert.deepEqual(first, { inserted: 2, duplicates: 1 });
      const second = await insertInbox(db, [row('b'), row('c')], 11);
      assert.deepEqual(second, { inserted: 1, duplicates: 1 });
    });

    test('jobs of one subject run in order; other subjects are not held up', async () => {
      const rows = await unroutedInbox(db, 100);
      const byId = new Map(rows.map((r) => [r.sourceId, r.id]));
      const job = (sourceId: string, subject: string) => ({
        inboxId: byId.get(sourceId)!,
        pipeline: 'p',
        eventIndex: 0,
        subject,
        event: '{}',
      });
      await routeInbox(
        db,
        [
          { inboxId: byId.get('a')!, jobs: [job('a', 'user:1')] },
          { inboxId: byId.get('b')!, jobs: [job('b', 'user:1')] },
          { inboxId: byId.get('c')!, jobs: [job('c', 'user:2')] },
        ],
        20,
      );
      // routing twice is harmless
      await routeInbox(db, [{ inboxId: byId.get('a')!, jobs: [job('a', 'user:1')] }], 20);
      assert.equal(
        (await unroutedInbox(db, 100)).filter((r) => ['a', 'b', 'c'].includes(r.sourceId)).length,
        0,
      );

      const first = await claimJob(db, 30, 1000);
      assert.equal(first?.inboxId, byId.get('a'));
      const second = await claimJob(db, 30, 1000);
      assert.equal(second?.inboxId, byId.get('c'), 'user:1 is busy, so user:2 goes next');
      assert.equal(await claimJob(db, 30, 1000), undefined, 'b waits for a');

      await retryJob(db.kysely, first!.id, 500, 'unavailable', 31);
      assert.equal(await claimJob(db, 100, 1000), undefined, 'a is not due yet and b still waits for it');
      const again = await claimJob(db, 500, 1000);
      assert.equal(again?.id, first!.id);
      assert.equal(again?.attempts, 2);
      await finishJob(db, first!.id, 'applied', 'ok', 501);
      const next = await claimJob(db, 502, 1000);
      assert.equal(next?.inboxId, byId.get('b'));
    });

    test('a pipeline that runs after another waits for its earlier jobs on the same subject, only those', async () => {
      await routeOnly(701, [
        ['o1', 'signups', 'user:9'],
        ['o2', 'activity', 'user:9'],
        ['o3', 'activity', 'user:8'],
        ['o4', 'signups-eu', 'user:7'],
        ['o5', 'activity', 'user:7'],
      ]);
      const order = new Map([['activity', ['signups']]]);
      const wave = await claimJobs(db, 702, 1000, 10, order);
      assert.deepEqual(wave.map(label), [
        'signups user:9',
        'activity user:8',
        'signups-eu user:7',
        'activity user:7',
      ]);
      assert.deepEqual(await claimJobs(db, 703, 1000, 10, order), [], 'activity user:9 waits for its signup');
      await finishJob(db, wave[0]!.id, 'applied', 'ok', 704);
      assert.deepEqual((await claimJobs(db, 705, 1000, 10, order)).map(label), ['activity user:9']);
    });

    test('jobs of a paused pipeline are not claimed, nor later jobs that wait for them; the rest are', async () => {
      await routeOnly(751, [
        ['z1', 'signups', 'user:1'],
        ['z2', 'signups', 'user:2'],
        ['z3', 'activity', 'user:1'],
        ['z4', 'signups-eu', 'user:1'],
        ['z5', 'activity', 'user:3'],
      ]);
      const order = new Map([['activity', ['signups']]]);
      const paused = new Set(['signups']);
      const wave = await claimJobs(db, 752, 1000, 10, order, paused);
      assert.deepEqual(wave.map(label), ['signups-eu user:1', 'activity user:3']);
      assert.deepEqual(await claimJobs(db, 753, 1000, 10, order, paused), [], 'activity user:1 waits too');
      const resumed = await claimJobs(db, 754, 1000, 10, order);
      assert.deepEqual(resumed.map(label), ['signups user:1', 'signups user:2']);
      await finishJob(db, resumed[0]!.id, 'applied', 'ok', 755);
      assert.deepEqual((await claimJobs(db, 756, 1000, 10, order)).map(label), ['activity user:1']);
    });

    test('a finished job put back in the queue (a replay) goes before the later jobs of its subject', async () => {
      const byId = await routeOnly(851, [
        ['x1', 'p', 'user:x'],
        ['x2', 'p', 'user:x'],
        ['x3', 'p', 'user:x'],
      ]);
      const [x1] = await claimJobs(db, 852, 1000, 10);
      assert.equal(x1?.inboxId, byId.get('x1'));
      await finishJob(db, x1!.id, 'dead_lettered', 'INVALID_FIELD', 853);
      // x2 is claimed and still running when an operator replays x1.
      const [x2] = await claimJobs(db, 854, 1000, 10);
      assert.equal(x2?.inboxId, byId.get('x2'));
      assert.ok(await requeueJob(db.kysely, x1!.id, 855));
      const taken = await claimJobs(db, 856, 1000, 10);
      assert.deepEqual(
        taken.map((j) => j.inboxId),
        [byId.get('x1')],
        'the replay is older than every open job of its subject; x3 waits for both',
      );
      await finishJob(db, x1!.id, 'applied', 'ok', 857);
      assert.deepEqual(await claimJobs(db, 858, 1000, 10), [], 'x3 still waits for x2');
      await finishJob(db, x2!.id, 'applied', 'ok', 859);
      assert.deepEqual(
        (await claimJobs(db, 860, 1000, 10)).map((j) => j.inboxId),
        [byId.get('x3')],
      );
    });

    test('without a cross-pipeline order, pipelines do not wait for each other', async () => {
      await insertInbox(db, ['q1', 'q2'].map(row), 800);
      const rows = await unroutedInbox(db, 100);
      const byId = new Map(rows.map((r) => [r.sourceId, r.id]));
      await routeInbox(
        db,
        (
          [
            ['q1', 'signups'],
            ['q2', 'activity'],
          ] as const
        ).map(([sourceId, pipeline]) => ({
          inboxId: byId.get(sourceId)!,
          jobs: [{ inboxId: byId.get(sourceId)!, pipeline, eventIndex: 0, subject: 'user:6', event: '{}' }],
        })),
        801,
      );
      const wave = await claimJobs(db, 802, 1000, 10);
      assert.deepEqual(
        wave.filter((j) => j.subject === 'user:6').map((j) => j.pipeline),
        ['signups', 'activity'],
      );
    });

    test('claims walk the open-job indexes: done jobs are not in them, and no scan of the table', async (t) => {
      if (db.dialect !== 'sqlite')
        return t.skip('plans checked on SQLite, whose planner needs the exact terms');
      const sqlite = db.sqlite!;
      const plan = (source: string, ...parameters: unknown[]) =>
        (sqlite.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...parameters) as { detail: string }[])
          .map((r) => r.detail)
          .join(' | ');
      // The statements of `claimOnSqlite`: the open jobs outside the due queue, then the due queue in id order.
      const plans = {
        running: plan(
          "SELECT id, pipeline, subject, lease_until FROM jobs INDEXED BY jobs_running_lease WHERE state = 'running'",
        ),
        waiting: plan(
          "SELECT id, pipeline, subject FROM jobs INDEXED BY jobs_queued_due WHERE state = 'queued' AND run_after > ?",
          1,
        ),
        due: plan(
          "SELECT id, pipeline, subject FROM jobs INDEXED BY jobs_queued_id WHERE state = 'queued' AND run_after <= ? ORDER BY id",
          1,
        ),
      };
      for (const detail of Object.values(plans)) {
        assert.doesNotMatch(detail, /SCAN jobs\b(?! USING)/, `a claim scans the jobs table: ${detail}`);
        assert.doesNotMatch(detail, /TEMP B-TREE/, `a claim sorts: ${detail}`);
      }
      assert.match(plans.running, /jobs_running_lease/);
      assert.match(plans.waiting, /jobs_queued_due/);
      assert.match(plans.due, /SCAN jobs USING INDEX jobs_queued_id/);
      // No index ordered by subject on SQLite (migration 0007): nothing is written at a random place per job.
      assert.equal(
        sqlite
          .prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'jobs_open_subject'")
          .pluck()
          .get(),
        0,
      );
      // A done job is in none of the claim indexes.
      const openIndexes = ['jobs_queued_id', 'jobs_queued_due', 'jobs_running_lease'];
      const done = (
        sqlite.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'done'`).get() as { n: number }
      ).n;
      assert.ok(done > 0, 'the suite has finished jobs by now');
      for (const index of openIndexes) {
        const [where] = sqlite
          .prepare(`SELECT sql FROM sqlite_master WHERE name = ?`)
          .pluck()
          .all(index) as string[];
        assert.match(String(where), /where/i, `${index} is partial`);
      }
    });

    test('an expired lease lets another worker take the job over', async () => {
      const stuck = (await listJobs(db, { state: 'running' }))[0];
      assert.ok(stuck, 'a running job from the previous test');
      assert.equal(await claimJob(db, 600, 1000), undefined, 'lease still held');
      const taken = await claimJob(db, stuck.updatedAt + 1001 + 1000, 1000);
      assert.equal(taken?.id, stuck.id);
    });

    test('a renewed lease keeps the job claimed past its first term; finished jobs are left alone', async () => {
      await routeOnly(900, [
        ['renew-a', 'p', 'user:renew-a'],
        ['renew-b', 'p', 'user:renew-b'],
      ]);
      const [a, b] = await claimJobs(db, 1000, 1000, 2);
      assert.ok(a && b, 'both jobs claimed');
      await finishJob(db, b.id, 'applied', 'done', 1500, null);
      assert.equal(await renewLeases(db, [a.id, b.id], 5000), 1, 'only the running job is renewed');
      assert.deepEqual(await claimJobs(db, 4000, 1000, 10), [], 'not taken over while its lease is renewed');
      const [after] = await listJobs(db, { state: 'done', pipeline: 'p' }).then((jobs) =>
        jobs.filter((j) => j.id === b.id),
      );
      assert.equal(after?.outcome, 'applied', 'a finished job stays finished');
      assert.equal(
        (await claimJobs(db, 5001, 1000, 10))[0]?.id,
        a.id,
        'taken over once the renewal runs out',
      );
    });

    test('identity links upsert by (tenant, user, org)', async () => {
      const link = {
        tenant: 'acme',
        auth0UserId: 'auth0|1',
        org: 'prod',
        object: 'Lead',
        recordId: '00Q000000000001AAA',
        matchedBy: 'created',
        reason: 'new',
      };
      await upsertLink(db, link, 1);
      await upsertLink(
        db,
        { ...link, object: 'Contact', recordId: '003000000000001AAA', matchedBy: 'email' },
        2,
      );
      const found = await findLink(db, 'acme', 'auth0|1', 'prod');
      assert.equal(found?.recordId, '003000000000001AAA');
      assert.equal(found?.matchedBy, 'email');
      assert.equal(await findLink(db, 'acme', 'auth0|1', 'other'), undefined);
    });

    test('resolving quarantine requeues the job with the decision', async () => {
      const done = (await listJobs(db, { state: 'running' }))[0] ?? (await listJobs(db))[0]!;
      await finishJob(db, done.id, 'quarantined', 'two contacts', 700);
      await openQuarantine(
        db,
        {
          jobId: done.id,
          pipeline: 'p',
          reason: 'two contacts',
          candidates: [{ object: 'Contact', id: 'x', why: 'email' }],
        },
        700,
      );
      const [item] = await listQuarantine(db);
      assert.equal(item?.jobId, done.id);
      assert.equal(await resolveQuarantine(db, item!.id, { action: 'create' }, 800), true);
      assert.equal(
        await resolveQuarantine(db, item!.id, { action: 'create' }, 800),
        false,
        'already resolved',
      );
      const requeued = (await listJobs(db)).find((j) => j.id === done.id);
      assert.equal(requeued?.state, 'queued');
      assert.equal(requeued?.outcome, null);
      assert.deepEqual(JSON.parse(requeued!.resolution!), { action: 'create' });
    });
  });
}
