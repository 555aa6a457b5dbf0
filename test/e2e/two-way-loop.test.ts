import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listJobs } from '../../src/store/index.js';
import { salesforceWriteCalls } from '../support/emulator-counts.js';
import { AUTHORIZATION, type Harness, startHarness } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

const sfWrites = (h: Harness) => salesforceWriteCalls(h).length;
/** Management API writes Concord made (dashboard admins act in-process and are not in the request log). */
const auth0Writes = (h: Harness) =>
  h.auth0.admin.requests().filter((r) => r.path.startsWith('/api/v2/') && r.method !== 'GET').length;

/**
 * Flows 2, 4, 6 and 7 together, changes made by people on both sides, and every echo of Concord's own writes
 * flowing back in (log stream, SOQL polling). The systems must converge and then stay still: zero echo writes.
 */
describe('two-way sync without loops', () => {
  let h: Harness;
  let accountId: string;
  let adaContact: string;
  let graceContact: string;
  let opportunityId: string;
  let ada: string;
  const roleIds: Record<string, string> = {};

  before(async () => {
    h = await startHarness({
      pipelines: [
        { name: 'profiles', template: 'profile-to-contact' },
        { name: 'tiers', template: 'roles-to-account-tier' },
        {
          name: 'provisioning',
          template: 'closed-won-to-auth0-user',
          params: { productTiers: [{ match: { family: 'Pro' }, roles: ['pro-user'] }] },
        },
        {
          name: 'entitlements',
          template: 'entitlements-to-roles',
          params: {
            roleMap: {
              contractTier: { Gold: ['gold-support'] },
              featureFlags: { analytics: ['analytics-viewer'] },
            },
          },
        },
      ],
    });
    for (const role of [
      'enterprise-admin',
      'enterprise-user',
      'pro-user',
      'gold-support',
      'analytics-viewer',
    ]) {
      roleIds[role] = h.auth0.admin.createRole(role).id;
    }
    ada = h.auth0.admin.seedUser({
      email: 'ada@loop.example',
      given_name: 'Ada',
      family_name: 'Lovelace',
    }).user_id;
    [accountId] = h.sf.admin.seed('Account', [
      { Name: 'Loop Inc', Seats__c: 5, Contract_Tier__c: 'Gold' },
    ]) as [string];
    [adaContact, graceContact] = h.sf.admin.seed('Contact', [
      {
        LastName: 'Lovelace',
        FirstName: 'Ada',
        Email: 'ada@loop.example',
        AccountId: accountId,
        Auth0_User_Id__c: ada,
      },
      { LastName: 'Hopper', FirstName: 'Grace', Email: 'grace@loop.example', AccountId: accountId },
    ]) as [string, string];
    const [productId] = h.sf.admin.seed('Product2', [{ Name: 'Pro', ProductCode: 'PRO', Family: 'Pro' }]);
    [opportunityId] = h.sf.admin.seed('Opportunity', [
      { Name: 'Loop deal', StageName: 'Prospecting', CloseDate: '2026-12-31', AccountId: accountId },
    ]) as [string];
    h.sf.admin.seed('OpportunityContactRole', [
      { OpportunityId: opportunityId, ContactId: graceContact, IsPrimary: true },
    ]);
    h.sf.admin.seed('OpportunityLineItem', [
      { OpportunityId: opportunityId, Product2Id: productId, Quantity: 1, UnitPrice: 10 },
    ]);
    h.auth0.admin.addLogStream({ url: h.hookUrl, format: 'JSONARRAY', authorization: AUTHORIZATION });
  });
  after(async () => h?.close());

  /** Every Salesforce change has been polled, every Auth0 record delivered, every event decided. */
  async function quiet() {
    for (let round = 0; round < 3; round++) {
      await waitFor(async () => {
        const seen = await h.service.db.kysely.selectFrom('checkpoints').selectAll().execute();
        return ['Account', 'Opportunity', 'Contact'].every((object) => {
          const latest = h.sf.admin
            .all(object)
            .map((r) => Date.parse(String(r['SystemModstamp'])))
            .reduce((a, b) => Math.max(a, b), 0);
          const cursor = seen.find((c) => c.name === `salesforce:crm:${object}`);
          return (
            cursor !== undefined &&
            Date.parse((JSON.parse(cursor.value) as { modstamp: string }).modstamp) >= latest
          );
        });
      }, 'the pollers to catch up');
      await h.auth0.admin.flushLogStreams();
      await h.settled();
    }
  }

  test('people change both sides; Concord converges, then writes nothing more', async () => {
    // Salesforce side: a deal is won (flow 6) and the Account gains a feature flag (flow 7).
    h.sf.admin.winOpportunity(opportunityId);
    h.sf.admin.update('Account', accountId, { Feature_Flags__c: 'analytics' });
    // Auth0 side: an admin makes Ada an enterprise admin (flow 4) and edits her profile (flow 2).
    h.auth0.admin.assignRoles(ada, [roleIds['enterprise-admin']!]);
    h.auth0.admin.updateUser(ada, { family_name: 'King' });
    await quiet();

    // converged: each side holds what the other implies
    const grace = h.auth0.admin.users().find((u) => u.email === 'grace@loop.example');
    assert.ok(grace, 'the won deal provisioned Grace');
    assert.equal(h.sf.admin.get('Contact', graceContact)?.['Auth0_User_Id__c'], grace.user_id);
    assert.equal(h.sf.admin.get('Account', accountId)?.['Subscription_Tier__c'], 'Enterprise');
    assert.equal(h.sf.admin.get('Contact', adaContact)?.['LastName'], 'King');

    // still: nothing that happens from here on is an echo write
    const before = { sf: sfWrites(h), auth0: auth0Writes(h) };
    h.sf.admin.update('Account', accountId, { Name: 'Loop Inc.' }); // an unrelated edit moves SystemModstamp
    await quiet();
    assert.deepEqual(
      { sf: sfWrites(h), auth0: auth0Writes(h) },
      before,
      'zero echo writes at both emulators',
    );

    // the echoes were seen and recognised, not missed
    const jobs = await listJobs(h.service.db, { limit: 10_000 });
    assert.ok(
      jobs.some((j) => j.outcome === 'suppressed' && j.pipeline === 'tiers'),
      "Concord's role writes came back and were suppressed",
    );
    assert.ok(
      jobs.some(
        (j) =>
          j.pipeline === 'entitlements' &&
          (j.outcome === 'suppressed' || j.reason?.includes('in sync') || j.outcome === 'applied'),
      ),
    );
    assert.ok(
      !jobs.some((j) => j.outcome === 'dead_lettered'),
      jobs
        .filter((j) => j.outcome === 'dead_lettered')
        .map((j) => j.reason)
        .join('; '),
    );
  });
});
