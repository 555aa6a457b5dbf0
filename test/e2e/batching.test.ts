/**
 * Outbox batching end to end, with the shipped defaults (jobs in flight, linger windows, 200 records per call):
 * many events' lookups and writes share Salesforce calls, and a record that fails is retried alone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { configSchema, salesforceOrgSchema } from '../../src/config/schema.js';
import { listJobs } from '../../src/store/index.js';
import { salesforceWriteCalls } from '../support/emulator-counts.js';
import { type Harness, startHarness } from '../support/harness.js';

/** What an operator gets without setting anything (the harness's config tunes these for other tests). */
const DEFAULTS = {
  concurrency: configSchema.shape.worker.parse(undefined).concurrency,
  batching: salesforceOrgSchema.shape.batching.parse(undefined),
};

async function startBatching() {
  return startHarness({
    // The Management API's own rate limit (one user read per signup) is the subject of other tests.
    auth0: { rateLimit: false },
    configure: (config) => {
      config.worker.concurrency = DEFAULTS.concurrency;
      config.salesforce.crm!.batching = DEFAULTS.batching;
    },
  });
}

/** Signs `count` people up in the Auth0 emulator and posts their `ss` records, 100 per request. */
async function signUpMany(h: Harness, count: number, prefix: string) {
  const users = Array.from({ length: count }, (_, n) =>
    h.auth0.admin.signup({
      email: `${prefix}${n}@example.com`,
      given_name: 'Sam',
      family_name: `${prefix}${n}`,
    }),
  );
  const ids = new Set(users.map((u) => u.user_id));
  const records = h.auth0.admin
    .logs()
    .filter((l) => l.type === 'ss' && ids.has(String(l['user_id'])))
    .map((l) => ({ log_id: l.log_id, data: l }));
  assert.equal(records.length, count);
  for (let i = 0; i < records.length; i += 100) {
    assert.equal((await h.post(JSON.stringify(records.slice(i, i + 100)))).status, 200);
  }
  // a thousand people in one process with both emulators: allow for a busy machine
  await h.settled(120_000);
  return users;
}

describe('outbox batching', () => {
  let h: Harness;
  before(async () => {
    h = await startBatching();
  });
  after(async () => h?.close());

  test('1,000 signups become at most 10 Collections calls, each person one Lead', async (t) => {
    const before = h.sf.admin.requests().length;
    const users = await signUpMany(h, 1000, 'many');
    const leads = new Map<unknown, number>();
    for (const lead of h.sf.admin.all('Lead'))
      leads.set(lead['Auth0_User_Id__c'], (leads.get(lead['Auth0_User_Id__c']) ?? 0) + 1);
    for (const u of users) assert.equal(leads.get(u.user_id), 1, u.email);

    const writes = salesforceWriteCalls(h);
    assert.ok(writes.length <= 10, `${writes.length} write calls for 1,000 signups`);
    const sent = h.sf.admin
      .requests()
      .slice(before)
      .filter((r) => r.kind !== 'oauth');
    // The lookups (external id and email on Lead and Contact, describes) are batched too: a naive
    // integration makes at least 2,000 calls for these signups.
    assert.ok(sent.length <= 50, `${sent.length} Salesforce calls in all for 1,000 signups`);
    t.diagnostic(`${writes.length} write calls, ${sent.length} Salesforce calls in all`);
    const jobs = await listJobs(h.service.db, { pipeline: 'signups', limit: 2000 });
    assert.equal(jobs.filter((j) => j.outcome === 'applied').length, 1000);
  });

  test('a record that fails in a shared call is retried alone; the others are written once', async () => {
    h.sf.admin.faults.failRecord({ field: 'Email', value: 'lock7@example.com', times: 2 });
    const before = h.sf.admin.requests().length;
    const users = await signUpMany(h, 50, 'lock');
    for (const u of users) {
      assert.equal(
        h.sf.admin.all('Lead').filter((l) => l['Auth0_User_Id__c'] === u.user_id).length,
        1,
        u.email,
      );
    }
    const writes = h.sf.admin
      .requests()
      .slice(before)
      .filter((r) => r.kind === 'collections.upsert');
    // the first call carries all 50; the retries carry the locked record alone
    assert.equal(writes.length, 3, `${writes.length} upsert calls`);
    const jobs = await listJobs(h.service.db, { pipeline: 'signups', limit: 2000 });
    const locked = jobs.filter((j) => j.attempts > 1);
    assert.equal(locked.length, 1, 'only the locked record was retried');
    assert.ok(locked[0]?.event.includes(users[7]!.user_id), 'the retried job is the locked person');
  });
});
