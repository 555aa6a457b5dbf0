import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listJobs } from '../../src/store/index.js';
import { type Harness, startHarness } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

describe('an org whose daily API allocation runs out', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ salesforce: { dailyApiLimit: 20 } });
  });
  after(async () => h?.close());

  test('a burst pauses, then completes with every record written exactly once', async () => {
    const users = Array.from({ length: 300 }, (_, n) =>
      h.auth0.admin.signup({ email: `burst${n}@example.com`, family_name: `Burst${n}` }),
    );
    const records = h.auth0.admin
      .logs()
      .filter((l) => l.type === 'ss')
      .map((l) => ({ log_id: l.log_id, data: l }));
    for (let i = 0; i < records.length; i += 100)
      assert.equal((await h.post(JSON.stringify(records.slice(i, i + 100)))).status, 200);

    // Batched, 300 signups still need more than the 20 calls the org allows: it is exhausted mid-burst.
    // The emulator records the 403 before Concord has read it: wait for Concord to pause the org.
    await waitFor(() => h.sf.admin.requests().some((r) => r.status === 403), 'REQUEST_LIMIT_EXCEEDED');
    await waitFor(() => h.service.budgets().salesforce[0]?.pausedUntil !== undefined, 'the org paused');
    await waitFor(
      async () => (await listJobs(h.service.db, { pipeline: 'signups', state: 'queued' })).length > 0,
      'jobs waiting for budget',
    );

    // The rolling 24-hour window frees up, as often as the org runs out, until every signup is written.
    let pauses = 0;
    let wasPaused = false;
    await waitFor(
      async () => {
        const paused = h.service.budgets().salesforce[0]?.pausedUntil !== undefined;
        if (paused && !wasPaused) pauses += 1;
        if (paused) h.sf.admin.setApiUsage(0);
        wasPaused = paused;
        const open = await listJobs(h.service.db, { pipeline: 'signups', state: 'queued' });
        const running = await listJobs(h.service.db, { pipeline: 'signups', state: 'running' });
        return open.length === 0 && running.length === 0;
      },
      'every signup written',
      120_000,
    );
    assert.ok(pauses >= 1);
    for (const u of users)
      assert.equal(
        h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === u.user_id).length,
        1,
        u.email,
      );
    const jobs = await listJobs(h.service.db, { pipeline: 'signups', limit: 1000 });
    assert.equal(jobs.length, 300);
    assert.ok(
      jobs.every((j) => j.outcome === 'applied'),
      'nothing dead-lettered while waiting for budget',
    );
  });
});

describe('an org with a configured share of its allocation', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      salesforce: { dailyApiLimit: 1000 },
      configure: (config) => {
        config.salesforce.crm!.budget = { share: 0.1, probeIntervalMs: 1000 };
      },
    });
  });
  after(async () => h?.close());

  test('the allocation is read from /limits at start, before any event', async () => {
    await waitFor(() => h.service.budgets().salesforce[0]?.limit !== undefined, 'the allocation read');
    const budget = h.service.budgets().salesforce[0]!;
    assert.deepEqual([budget.limit, budget.allowed, budget.pausedUntil], [1000, 100, undefined]);
    assert.deepEqual(
      h.sf.admin
        .requests()
        .filter((r) => r.kind !== 'oauth')
        .map((r) => r.kind),
      ['limits'],
    );
  });

  test('Concord stops at its share and waits, leaving the rest of the allocation to others', async () => {
    h.sf.admin.setApiUsage(99); // others have used almost all of Concord's 10 % share
    h.auth0.admin.signup({ email: 'share@example.com', family_name: 'Share' });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await waitFor(
      () => h.service.budgets().salesforce[0]?.pausedUntil !== undefined,
      'the pause at the share',
    );
    const used = h.sf.admin.requests().filter((r) => r.kind !== 'oauth' && r.kind !== 'limits').length;
    assert.ok(used <= 1, `at most one call past the share before pausing (${used})`);
    h.sf.admin.setApiUsage(0);
    await h.settled();
    assert.equal(h.sf.admin.all('Lead').length, 1);
  });
});

describe('an Auth0 tenant at its rate limit', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      auth0: { rateLimit: 'free' },
      configure: (config) => {
        config.auth0.acme!.rateLimit = { requestsPerSecond: 2, burst: 10 };
      },
    });
  });
  after(async () => h?.close());

  test('is never sent more than allowed: no 429 while every signup is handled', async () => {
    const users = Array.from({ length: 14 }, (_, n) =>
      h.auth0.admin.signup({ email: `rate${n}@example.com`, family_name: `Rate${n}` }),
    );
    const records = h.auth0.admin
      .logs()
      .filter((l) => l.type === 'ss')
      .map((l) => ({ log_id: l.log_id, data: l }));
    await h.post(JSON.stringify(records));
    await h.settled();
    const statuses = h.auth0.admin
      .requests()
      .filter((r) => r.path.startsWith('/api/v2/'))
      .map((r) => r.status);
    assert.equal(statuses.length, 14, 'one user read per signup');
    assert.ok(!statuses.includes(429), `no 429s: ${statuses.join(',')}`);
    for (const u of users)
      assert.equal(h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === u.user_id).length, 1);
  });
});
