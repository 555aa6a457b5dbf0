import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  appendAudit,
  type Db,
  finishJob,
  insertInbox,
  listJobs,
  openQuarantine,
  pruneExpired,
  resolveQuarantine,
  routeInbox,
  saveIntents,
  unroutedInbox,
} from '../src/store/index.js';
import { DIALECTS, useFreshStore } from './support/databases.js';

const DAY = 86_400_000;
const NOW = 1_000 * DAY;
const OLD = NOW - 100 * DAY;
const YOUNG = NOW - 10 * DAY;
const POLICY = { days: 90, auditDays: 365 };

for (const dialect of DIALECTS) {
  describe(`retention on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    useFreshStore(dialect.name, (store) => {
      ({ db } = store);
    });

    const row = (sourceId: string) => ({
      source: 'auth0.logs',
      connection: 'acme',
      sourceId,
      sourceType: 'ss',
      payload: '{"email":"someone@example.com"}',
    });
    /** Stores rows at `at` and routes each to one job of pipeline `p` (or '' = filtered when routed). */
    const store = async (at: number, rows: { id: string; pipeline?: string; route?: boolean }[]) => {
      await insertInbox(
        db,
        rows.map((r) => row(r.id)),
        at,
      );
      const stored = await unroutedInbox(db, 1000);
      const byId = new Map(stored.map((r) => [r.sourceId, r.id]));
      await routeInbox(
        db,
        rows
          .filter((r) => r.route !== false)
          .map((r) => {
            const inboxId = byId.get(r.id)!;
            const pipeline = r.pipeline ?? 'p';
            return {
              inboxId,
              jobs: [
                {
                  inboxId,
                  pipeline,
                  eventIndex: 0,
                  subject: `user:${r.id}`,
                  event: '{}',
                  ...(pipeline === '' ? { outcome: { outcome: 'filtered' as const, reason: 'noise' } } : {}),
                },
              ],
            };
          }),
        at,
      );
    };
    const jobOf = async (subject: string) =>
      (await listJobs(db, { limit: 1000 })).find((j) => j.subject === subject)!;
    const count = async (table: 'inbox' | 'jobs' | 'intents' | 'quarantine' | 'audit') =>
      Number(
        (
          await db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('old settled rows go with their jobs, intents and resolved quarantine; open, held and dead-lettered stay', async () => {
      await store(OLD, [
        { id: 'done' },
        { id: 'open' },
        { id: 'held' },
        { id: 'resolved' },
        { id: 'dead' },
        { id: 'noise', pipeline: '' },
        { id: 'unrouted', route: false },
      ]);
      await store(YOUNG, [{ id: 'young' }]);

      const done = await jobOf('user:done');
      await saveIntents(
        db,
        done.id,
        [{ kind: 'salesforce.update', object: 'Contact', id: '003000000000001', fields: { Title: 'x' } }],
        'applied',
        OLD,
      );
      await finishJob(db, done.id, 'applied', 'ok', OLD);
      /** Ends the subject's job as quarantined, with its open item. */
      const quarantine = async (subject: string) => {
        const job = await jobOf(subject);
        await finishJob(db, job.id, 'quarantined', 'two Contacts match', OLD);
        await openQuarantine(
          db,
          { jobId: job.id, pipeline: 'p', reason: 'two Contacts match', candidates: [] },
          OLD,
        );
        return job;
      };
      await quarantine('user:held');
      const resolved = await quarantine('user:resolved');
      const [item] = await db.kysely
        .selectFrom('quarantine')
        .select('id')
        .where('job_id', '=', resolved.id)
        .execute();
      assert.ok(await resolveQuarantine(db, Number(item!.id), { action: 'create' }, OLD + 1));
      await finishJob(db, resolved.id, 'filtered', 'skipped by an operator', OLD + 2);
      await finishJob(db, (await jobOf('user:young')).id, 'applied', 'ok', YOUNG);
      await finishJob(db, (await jobOf('user:dead')).id, 'dead_lettered', 'INVALID_FIELD', OLD);

      for (const at of [NOW - 500 * DAY, NOW - 400 * DAY, NOW - 30 * DAY]) {
        await appendAudit(db, { pipeline: 'p', action: 'note', summary: 's', data: {} }, at);
      }
      const before = { inbox: await count('inbox'), jobs: await count('jobs'), audit: await count('audit') };

      // Batches of two rows: the walk must step over kept rows and carry on.
      const pruned = await pruneExpired(db, NOW, POLICY, 2);
      assert.deepEqual(pruned, { inbox: 3, jobs: 3, intents: 1, quarantine: 1, audit: 2 });
      assert.equal(await count('inbox'), before.inbox - 3);
      assert.equal(await count('jobs'), before.jobs - 3);
      assert.equal(await count('intents'), 0);
      assert.equal(await count('quarantine'), 1, 'the open item stays');
      assert.equal(await count('audit'), before.audit - 2);
      const left = (await listJobs(db, { limit: 1000 })).map((j) => j.subject).sort();
      assert.deepEqual(left, ['user:dead', 'user:held', 'user:open', 'user:young']);
      const inbox = await db.kysely.selectFrom('inbox').select('source_id').orderBy('id').execute();
      assert.deepEqual(
        inbox.map((r) => r.source_id),
        ['open', 'held', 'dead', 'unrouted', 'young'],
      );

      assert.deepEqual(
        await pruneExpired(db, NOW, POLICY, 2),
        { inbox: 0, jobs: 0, intents: 0, quarantine: 0, audit: 0 },
        'a second pass finds nothing',
      );
    });

    test('null keeps everything', async () => {
      const before = { inbox: await count('inbox'), audit: await count('audit') };
      assert.deepEqual(await pruneExpired(db, NOW + 10_000 * DAY, { days: null, auditDays: null }), {
        inbox: 0,
        jobs: 0,
        intents: 0,
        quarantine: 0,
        audit: 0,
      });
      assert.equal(await count('inbox'), before.inbox);
      assert.equal(await count('audit'), before.audit);
    });
  });
}
