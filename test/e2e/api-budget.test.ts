import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAuth0Emulator } from '../../src/emulators/auth0/index.js';
import { createSalesforceEmulator } from '../../src/emulators/salesforce/index.js';
import { listJobs } from '../../src/store/index.js';
import { AUTHORIZATION, type Harness, ORG, startHarness } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

/** `count` signups in Auth0, delivered to the log hook 100 records a request, as the log stream would. */
async function deliverSignups(h: Harness, count: number, name: string) {
  const users = Array.from({ length: count }, (_, n) =>
    h.auth0.admin.signup({ email: `${name}${n}@example.com`, family_name: `${name}${n}` }),
  );
  const records = h.auth0.admin
    .logs()
    .filter((l) => l.type === 'ss')
    .map((l) => ({ log_id: l.log_id, data: l }));
  for (let i = 0; i < records.length; i += 100)
    assert.equal((await h.post(JSON.stringify(records.slice(i, i + 100)))).status, 200);
  return users;
}

/** What the service reports of an org's budget. */
const budgetOf = (h: Harness, org: string) => h.service.budgets().salesforce.find((b) => b.org === org);

/**
 * Frees the harness org's rolling window whenever it has paused, until `pipeline` has nothing queued or running;
 * the number of pauses seen.
 */
async function freeWindowUntilDone(h: Harness, pipeline: string) {
  let pauses = 0;
  let wasPaused = false;
  await waitFor(
    async () => {
      const paused = budgetOf(h, ORG)?.pausedUntil !== undefined;
      if (paused && !wasPaused) pauses += 1;
      if (paused) h.sf.admin.setApiUsage(0);
      wasPaused = paused;
      const open = await listJobs(h.service.db, { pipeline, state: 'queued' });
      const running = await listJobs(h.service.db, { pipeline, state: 'running' });
      return open.length === 0 && running.length === 0;
    },
    `every ${pipeline} job done`,
    120_000,
  );
  return pauses;
}

describe('an org whose daily API allocation runs out', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ salesforce: { dailyApiLimit: 20 } });
  });
  after(async () => h?.close());

  test('a burst pauses, then completes with every record written exactly once', async () => {
    const users = await deliverSignups(h, 300, 'burst');

    // Batched, 300 signups still need more than the 20 calls the org allows: it is exhausted mid-burst.
    // The emulator records the 403 before Concord has read it: wait for Concord to pause the org.
    await waitFor(() => h.sf.admin.requests().some((r) => r.status === 403), 'REQUEST_LIMIT_EXCEEDED');
    await waitFor(() => h.service.budgets().salesforce[0]?.pausedUntil !== undefined, 'the org paused');
    await waitFor(
      async () => (await listJobs(h.service.db, { pipeline: 'signups', state: 'queued' })).length > 0,
      'jobs waiting for budget',
    );

    // The rolling 24-hour window frees up, as often as the org runs out, until every signup is written.
    const pauses = await freeWindowUntilDone(h, 'signups');
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

describe('two orgs, one of them out of allocation', () => {
  const eu = createSalesforceEmulator();
  let euServer: Awaited<ReturnType<typeof eu.listen>>;
  let h: Harness;
  before(async () => {
    euServer = await eu.listen(0);
    h = await startHarness({
      salesforce: { dailyApiLimit: 20 },
      pipelines: [
        { name: 'signups', template: 'signup-to-lead' },
        { name: 'eu-signups', template: 'signup-to-lead' },
      ],
      configure: (config) => {
        const orgs: Record<string, typeof config.salesforce.crm> = config.salesforce;
        orgs['eu'] = { ...config.salesforce.crm, loginUrl: euServer.url };
        config.pipelines[1]!.salesforce = 'eu';
      },
    });
  });
  after(async () => {
    await h?.close();
    await euServer?.close();
  });

  test('the other org is written in full while the exhausted one waits; then that one completes', async () => {
    const users = await deliverSignups(h, 300, 'two');
    const budget = (org: string) => budgetOf(h, org);

    // crm runs out and stays out (nothing frees its window yet); eu finishes every signup meanwhile.
    await waitFor(() => budget('crm')?.pausedUntil !== undefined, 'crm paused');
    await waitFor(
      async () =>
        (await listJobs(h.service.db, { pipeline: 'eu-signups', limit: 1000 })).filter(
          (j) => j.outcome === 'applied',
        ).length === 300,
      'every eu signup applied',
      60_000,
    );
    assert.ok(budget('crm')?.pausedUntil !== undefined, 'crm is paused');
    assert.equal(budget('eu')?.pausedUntil, undefined, 'eu never paused');
    const waiting = await listJobs(h.service.db, { pipeline: 'signups', state: 'queued', limit: 1000 });
    assert.ok(waiting.length > 0, 'crm signups wait for budget');
    for (const u of users)
      assert.equal(eu.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === u.user_id).length, 1);
    assert.ok(
      !eu.admin.requests().some((r) => r.status === 403),
      'eu was never refused for the allocation crm ran out of',
    );

    // While crm stays paused, its waiting jobs are not claimed: at each probe at most one wave (32 places)
    // tries, is refused and waits again, not every waiting job.
    const retries = async () =>
      Number(
        (
          await h.service.db.kysely
            .selectFrom('audit')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('pipeline', '=', 'signups')
            .where('action', '=', 'retry.scheduled')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await retries();
    for (let probes = 0; probes < 2; probes++) {
      const until = budget('crm')?.pausedUntil;
      await waitFor(() => {
        const next = budget('crm')?.pausedUntil;
        return next !== undefined && next !== until;
      }, 'another refused probe');
    }
    const during = (await retries()) - before;
    assert.ok(during <= 3 * 32, `${during} retries over two probes, with ${waiting.length} jobs waiting`);

    // crm's window frees up (as often as it runs out): its waiting signups complete, each written once.
    await freeWindowUntilDone(h, 'signups');
    for (const u of users)
      assert.equal(h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === u.user_id).length, 1);
    const jobs = await listJobs(h.service.db, { limit: 1000 });
    assert.equal(jobs.length, 600);
    assert.ok(jobs.every((j) => j.outcome === 'applied'));
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

describe('a job that waits for its turn longer than its lease', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      auth0: { rateLimit: 'free' },
      configure: (config) => {
        // One user read every half second: the tenth signup waits about 4.5 s for its turn, several leases.
        config.auth0.acme!.rateLimit = { requestsPerSecond: 2, burst: 1 };
        config.worker.leaseMs = 1000;
      },
    });
  });
  after(async () => h?.close());

  test('keeps its claim: every signup is planned and written once', async () => {
    const users = await deliverSignups(h, 10, 'lease');
    await h.settled(60_000);
    const jobs = await listJobs(h.service.db, { pipeline: 'signups' });
    assert.equal(jobs.length, 10);
    for (const job of jobs) {
      assert.equal(job.outcome, 'applied', `job ${job.id}: ${job.reason}`);
      assert.equal(job.attempts, 1, `job ${job.id} was claimed ${job.attempts} times`);
    }
    const reads = h.auth0.admin.requests().filter((r) => /^\/api\/v2\/users\/[^/]+$/.test(r.path));
    assert.equal(reads.length, 10, 'one user read per signup, none by a second run of the same job');
    for (const u of users)
      assert.equal(h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === u.user_id).length, 1);
  });
});

describe('two tenants on one org, one of them with a low rate', () => {
  const globex = createAuth0Emulator({ tenant: 'globex', rateLimit: false });
  let globexServer: Awaited<ReturnType<typeof globex.listen>>;
  let h: Harness;
  before(async () => {
    globexServer = await globex.listen(0);
    h = await startHarness({
      auth0: { rateLimit: false },
      pipelines: [
        { name: 'signups', template: 'signup-to-lead' },
        { name: 'globex-signups', template: 'signup-to-lead' },
      ],
      configure: (config) => {
        // acme at 2 requests/s: of a wave of its signups, those whose user read is more than 5 s off give
        // their places back.
        config.auth0.acme!.rateLimit = { requestsPerSecond: 2, burst: 1 };
        const tenants: Record<string, typeof config.auth0.acme> = config.auth0;
        tenants['globex'] = {
          ...config.auth0.acme!,
          domain: globex.domain,
          baseUrl: globexServer.url,
          rateLimit: { requestsPerSecond: 1000, burst: 1000 },
        };
        config.pipelines[1]!.auth0 = 'globex';
      },
    });
  });
  after(async () => {
    await h?.close();
    await globexServer?.close();
  });

  test("the slow tenant's backlog does not hold the places the other tenant's later events need", async (t) => {
    const slow = await deliverSignups(h, 30, 'slow');
    const fast = Array.from({ length: 40 }, (_, n) =>
      globex.admin.signup({ email: `fast${n}@example.com`, family_name: `Fast${n}` }),
    );
    const records = globex.admin
      .logs()
      .filter((l) => l.type === 'ss')
      .map((l) => ({ log_id: l.log_id, data: l }));
    const posted = await fetch(`${h.url}/hooks/auth0/globex/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTHORIZATION },
      body: JSON.stringify(records),
    });
    assert.equal(posted.status, 200);

    const applied = async (pipeline: string) =>
      (await listJobs(h.service.db, { pipeline, limit: 1000 })).filter((j) => j.outcome === 'applied').length;
    await waitFor(
      async () => (await applied('globex-signups')) === 40,
      'every globex signup applied',
      60_000,
    );
    // acme's 30 signups arrived first and take 15 s of turns. Before, they held the 32 places until 16 of them
    // were done (8 s), and globex's signups waited for those places.
    const slowDone = await applied('signups');
    assert.ok(slowDone < 14, `${slowDone} of acme's signups were done before globex's 40`);

    await h.settled(60_000);
    assert.equal(await applied('signups'), 30, 'every acme signup applied in the end');
    for (const u of slow)
      assert.equal(h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === u.user_id).length, 1);
    for (const u of fast)
      assert.equal(h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === u.user_id).length, 1);
    const acme = h.service.budgets().auth0.find((t) => t.tenant === 'acme');
    assert.ok((acme?.deferred ?? 0) > 0, "some of acme's reads were deferred");
    const retries = await h.service.db.kysely
      .selectFrom('audit')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('pipeline', '=', 'signups')
      .where('action', '=', 'retry.scheduled')
      .executeTakeFirstOrThrow();
    // Deferred jobs come back at the tenant's rate, one turn apart, so they are not refused over and over.
    assert.ok(Number(retries.n) <= 30, `${retries.n} retries for 30 signups`);
    const reads = h.auth0.admin.requests().filter((r) => /^\/api\/v2\/users\/[^/]+$/.test(r.path));
    assert.equal(reads.length, 30, 'one user read per acme signup');
    t.diagnostic(
      `${slowDone} of 30 acme signups done when globex's 40 were; ${retries.n} retries, ${acme?.deferred} deferred`,
    );
  });
});
