import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { listJobs } from '../../src/store/index.js';
import { salesforceWriteCalls } from '../support/emulator-counts.js';
import { AUTHORIZATION, type Harness, startHarness } from '../support/harness.js';

const sfWrites = (h: Harness) => salesforceWriteCalls(h).length;
const tierOf = (h: Harness, accountId: string) =>
  h.sf.admin.get('Account', accountId)?.['Subscription_Tier__c'];

/** An Account with one Contact per given Auth0 user (the link is the external-id field). */
function seedCustomer(h: Harness, name: string, userIds: string[], tier?: string) {
  const [accountId] = h.sf.admin.seed('Account', [
    { Name: name, ...(tier ? { Subscription_Tier__c: tier } : {}) },
  ]);
  const contactIds = h.sf.admin.seed(
    'Contact',
    userIds.map((id, i) => ({ LastName: `${name} ${i}`, AccountId: accountId, Auth0_User_Id__c: id })),
  );
  return { accountId: accountId!, contactIds };
}

describe('roles-to-account-tier end to end', () => {
  let h: Harness;
  let n = 0;
  const user = () => h.auth0.admin.seedUser({ email: `tier-user-${++n}@example.com` }).user_id;
  const roles: Record<string, string> = {};
  /** Delivers everything Auth0 logged so far through the log stream and waits for every outcome. */
  const deliver = async () => {
    await h.auth0.admin.flushLogStreams();
    await h.settled();
  };
  /** The last role-change job (other records, such as Concord's own token exchange `seccft`, are filtered). */
  const lastJob = async () =>
    (await listJobs(h.service.db, { pipeline: 'tiers', limit: 10_000 }))
      .filter((j) => j.event.includes('"user.roles_changed"'))
      .at(-1)!;

  before(async () => {
    h = await startHarness({
      pipelines: [
        {
          name: 'tiers',
          template: 'roles-to-account-tier',
          params: {
            tiers: [
              { tier: 'Enterprise', roles: ['enterprise-admin', 'enterprise-user'] },
              { tier: 'Pro', roles: ['pro-user'] },
            ],
            tierChangeTask: { enabled: true },
          },
        },
      ],
    });
    for (const name of ['enterprise-admin', 'enterprise-user', 'pro-user', 'Billing', 'mystery-role'])
      roles[name] = h.auth0.admin.createRole(name).id;
    h.auth0.admin.addLogStream({ url: h.hookUrl, format: 'JSONARRAY', authorization: AUTHORIZATION });
  });
  after(async () => h?.close());

  test('POST /users/{id}/roles: the Account gets the tier, and a Task for its owner', async () => {
    const ada = user();
    const { accountId, contactIds } = seedCustomer(h, 'Analytical', [ada]);
    h.auth0.admin.assignRoles(ada, [roles['pro-user']!]);
    await deliver();
    assert.equal(tierOf(h, accountId), 'Pro');
    const tasks = h.sf.admin.all('Task').filter((t) => t['WhatId'] === accountId);
    assert.equal(tasks.length, 1, 'one Task for the tier change');
    assert.equal(tasks[0]?.['Subject'], 'Subscription tier changed from (none) to Pro');
    assert.equal(tasks[0]?.['WhoId'], contactIds[0]);
    assert.equal(tasks[0]?.['OwnerId'], h.sf.admin.get('Account', accountId)?.['OwnerId']);
    const job = await lastJob();
    assert.equal(job.outcome, 'applied');
    assert.match(job.reason ?? '', /maps to Pro/);
  });

  test('POST /roles/{id}/users for two users of two Accounts: both Accounts become Enterprise', async () => {
    const [a, b] = [user(), user()];
    const first = seedCustomer(h, 'First', [a], 'Pro');
    const second = seedCustomer(h, 'Second', [b], 'Free');
    h.auth0.admin.addRoleMembers(roles['enterprise-admin']!, [a, b]);
    await deliver();
    assert.equal(tierOf(h, first.accountId), 'Enterprise');
    assert.equal(tierOf(h, second.accountId), 'Enterprise');
  });

  test('highest of the linked users: removing one user’s role keeps the tier another user still holds', async () => {
    const [boss, staff] = [user(), user()];
    const { accountId } = seedCustomer(h, 'Shared', [boss, staff]);
    h.auth0.admin.assignRoles(boss, [roles['enterprise-user']!]);
    h.auth0.admin.assignRoles(staff, [roles['pro-user']!]);
    await deliver();
    assert.equal(tierOf(h, accountId), 'Enterprise');

    h.auth0.admin.removeRoleMembers(roles['enterprise-user']!, [boss]); // DELETE /roles/{id}/users
    await deliver();
    assert.equal(tierOf(h, accountId), 'Pro', 'the other linked user still holds pro-user');

    h.auth0.admin.removeRoles(staff, [roles['pro-user']!]); // DELETE /users/{id}/roles
    await deliver();
    assert.equal(tierOf(h, accountId), 'Free', 'no role maps any more: params.defaultTier');
  });

  test('unknown roles are ignored; a tier already held sends nothing', async () => {
    const u = user();
    const { accountId } = seedCustomer(h, 'Unknowns', [u], 'Free');
    const writes = sfWrites(h);
    h.auth0.admin.assignRoles(u, [roles['Billing']!, roles['mystery-role']!]);
    await deliver();
    assert.equal(tierOf(h, accountId), 'Free');
    assert.equal(sfWrites(h), writes, 'no Salesforce write');
    const job = await lastJob();
    assert.equal(job.outcome, 'applied');
    assert.match(job.reason ?? '', /2 role\(s\) map to no tier and were ignored/);
    assert.match(job.reason ?? '', /already at Free, nothing sent/);
  });

  test('duplicated and replayed deliveries write once', async () => {
    const u = user();
    const { accountId } = seedCustomer(h, 'Duplicates', [u], 'Free');
    h.auth0.admin.assignRoles(u, [roles['pro-user']!]);
    await deliver();
    assert.equal(tierOf(h, accountId), 'Pro');
    const writes = sfWrites(h);
    const tasks = h.sf.admin.all('Task').length;

    const record = h.lastLog('sapi');
    const again = await h.post(JSON.stringify([record, record]));
    assert.deepEqual(await again.json(), { received: 2, stored: 0, duplicates: 2 });
    // the same change under another log id (a replay from the log poller's backfill, say)
    const replay = { ...record, log_id: `${record.log_id.slice(0, -6)}999999` };
    assert.equal((await h.post(JSON.stringify([replay]))).status, 200);
    await h.settled();
    assert.equal(sfWrites(h), writes, 'the replay re-read the roles and found the Account in sync');
    assert.equal(h.sf.admin.all('Task').length, tasks);
    assert.equal((await lastJob()).outcome, 'applied');
  });

  test('no linked Contact, or a Contact without an Account → filtered with the reason', async () => {
    const stranger = user();
    h.auth0.admin.assignRoles(stranger, [roles['pro-user']!]);
    await deliver();
    let job = await lastJob();
    assert.equal(job.outcome, 'filtered');
    assert.equal(
      job.reason,
      `Auth0 user ${stranger}: no Contact is linked to the user (by link or external id)`,
    );

    const orphan = user();
    const [contactId] = h.sf.admin.seed('Contact', [{ LastName: 'Orphan', Auth0_User_Id__c: orphan }]);
    h.auth0.admin.assignRoles(orphan, [roles['pro-user']!]);
    await deliver();
    job = await lastJob();
    assert.equal(job.outcome, 'filtered');
    assert.equal(job.reason, `Contact ${contactId} of Auth0 user ${orphan} has no Account`);
  });

  test('a user deleted in Auth0 before the event is planned → filtered', async () => {
    const gone = user();
    seedCustomer(h, 'Gone', [gone], 'Free');
    h.auth0.admin.assignRoles(gone, [roles['pro-user']!]);
    h.auth0.admin.deleteUser(gone);
    await deliver();
    const jobs = await listJobs(h.service.db, { limit: 10_000 });
    const roleJob = jobs.find((j) => j.reason === `Auth0 user ${gone} no longer exists`);
    assert.equal(roleJob?.outcome, 'filtered');
  });
});

describe('roles-to-account-tier with accountTierPolicy this_user and defaultTier null', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      pipelines: [
        {
          name: 'tiers',
          template: 'roles-to-account-tier',
          params: {
            tiers: [
              { tier: 'Enterprise', roles: ['enterprise-admin'] },
              { tier: 'Pro', roles: ['pro-user'] },
            ],
            accountTierPolicy: 'this_user',
            defaultTier: null,
          },
        },
      ],
    });
    h.auth0.admin.addLogStream({ url: h.hookUrl, format: 'JSONARRAY', authorization: AUTHORIZATION });
  });
  after(async () => h?.close());

  test("the last changed user's tier wins; no mapped role leaves the tier as it is", async () => {
    const ent = h.auth0.admin.createRole('enterprise-admin').id;
    const pro = h.auth0.admin.createRole('pro-user').id;
    const [boss, staff] = ['boss@example.com', 'staff@example.com'].map(
      (email) => h.auth0.admin.seedUser({ email }).user_id,
    );
    const { accountId } = seedCustomer(h, 'Solo', [boss!, staff!]);
    h.auth0.admin.assignRoles(boss!, [ent]);
    await h.auth0.admin.flushLogStreams();
    await h.settled();
    assert.equal(tierOf(h, accountId), 'Enterprise');
    h.auth0.admin.assignRoles(staff!, [pro]);
    await h.auth0.admin.flushLogStreams();
    await h.settled();
    assert.equal(tierOf(h, accountId), 'Pro', 'this_user: the other user’s higher tier is not consulted');
    h.auth0.admin.removeRoles(staff!, [pro]);
    await h.auth0.admin.flushLogStreams();
    await h.settled();
    assert.equal(tierOf(h, accountId), 'Pro', 'defaultTier null: unchanged');
    const last = (await listJobs(h.service.db, { pipeline: 'tiers', limit: 1000 })).at(-1);
    assert.equal(last?.outcome, 'filtered');
    assert.match(last?.reason ?? '', /params\.defaultTier is null/);
  });
});
