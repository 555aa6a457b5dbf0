import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import {
  claimJobs,
  type Db,
  getJob,
  getState,
  insertInbox,
  listJobs,
  openDatabase,
  pruneExpired,
  replayJob,
  routeInbox,
  unroutedInbox,
  writeState,
} from '../src/store/index.js';
import { migrateToLatest } from '../src/store/migrations/index.js';
import { DIALECTS, freshDatabase } from './support/databases.js';

const event = (sourceId: string) =>
  JSON.stringify({ kind: 'user.login', sourceId, subject: `user:${sourceId}` });

/** Opens the bare database with Kysely alone (no migrations), for writing a store as an older version did. */
function bare(options: Awaited<ReturnType<typeof freshDatabase>>['options']): Kysely<unknown> {
  if (options.driver === 'sqlite')
    return new Kysely({ dialect: new SqliteDialect({ database: new SQLite(options.path) }) });
  return new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.url, max: 2 }) }),
  });
}

async function withStore(dialect: 'sqlite' | 'postgres', use: (db: Db) => Promise<void>) {
  const fresh = await freshDatabase(dialect);
  const db = await openDatabase(fresh.options);
  try {
    await use(db);
  } finally {
    await db.close();
    await fresh.cleanup();
  }
}

for (const dialect of DIALECTS) {
  describe(`events beside jobs on ${dialect.name}`, { skip: dialect.skip }, () => {
    test('migration 0008 moves each event to job_events once, keeps pipeline state, and jobs run as before', async () => {
      const fresh = await freshDatabase(dialect.name);
      try {
        const old = bare(fresh.options);
        await migrateToLatest(old, dialect.name, '0007-sqlite-claims-without-subject-index');
        const inbox = (sourceId: string) => ({
          source: 'auth0.logs',
          connection: 'acme',
          source_id: sourceId,
          source_type: 's',
          payload: '{}',
          received_at: 1,
          routed_at: 2,
        });
        const ids = [];
        for (const sourceId of ['a', 'b']) {
          const row = await sql<{
            id: number;
          }>`INSERT INTO inbox (source, connection, source_id, source_type, payload, received_at, routed_at)
            VALUES (${inbox(sourceId).source}, 'acme', ${sourceId}, 's', '{}', 1, 2) RETURNING id`.execute(
            old,
          );
          ids.push(Number(row.rows[0]!.id));
        }
        const job = (
          inboxId: number,
          pipeline: string,
          state: string,
          outcome: string | null,
          text: string,
        ) =>
          sql`INSERT INTO jobs (inbox_id, pipeline, event_index, subject, event, state, attempts, run_after, outcome, created_at, updated_at)
            VALUES (${inboxId}, ${pipeline}, 0, 'user:x', ${text}, ${state}, 0, 2, ${outcome}, 2, 2)`.execute(
            old,
          );
        // Row a: two pipelines' jobs for its one event (one done, one still queued); row b: no pipeline wanted it.
        await job(ids[0]!, 'signups', 'done', 'applied', event('a'));
        await job(ids[0]!, 'activity', 'queued', null, event('a'));
        await job(ids[1]!, '', 'done', 'filtered', event('b'));
        await sql`INSERT INTO pipeline_state (pipeline, key, value, updated_at) VALUES ('activity', 'engagement:u1', '{"days":3}', 5)`.execute(
          old,
        );
        await old.destroy();

        const db = await openDatabase(fresh.options);
        try {
          const stored = await db.kysely.selectFrom('job_events').selectAll().orderBy('inbox_id').execute();
          assert.deepEqual(
            stored.map((e) => [Number(e.inbox_id), e.event_index, e.event]),
            [
              [ids[0], 0, event('a')],
              [ids[1], 0, event('b')],
            ],
            'one copy per (inbox row, event index), shared by the jobs of both pipelines',
          );
          const columns = (await db.kysely.introspection.getTables()).find((t) => t.name === 'jobs')!.columns;
          assert.ok(!columns.some((c) => c.name === 'event'), 'jobs no longer carry the event');
          const jobs = await listJobs(db);
          assert.deepEqual(
            jobs.map((j) => [j.pipeline, j.event]),
            [
              ['signups', event('a')],
              ['activity', event('a')],
              ['', event('b')],
            ],
          );
          const [claimed] = await claimJobs(db, 10, 1000, 10);
          assert.equal(claimed?.pipeline, 'activity');
          assert.equal(claimed?.event, event('a'), 'a claimed job comes with its event');
          assert.deepEqual(await getState(db, 'activity', 'engagement:u1'), { days: 3 });
          if (dialect.name === 'sqlite') {
            const list = db
              .sqlite!.prepare("SELECT wr FROM pragma_table_list WHERE name = 'pipeline_state'")
              .get() as {
              wr: number;
            };
            assert.equal(list.wr, 1, 'pipeline_state is a WITHOUT ROWID table');
          }
        } finally {
          await db.close();
        }
      } finally {
        await fresh.cleanup();
      }
    });

    test('routing stores one event per (row, index) for all its jobs; claims, replays and retention keep them in step', async () => {
      await withStore(dialect.name, async (db) => {
        await insertInbox(
          db,
          ['r1', 'r2'].map((sourceId) => ({
            source: 'auth0.logs',
            connection: 'acme',
            sourceId,
            sourceType: 's',
            payload: '{}',
          })),
          1,
        );
        const [r1, r2] = await unroutedInbox(db, 10);
        const newJob = (inboxId: number, pipeline: string, text: string) => ({
          inboxId,
          pipeline,
          eventIndex: 0,
          subject: `user:${inboxId}`,
          event: text,
        });
        const routed = [
          {
            inboxId: r1!.id,
            jobs: [newJob(r1!.id, 'signups', event('r1')), newJob(r1!.id, 'activity', event('r1'))],
          },
          {
            inboxId: r2!.id,
            jobs: [
              {
                ...newJob(r2!.id, '', event('r2')),
                outcome: { outcome: 'filtered' as const, reason: 'no pipeline' },
              },
            ],
          },
        ];
        await routeInbox(db, routed, 2);
        await routeInbox(db, routed, 2); // routing again changes nothing
        const count = async () =>
          Number(
            (
              await db.kysely
                .selectFrom('job_events')
                .select((eb) => eb.fn.countAll().as('n'))
                .executeTakeFirstOrThrow()
            ).n,
          );
        assert.equal(await count(), 2);
        const claimed = await claimJobs(db, 3, 1000, 10);
        assert.deepEqual(
          claimed.map((j) => [j.pipeline, j.event]),
          [
            ['signups', event('r1')],
            ['activity', event('r1')],
          ],
        );
        // Replaying the job of no pipeline routes its row again: its event goes, to be stored afresh.
        const filtered = (await listJobs(db, { pipeline: '' }))[0]!;
        assert.equal(filtered.event, event('r2'));
        assert.equal(await replayJob(db, filtered.id, 4), 'rerouted');
        assert.equal(await count(), 1);
        assert.equal(await getJob(db.kysely, filtered.id), undefined);
        // Once every job of row 1 is done and the row is old, retention takes its event with it.
        for (const job of claimed) {
          await db.kysely
            .updateTable('jobs')
            .set({ state: 'done', outcome: 'applied' })
            .where('id', '=', job.id)
            .execute();
        }
        await writeState(db, 'activity', { k: 1 }, 5);
        const pruned = await pruneExpired(db, 40 * 86_400_000, { days: 31, auditDays: null });
        assert.equal(pruned.inbox, 1, 'row 1 pruned; row 2 is unrouted again and stays');
        assert.equal(await count(), 0);
        assert.deepEqual(await getState(db, 'activity', 'k'), 1, 'pipeline state is never pruned');
      });
    });
  });
}
