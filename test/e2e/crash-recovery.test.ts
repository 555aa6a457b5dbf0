import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import SQLite from 'better-sqlite3';
import { listJobs, openDatabase } from '../../src/store/index.js';
import { startChildRig } from '../support/child-rig.js';
import { startChildService } from '../support/child-service.js';
import { AUTHORIZATION, TENANT } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

describe('a service killed with SIGKILL between acknowledgement and the Salesforce write', () => {
  let rig: Awaited<ReturnType<typeof startChildRig>>;
  let sf: typeof rig.sf;
  let auth0: typeof rig.auth0;
  let configPath = '';
  let dir = '';

  before(async () => {
    rig = await startChildRig();
    ({ sf, auth0, configPath, dir } = rig);
  });
  after(async () => rig?.close());

  const deliver = (url: string, record: unknown) =>
    fetch(`${url}/hooks/auth0/${TENANT}/logs`, {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body: JSON.stringify([record]),
    });
  /** Requests of this kind Salesforce answered, alone or as composite subrequests. */
  const sent = (kind: string) =>
    sf.admin
      .requests()
      .flatMap((r) => [r.kind, ...(r.subrequests ?? [])])
      .filter((k) => k === kind).length;
  const leadsOf = (userId: string) => sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === userId);
  const lastSignup = () => {
    const log = [...auth0.admin.logs()].reverse().find((l) => l.type === 'ss')!;
    return { log_id: log.log_id, data: log };
  };

  test('killed while Salesforce was failing: the restarted service writes the Lead once', async () => {
    sf.admin.faults.inject({
      match: { kind: 'collections.upsert' },
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'down',
    });
    const user = auth0.admin.signup({ email: 'crash-one@example.com', family_name: 'One' });
    const first = await startChildService(configPath);
    const response = await deliver(first.url, lastSignup());
    assert.equal(response.status, 200, 'acknowledged: the event is committed');
    await waitFor(() => sent('collections.upsert') > 0, 'a write attempt');
    await first.kill();
    sf.admin.faults.clear();
    assert.equal(leadsOf(user.user_id).length, 0);

    const second = await startChildService(configPath);
    await waitFor(() => leadsOf(user.user_id).length === 1, 'the Lead after restart');
    await second.stop();
    assert.equal(leadsOf(user.user_id).length, 1);
  });

  test('killed right after its lookups, with the write slowed down in flight: still exactly one Lead', async () => {
    sf.admin.faults.inject({ match: { kind: 'collections.upsert' }, latencyMs: 1500, times: 1 });
    const user = auth0.admin.signup({ email: 'crash-two@example.com', family_name: 'Two' });
    const queriesBefore = sent('query');
    const first = await startChildService(configPath);
    assert.equal((await deliver(first.url, lastSignup())).status, 200);
    // the identity lookups (external id or email, on Contact and on Lead) are answered; the write is next
    await waitFor(() => sent('query') >= queriesBefore + 2, 'the lookups');
    await first.kill();

    const second = await startChildService(configPath);
    await waitFor(() => leadsOf(user.user_id).length === 1, 'the Lead after restart');
    await waitFor(async () => {
      const db = await openDatabase({ driver: 'sqlite', path: join(dir, 'concord.db') });
      try {
        const jobs = await listJobs(db, { pipeline: 'signups', limit: 100 });
        return jobs.length === 2 && jobs.every((j) => j.outcome === 'applied');
      } finally {
        await db.close();
      }
    }, 'both events applied');
    await second.stop();
    assert.equal(leadsOf(user.user_id).length, 1);
  });

  test('killed during a burst of deliveries: every event is stored and routed once, each subject in inbox order', async () => {
    // Deliveries are routed in the commit that stores them; a kill must leave neither a stored row without its
    // jobs after restart nor a subject whose jobs were created out of inbox order.
    const before = auth0.admin.logs().length;
    auth0.admin.generate(300, { seed: 'crash-burst' });
    const records = auth0.admin
      .logs()
      .slice(before)
      .map((log) => ({ log_id: log.log_id, data: log }));
    const bodies = Array.from({ length: Math.ceil(records.length / 10) }, (_, i) =>
      records.slice(i * 10, i * 10 + 10),
    );
    const post = (url: string, body: unknown[]) =>
      fetch(`${url}/hooks/auth0/${TENANT}/logs`, {
        method: 'POST',
        headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(
        (r) => r.status === 200,
        () => false,
      );

    const first = await startChildService(configPath);
    const acknowledged = new Set<number>();
    let killed = false;
    // Eight senders; the service is killed once a third of the bodies are acknowledged, others in flight.
    await Promise.all(
      Array.from({ length: 8 }, async (_, sender) => {
        for (let i = sender; i < bodies.length && !killed; i += 8) {
          if (await post(first.url, bodies[i]!)) acknowledged.add(i);
          if (!killed && acknowledged.size >= bodies.length / 3) {
            killed = true;
            await first.kill();
          }
        }
      }),
    );
    assert.ok(acknowledged.size < bodies.length, 'the kill came before the last body');

    // A sender retries what was not acknowledged (and may repeat what was).
    const second = await startChildService(configPath);
    for (const [i, body] of bodies.entries()) {
      if (!acknowledged.has(i) || i % 5 === 0) assert.equal(await post(second.url, body), true);
    }
    const db = new SQLite(join(dir, 'concord.db'), { readonly: true });
    try {
      const ids = records.map((r) => r.log_id);
      const marks = ids.map(() => '?').join(',');
      await waitFor(
        () =>
          (
            db
              .prepare(
                `SELECT COUNT(*) AS n FROM inbox WHERE routed_at IS NOT NULL AND source_id IN (${marks})`,
              )
              .get(...ids) as { n: number }
          ).n === ids.length,
        'every event stored and routed',
      );
      const rows = db
        .prepare(
          `SELECT i.id AS inboxId, i.source_id AS sourceId, COUNT(j.id) AS jobs FROM inbox i
           LEFT JOIN jobs j ON j.inbox_id = i.id WHERE i.source_id IN (${marks}) GROUP BY i.id`,
        )
        .all(...ids) as { inboxId: number; sourceId: string; jobs: number }[];
      assert.equal(rows.length, ids.length, 'each event stored once');
      assert.deepEqual(
        rows.filter((r) => r.jobs === 0),
        [],
        'every stored event has its jobs (or its filtered outcome)',
      );
      // Within each (pipeline, subject), job ids follow inbox ids: the order in which they will run.
      const jobs = db
        .prepare(
          `SELECT j.pipeline, j.subject, j.id, j.inbox_id AS inboxId FROM jobs j JOIN inbox i ON i.id = j.inbox_id
           WHERE i.source_id IN (${marks}) AND j.pipeline <> '' ORDER BY j.id`,
        )
        .all(...ids) as { pipeline: string; subject: string; id: number; inboxId: number }[];
      assert.ok(jobs.length > 0, 'some events went to pipelines');
      const lastInbox = new Map<string, number>();
      for (const job of jobs) {
        const key = `${job.pipeline} ${job.subject}`;
        assert.ok(
          (lastInbox.get(key) ?? 0) <= job.inboxId,
          `${key}: job ${job.id} (inbox ${job.inboxId}) was created after a later event's job`,
        );
        lastInbox.set(key, job.inboxId);
      }
    } finally {
      db.close();
      await second.stop();
    }
  });
});
