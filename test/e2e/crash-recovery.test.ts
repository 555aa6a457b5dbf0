import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
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
});
