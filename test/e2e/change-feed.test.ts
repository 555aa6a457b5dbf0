import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listJobs } from '../../src/store/index.js';
import { type Harness, startHarness } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

describe('the Salesforce change feed as a trigger', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      salesforce: { changeDataCapture: { entities: ['Account', 'Contact'] } },
      pipelines: [
        {
          name: 'entitlements',
          template: 'entitlements-to-roles',
          params: { roleMap: { featureFlags: { analytics: ['analytics-viewer'] } } },
        },
      ],
      configure: (config) => {
        const org = config.salesforce.crm as Record<string, unknown>;
        org['changeFeed'] = { enabled: true };
        org['poll'] = { intervalMs: 3_600_000, overlapMs: 60_000 }; // polling alone would wait an hour
      },
    });
  });
  after(async () => h?.close());

  test('a change by a person is picked up at once, through a poll of the current record', async () => {
    h.auth0.admin.createRole('analytics-viewer');
    const user = h.auth0.admin.seedUser({ email: 'feed@example.com', family_name: 'Feed' });
    const [accountId] = h.sf.admin.seed('Account', [{ Name: 'Feed Inc', Seats__c: 5 }]);
    h.sf.admin.seed('Contact', [{ LastName: 'Feed', AccountId: accountId, Auth0_User_Id__c: user.user_id }]);
    // let the first (startup) poll pass, then change the Account as a person would
    await waitFor(
      async () =>
        (await h.service.db.kysely.selectFrom('checkpoints').selectAll().execute()).some(
          (c) => c.name === 'salesforce-cdc:crm' || c.name === 'salesforce:crm:Account',
        ),
      'the triggers to start',
    );
    h.sf.admin.update('Account', accountId!, { Feature_Flags__c: 'analytics' });

    const roleWrites = () =>
      h.auth0.admin.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/roles'));
    await waitFor(
      () => roleWrites().length > 0,
      'the managed role to be assigned (long before the hourly poll)',
    );
    await h.settled();
    assert.equal(roleWrites().length, 1, 'assigned once');
    const jobs = await listJobs(h.service.db, { pipeline: 'entitlements', limit: 100 });
    assert.ok(
      jobs.some((j) => j.outcome === 'applied' && (j.reason ?? '').includes(accountId!)),
      'applied for the Account',
    );
  });
});
