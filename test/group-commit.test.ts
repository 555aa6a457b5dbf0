/**
 * Group commit of job bookkeeping: units handed in together share one transaction on SQLite, each in its own
 * savepoint, and none resolves before the shared commit returned. Real store; a second SQLite connection reads
 * what is committed, and a deferred foreign key makes a commit itself fail.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { appendAudit, commitTogether, type Db, getState, writeState } from '../src/store/index.js';
import { DIALECTS, useFreshStore } from './support/databases.js';

const entry = (summary: string) => ({ pipeline: 'p', action: 'test.unit', summary });

for (const dialect of DIALECTS) {
  describe(`group commit on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    let path: string | undefined;
    useFreshStore(dialect.name, (store) => {
      db = store.db;
      path = store.options.driver === 'sqlite' ? store.options.path : undefined;
    });
    const summaries = async () =>
      (await db.kysely.selectFrom('audit').select('summary').where('action', '=', 'test.unit').execute())
        .map((r) => r.summary)
        .sort();

    test('a unit that fails is rolled back alone; the others are committed and get their values', async () => {
      const results = await Promise.allSettled([
        commitTogether(db, async (tx) => {
          await appendAudit(tx, entry('one'), 1);
          return 1;
        }),
        commitTogether(db, async (tx) => {
          await appendAudit(tx, entry('two, then a failure'), 2);
          throw new Error('the second unit fails');
        }),
        commitTogether(db, async (tx) => {
          await appendAudit(tx, entry('three'), 3);
          return 3;
        }),
      ]);
      assert.deepEqual(
        results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
        [1, 'the second unit fails', 3],
      );
      assert.deepEqual(await summaries(), ['one', 'three']);
    });

    test('a unit resolves only once its commit is visible to another connection', async (t) => {
      if (!path) return t.skip('PostgreSQL commits each unit on its own (covered by the first test)');
      const reader = new SQLite(path, { readonly: true });
      t.after(() => reader.close());
      const seen = await Promise.all(
        ['a', 'b'].map((name) =>
          commitTogether(db, (tx) => appendAudit(tx, entry(`visible ${name}`), 4)).then(
            () =>
              reader.prepare(`SELECT COUNT(*) AS n FROM audit WHERE summary = ?`).get(`visible ${name}`) as {
                n: number;
              },
          ),
        ),
      );
      assert.deepEqual(
        seen.map((r) => r.n),
        [1, 1],
      );
    });

    test('when the shared commit fails, every unit in it is rejected and nothing stays', async (t) => {
      if (!path) return t.skip('SQLite only: PostgreSQL has no shared commit');
      const setup = new SQLite(path);
      t.after(() => setup.close());
      // A deferred foreign key is checked at COMMIT: an audit row "poison" makes the whole commit fail.
      setup.exec(`
        CREATE TABLE must_exist (id INTEGER PRIMARY KEY);
        CREATE TABLE tripwire (ref INTEGER REFERENCES must_exist (id) DEFERRABLE INITIALLY DEFERRED);
        CREATE TRIGGER poison_commit AFTER INSERT ON audit WHEN NEW.summary = 'poison'
          BEGIN INSERT INTO tripwire VALUES (42); END;`);
      setup.pragma('foreign_keys = ON');
      const results = await Promise.allSettled([
        commitTogether(db, (tx) => appendAudit(tx, entry('innocent'), 5)),
        commitTogether(db, (tx) => appendAudit(tx, entry('poison'), 5)),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['rejected', 'rejected'],
      );
      assert.equal((await summaries()).includes('innocent'), false);
      // the store still works afterwards
      await commitTogether(db, (tx) => appendAudit(tx, entry('after'), 6));
      assert.ok((await summaries()).includes('after'));
    });

    test('a read made while a group commit is open sees committed data only', async () => {
      await commitTogether(db, (tx) => writeState(tx, 'p', { counter: 1 }, 1));
      let outside: Promise<number | undefined> | undefined;
      let inside: number | undefined;
      const unit = commitTogether(db, async (tx) => {
        await writeState(tx, 'p', { counter: 2 }, 2);
        // Another job's read from outside the transaction while this unit's write is uncommitted; not awaited
        // here: a unit must not wait for anything but the store.
        outside = getState<number>(db, 'p', 'counter');
        inside = await getState<number>(tx, 'p', 'counter');
        throw new Error('rolled back');
      });
      await assert.rejects(unit, /rolled back/);
      assert.equal(inside, 2);
      // The write it could have seen was rolled back: it read the committed value.
      assert.equal(await outside, 1);
      assert.equal(await getState<number>(db, 'p', 'counter'), 1);
      await commitTogether(db, (tx) => writeState(tx, 'p', { counter: null }, 3));
      assert.equal(await getState<number>(db, 'p', 'counter'), undefined);
    });
  });
}
