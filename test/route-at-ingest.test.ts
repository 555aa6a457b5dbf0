/**
 * Routing in the commit that stores a webhook delivery (SQLite): the jobs exist as soon as the delivery is
 * acknowledged, each row once; jobs of one subject stay in inbox order (no inline routing while an older row
 * waits for the router loop); a row whose routing fails, and every row after it, is left to the loop.
 * Real store; a second connection checks what was committed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import {
  type Db,
  type InboxRow,
  insertInbox,
  type NewJob,
  routeAtIngest,
  unroutedInbox,
} from '../src/store/index.js';
import { useFreshStore } from './support/databases.js';

const input = (sourceId: string, user = sourceId) => ({
  source: 'auth0.logs',
  connection: 'acme',
  sourceId,
  sourceType: 's',
  payload: JSON.stringify({ user_id: user }),
});

/** One job per row for pipeline "p", its subject from the payload; throws for the rows it is told to. */
const router =
  (failFor: string[] = []) =>
  (row: InboxRow): NewJob[] => {
    if (failFor.includes(row.sourceId)) throw new Error(`cannot route ${row.sourceId}`);
    const { user_id } = JSON.parse(row.payload) as { user_id: string };
    return [
      { inboxId: row.id, pipeline: 'p', eventIndex: 0, subject: `user:${user_id}`, event: row.payload },
    ];
  };

describe('routing at ingest (SQLite)', () => {
  let db: Db;
  let path = '';
  useFreshStore('sqlite', (store) => {
    db = store.db;
    path = store.options.driver === 'sqlite' ? store.options.path : '';
  });
  const jobsOf = async (sourceIds: string[]) => {
    const rows = await db.kysely
      .selectFrom('jobs')
      .innerJoin('inbox', 'inbox.id', 'jobs.inbox_id')
      .select(['inbox.source_id as sourceId', 'jobs.id as jobId', 'jobs.subject', 'jobs.state'])
      .where('inbox.source_id', 'in', sourceIds)
      .orderBy('jobs.id')
      .execute();
    return rows;
  };

  test('a delivery is routed in the commit that stores it, each row once', async (t) => {
    routeAtIngest(db.sqlite!, router());
    t.after(() => routeAtIngest(db.sqlite!, undefined));
    const reader = new SQLite(path, { readonly: true });
    t.after(() => reader.close());

    const first = await insertInbox(db, [input('a1', 'ann'), input('a2', 'bob')], 10);
    assert.equal(first.inserted, 2);
    // Another connection sees the rows and their jobs together, at the moment the delivery is acknowledged.
    const committed = reader
      .prepare(
        `SELECT i.source_id AS s, i.routed_at AS routedAt, j.subject FROM inbox i JOIN jobs j ON j.inbox_id = i.id
         WHERE i.source_id IN ('a1', 'a2') ORDER BY j.id`,
      )
      .all();
    assert.deepEqual(committed, [
      { s: 'a1', routedAt: 10, subject: 'user:ann' },
      { s: 'a2', routedAt: 10, subject: 'user:bob' },
    ]);
    assert.deepEqual(await unroutedInbox(db, 10), []);

    // A repeat (and a repeat inside the batch) stores nothing and routes nothing again.
    const again = await insertInbox(db, [input('a1', 'ann'), input('a3', 'ann'), input('a3', 'ann')], 11);
    assert.deepEqual(again, { inserted: 1, duplicates: 2 });
    const jobs = await jobsOf(['a1', 'a2', 'a3']);
    assert.deepEqual(
      jobs.map((j) => [j.sourceId, j.subject, j.state]),
      [
        ['a1', 'user:ann', 'queued'],
        ['a2', 'user:bob', 'queued'],
        ['a3', 'user:ann', 'queued'],
      ],
    );
  });

  test('no inline routing while an older row is unrouted: that would put a newer job first', async (t) => {
    await insertInbox(db, [input('b1', 'cy')], 20); // stored while nobody routes at ingest
    routeAtIngest(db.sqlite!, router());
    t.after(() => routeAtIngest(db.sqlite!, undefined));
    await insertInbox(db, [input('b2', 'cy')], 21);
    assert.deepEqual(await jobsOf(['b1', 'b2']), []);
    assert.deepEqual(
      (await unroutedInbox(db, 10)).map((r) => r.sourceId),
      ['b1', 'b2'],
      'both wait for the router loop, which takes them in inbox order',
    );
    // Once the loop has caught up, deliveries are routed inline again.
    await db.kysely.updateTable('inbox').set({ routed_at: 22 }).where('routed_at', 'is', null).execute();
    await insertInbox(db, [input('b3', 'cy')], 23);
    assert.deepEqual(
      (await jobsOf(['b3'])).map((j) => j.sourceId),
      ['b3'],
    );
  });

  test('a row whose routing fails is stored unrouted, with every row after it; the rows before it are routed', async (t) => {
    routeAtIngest(db.sqlite!, router(['c2']));
    t.after(() => routeAtIngest(db.sqlite!, undefined));
    const result = await insertInbox(db, [input('c1', 'di'), input('c2', 'di'), input('c3', 'ed')], 30);
    assert.equal(result.inserted, 3, 'the delivery is still stored and acknowledged');
    assert.deepEqual(
      (await jobsOf(['c1', 'c2', 'c3'])).map((j) => j.sourceId),
      ['c1'],
    );
    assert.deepEqual(
      (await unroutedInbox(db, 10)).map((r) => r.sourceId),
      ['c2', 'c3'],
    );
  });
});
