import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Db,
  insertInbox,
  listJobs,
  type NewJob,
  openDatabase,
  routeInbox,
  type StoreOptions,
  unroutedInbox,
} from '../src/store/index.js';
import { DIALECTS, useFreshStore } from './support/databases.js';

for (const dialect of DIALECTS) {
  describe(`routeInbox on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    let options: StoreOptions;
    useFreshStore(dialect.name, (store) => {
      ({ db, options } = store);
    });

    const input = (sourceId: string) => ({
      source: 'auth0.logs',
      connection: 'acme',
      sourceId,
      sourceType: 'ss',
      payload: '{}',
    });

    async function inboxIds(prefix: string, count: number) {
      const sourceIds = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
      await insertInbox(db, sourceIds.map(input), 5);
      const rows = await unroutedInbox(db, 1000);
      const byId = new Map(rows.map((r) => [r.sourceId, r.id]));
      return sourceIds.map((s) => byId.get(s)!);
    }

    async function routedAt(ids: number[]) {
      const rows = await db.kysely
        .selectFrom('inbox')
        .select(['id', 'routed_at'])
        .where('id', 'in', ids)
        .orderBy('id')
        .execute();
      return rows.map((r) => (r.routed_at === null ? null : Number(r.routed_at)));
    }

    test('routing the same rows twice creates each job once, with its fields, and marks the rows routed', async () => {
      const [a, b, c] = await inboxIds('twice-', 3);
      const routed = (subjectSuffix: string): { inboxId: number; jobs: NewJob[] }[] => [
        {
          inboxId: a!,
          jobs: [
            {
              inboxId: a!,
              pipeline: 'p1',
              eventIndex: 0,
              subject: `user:a${subjectSuffix}`,
              event: '{"n":0}',
            },
            {
              inboxId: a!,
              pipeline: 'p2',
              eventIndex: 0,
              subject: `user:a${subjectSuffix}`,
              event: '{"n":0}',
            },
            {
              inboxId: a!,
              pipeline: 'p1',
              eventIndex: 1,
              subject: `user:a${subjectSuffix}`,
              event: '{"n":1}',
            },
          ],
        },
        {
          inboxId: b!,
          jobs: [{ inboxId: b!, pipeline: 'p1', eventIndex: 0, subject: 'user:b', event: '{}' }],
        },
        {
          inboxId: c!,
          jobs: [
            {
              inboxId: c!,
              pipeline: '',
              eventIndex: 0,
              subject: `inbox:${c}`,
              event: '{}',
              outcome: { outcome: 'filtered', reason: 'no pipeline acts on it' },
            },
          ],
        },
      ];

      await routeInbox(db, routed(''), 100);
      // Again, later and with different values: the jobs already there stay as they were.
      await routeInbox(db, routed('-changed'), 200);

      const jobs = (await listJobs(db, { limit: 1000 })).filter((j) => [a, b, c].includes(j.inboxId));
      assert.equal(jobs.length, 5, 'one job per (row, pipeline, event), however often the rows are routed');
      const fields = jobs.map((j) => ({
        inboxId: j.inboxId,
        pipeline: j.pipeline,
        eventIndex: j.eventIndex,
        subject: j.subject,
        event: j.event,
        state: j.state,
        attempts: j.attempts,
        runAfter: j.runAfter,
        outcome: j.outcome,
        reason: j.reason,
        lastError: j.lastError,
        resolution: j.resolution,
        createdAt: j.createdAt,
        updatedAt: j.updatedAt,
      }));
      const queued = { state: 'queued', attempts: 0, runAfter: 100, outcome: null, reason: null };
      const common = { lastError: null, resolution: null, createdAt: 100, updatedAt: 100 };
      assert.deepEqual(fields, [
        {
          inboxId: a,
          pipeline: 'p1',
          eventIndex: 0,
          subject: 'user:a',
          event: '{"n":0}',
          ...queued,
          ...common,
        },
        {
          inboxId: a,
          pipeline: 'p2',
          eventIndex: 0,
          subject: 'user:a',
          event: '{"n":0}',
          ...queued,
          ...common,
        },
        {
          inboxId: a,
          pipeline: 'p1',
          eventIndex: 1,
          subject: 'user:a',
          event: '{"n":1}',
          ...queued,
          ...common,
        },
        { inboxId: b, pipeline: 'p1', eventIndex: 0, subject: 'user:b', event: '{}', ...queued, ...common },
        {
          inboxId: c,
          pipeline: '',
          eventIndex: 0,
          subject: `inbox:${c}`,
          event: '{}',
          state: 'done',
          attempts: 0,
          runAfter: 100,
          outcome: 'filtered',
          reason: 'no pipeline acts on it',
          ...common,
        },
      ]);
      assert.deepEqual(
        (await unroutedInbox(db, 1000)).filter((r) => [a, b, c].includes(r.id)),
        [],
        'all three rows are routed',
      );
      assert.deepEqual(await routedAt([a!, b!, c!]), [200, 200, 200], 'routed_at is the latest routing time');
      const leases = await db.kysely
        .selectFrom('jobs')
        .select('lease_until')
        .where('inbox_id', 'in', [a!, b!, c!])
        .execute();
      assert.deepEqual(
        leases.map((l) => l.lease_until),
        [null, null, null, null, null],
      );
    });

    test('a batch fails as a whole: no job and no routed row are left behind', async () => {
      const [d, e] = await inboxIds('atomic-', 2);
      const bad = {
        inboxId: e!,
        pipeline: 'p1',
        eventIndex: 0,
        subject: null as unknown as string,
        event: '{}',
      };
      await assert.rejects(
        routeInbox(
          db,
          [
            {
              inboxId: d!,
              jobs: [{ inboxId: d!, pipeline: 'p1', eventIndex: 0, subject: 'user:d', event: '{}' }],
            },
            { inboxId: e!, jobs: [bad] },
          ],
          300,
        ),
      );
      assert.equal((await listJobs(db, { limit: 1000 })).filter((j) => [d, e].includes(j.inboxId)).length, 0);
      assert.deepEqual(await routedAt([d!, e!]), [null, null]);
    });

    test('routes on a second handle of the same database, then again on the first', async () => {
      const [f, g] = await inboxIds('handle-', 2);
      const other = await openDatabase(options);
      try {
        await routeInbox(
          other,
          [
            { inboxId: f!, jobs: [] },
            {
              inboxId: g!,
              jobs: [{ inboxId: g!, pipeline: 'p1', eventIndex: 0, subject: 'user:g', event: '{}' }],
            },
          ],
          401,
        );
      } finally {
        await other.close();
      }
      await routeInbox(
        db,
        [
          {
            inboxId: g!,
            jobs: [{ inboxId: g!, pipeline: 'p1', eventIndex: 0, subject: 'user:g', event: '{}' }],
          },
        ],
        402,
      );
      assert.deepEqual(await routedAt([f!, g!]), [401, 402]);
      assert.equal((await listJobs(db, { limit: 1000 })).filter((j) => j.inboxId === g).length, 1);
    });
  });
}
