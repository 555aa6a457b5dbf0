import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listJobs } from '../../src/store/index.js';
import { EVENT_STREAM_AUTHORIZATION, type Harness, startHarness, TENANT } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

const leadsOf = (h: Harness, userId: string) =>
  h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === userId);

describe('the /api/v2/logs checkpoint poller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ logPoll: true });
  });
  after(async () => h?.close());

  test('recovers records the log stream never delivered, sharing the stream’s dedupe', async () => {
    const users = [1, 2, 3].map((n) =>
      h.auth0.admin.signup({ email: `missed${n}@example.com`, family_name: `Missed${n}` }),
    );
    await waitFor(
      () => users.every((u) => leadsOf(h, u.user_id).length === 1),
      'the poller to backfill the signups',
    );

    // the stream now delivers the same records late: acknowledged, stored nowhere twice
    const late = h.auth0.admin
      .logs()
      .filter((l) => l.type === 'ss')
      .map((l) => ({ log_id: l.log_id, data: l }));
    const response = await h.post(JSON.stringify(late));
    assert.deepEqual(await response.json(), { received: 3, stored: 0, duplicates: 3 });
    await h.settled();
    for (const u of users) assert.equal(leadsOf(h, u.user_id).length, 1);
    assert.equal((await listJobs(h.service.db, { pipeline: 'signups' })).length, 3);
  });
});

describe('the Auth0 Event Streams webhook', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  test('user.created CloudEvents, duplicated and reordered, become one Lead each', async () => {
    const stream = h.auth0.admin.addEventStream({
      url: `${h.url}/hooks/auth0/${TENANT}/events`,
      auth: { method: 'bearer', token: EVENT_STREAM_AUTHORIZATION.replace('Bearer ', '') },
      duplicateEvery: 2,
      reorder: 3,
    });
    const users = [1, 2, 3, 4].map((n) =>
      h.auth0.admin.signup({ email: `evt${n}@example.com`, family_name: `Evt${n}` }),
    );
    await h.auth0.admin.flushEventStreams();
    await h.settled();
    h.auth0.admin.removeEventStream(stream);
    for (const u of users) assert.equal(leadsOf(h, u.user_id).length, 1, u.email);
    const jobs = await listJobs(h.service.db, { pipeline: 'signups' });
    assert.equal(jobs.length, 4, 'repeats were acknowledged and ignored');
  });

  test('wrong credentials get 401 and malformed events 400; nothing is stored', async () => {
    const hook = `${h.url}/hooks/auth0/${TENANT}/events`;
    const before = (await listJobs(h.service.db, { limit: 1000 })).length;
    const wrong = await fetch(hook, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: '{}',
    });
    assert.equal(wrong.status, 401);
    const bad = await fetch(hook, {
      method: 'POST',
      headers: { authorization: EVENT_STREAM_AUTHORIZATION },
      body: '{"type":"user.created"}',
    });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /event 0: id/);
    await h.settled().catch(() => undefined);
    assert.equal((await listJobs(h.service.db, { limit: 1000 })).length, before);
  });
});
