import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listJobs } from '../../src/store/index.js';
import { DIALECTS, freshDatabase } from '../support/databases.js';
import { type Harness, startHarness } from '../support/harness.js';

const postgres = DIALECTS.find((d) => d.name === 'postgres')!;

describe('the service on a PostgreSQL store', { skip: postgres.skip }, () => {
  let h: Harness;
  let cleanup: () => Promise<void>;
  before(async () => {
    const fresh = await freshDatabase('postgres');
    cleanup = fresh.cleanup;
    h = await startHarness({ store: fresh.options });
  });
  after(async () => {
    await h?.close();
    await cleanup?.();
  });

  test('many signups and their repeats, with three workers: one Lead each, one outcome each', async () => {
    const users = Array.from({ length: 30 }, (_, n) =>
      h.auth0.admin.signup({ email: `pg${n}@example.com`, family_name: `Pg${n}` }),
    );
    const records = h.auth0.admin
      .logs()
      .filter((l) => l.type === 'ss')
      .map((l) => ({ log_id: l.log_id, data: l }));
    await Promise.all([h.post(JSON.stringify(records)), h.post(JSON.stringify([...records].reverse()))]);
    await h.settled();
    for (const user of users) {
      assert.equal(
        h.sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === user.user_id).length,
        1,
        user.email,
      );
    }
    const jobs = await listJobs(h.service.db, { pipeline: 'signups', limit: 1000 });
    assert.equal(jobs.length, 30);
    assert.ok(jobs.every((j) => j.outcome === 'applied'));
  });
});
