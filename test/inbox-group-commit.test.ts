/**
 * Group commit of webhook deliveries (SQLite): deliveries that arrive together share one fsynced commit, and
 * none is answered 2xx before that commit has returned. Real app, real store; a second SQLite connection
 * reads what is committed, and a deferred foreign key makes a commit itself fail.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import type { Hono } from 'hono';
import pino from 'pino';
import { createHttpApp } from '../src/server/app.js';
import { type Db, openDatabase } from '../src/store/index.js';
import { freshDatabase } from './support/databases.js';

const AUTHORIZATION = 'Bearer group-commit-test-secret-0123456789';

/** A JSONARRAY log stream body of `ids`, as Auth0 sends it. */
const body = (ids: string[]) =>
  JSON.stringify(ids.map((id) => ({ log_id: id, data: { type: 's', user_id: `auth0|${id}`, date: '' } })));

describe('inbox group commit (SQLite)', () => {
  let db: Db;
  let app: Hono;
  let reader: SQLite.Database;
  let cleanup: () => Promise<void>;
  before(async () => {
    const fresh = await freshDatabase('sqlite');
    cleanup = fresh.cleanup;
    db = await openDatabase(fresh.options);
    if (fresh.options.driver !== 'sqlite') throw new Error('expected SQLite');
    reader = new SQLite(fresh.options.path);
    // A deferred foreign key is checked at COMMIT: a row "poison" makes the whole commit fail.
    reader.exec(`
      CREATE TABLE must_exist (id INTEGER PRIMARY KEY);
      CREATE TABLE tripwire (ref INTEGER REFERENCES must_exist (id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER poison_commit AFTER INSERT ON inbox WHEN NEW.source_id LIKE 'poison%'
        BEGIN INSERT INTO tripwire VALUES (42); END;
      CREATE TRIGGER reject_row BEFORE INSERT ON inbox WHEN NEW.source_id LIKE 'reject%'
        BEGIN SELECT RAISE(ABORT, 'rejected by the test'); END;`);
    app = createHttpApp({
      db,
      authorizations: new Map([['acme', AUTHORIZATION]]),
      eventStreams: new Map(),
      maxBodyBytes: 1_000_000,
      now: () => 1_000,
      isReady: () => true,
      onCommitted: () => {},
      logger: pino({ level: 'silent' }),
    });
  });
  after(async () => {
    reader?.close();
    await db?.close();
    await cleanup?.();
  });
  beforeEach(() => {
    reader.exec('DELETE FROM inbox');
  });

  /** Posts a body; on answering, reads which of its ids another connection already sees committed. */
  async function post(ids: string[]) {
    const response = await app.request('/hooks/auth0/acme/logs', {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body: body(ids),
    });
    const visible = ids.filter((id) =>
      reader.prepare('SELECT 1 FROM inbox WHERE source_id = ?').get(id),
    ).length;
    return { status: response.status, json: (await response.json()) as Record<string, unknown>, visible };
  }

  const count = () => (reader.prepare('SELECT COUNT(*) AS n FROM inbox').get() as { n: number }).n;
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

  test('concurrent deliveries are each answered 200 only once their rows are committed', async () => {
    const results = await Promise.all([post(ids('a', 100)), post(ids('b', 100)), post(ids('c', 100))]);
    for (const r of results) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { received: 100, stored: 100, duplicates: 0 });
      assert.equal(r.visible, 100, 'every row is readable by another connection when the 200 arrives');
    }
    assert.equal(count(), 300);
  });

  test('repeats across deliveries of one group are stored once and counted as duplicates', async () => {
    const [first, second] = await Promise.all([post(ids('d', 3)), post([...ids('d', 3), 'e-0'])]);
    assert.deepEqual(first?.json, { received: 3, stored: 3, duplicates: 0 });
    assert.deepEqual(second?.json, { received: 4, stored: 1, duplicates: 3 });
    assert.equal(count(), 4);
  });

  test('a commit that fails answers no delivery of its group with a 2xx, and stores nothing', async () => {
    const results = await Promise.all([
      post(ids('f', 50)),
      post([...ids('g', 10), 'poison-1']),
      post(ids('h', 50)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      [500, 500, 500],
    );
    assert.equal(count(), 0);
    // The store is usable afterwards: the good deliveries, sent again, are committed.
    const again = await Promise.all([post(ids('f', 50)), post(ids('h', 50))]);
    assert.deepEqual(
      again.map((r) => [r.status, r.visible]),
      [
        [200, 50],
        [200, 50],
      ],
    );
  });

  test('a delivery whose rows are refused fails alone; the rest of its group is committed', async () => {
    const results = await Promise.all([
      post(ids('i', 20)),
      post([...ids('j', 5), 'reject-1']),
      post(ids('k', 20)),
    ]);
    assert.deepEqual(
      results.map((r) => [r.status, r.visible]),
      [
        [200, 20],
        [500, 0],
        [200, 20],
      ],
    );
    assert.equal(count(), 40);
  });
});
