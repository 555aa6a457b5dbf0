import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type JobRow, listJobs } from '../../src/store/index.js';
import { salesforceWriteCalls } from '../support/emulator-counts.js';
import { AUTHORIZATION, type Harness, startHarness } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

const sfWrites = (h: Harness) => salesforceWriteCalls(h);
/** Role writes Concord made (the dashboard admin acts in-process and is not in the request log). */
const auth0RoleWrites = (h: Harness) =>
  h.auth0.admin
    .requests()
    .filter((r) => (r.method === 'POST' || r.method === 'DELETE') && /\/roles($|\/)/.test(r.path));

const ROLE_MAP = {
  contractTier: { Gold: ['gold-support'], Platinum: ['gold-support', 'platinum-support'] },
  featureFlags: { sso: ['sso-user'], analytics: ['analytics-viewer'] },
};

describe('entitlements-to-roles end to end (with roles-to-account-tier alongside)', () => {
  let h: Harness;
  let n = 0;
  const roles: Record<string, string> = {};
  const user = () => h.auth0.admin.seedUser({ email: `seat-${++n}@example.com` }).user_id;
  // The Management API, as any client would read it.
  const rolesViaApi = async (userId: string) => {
    const token = await fetch(`${h.config.auth0.acme.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'concord-sandbox',
        client_secret: 'sandbox-secret',
        audience: `https://${h.auth0.domain}/api/v2/`,
      }),
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const response = await fetch(
      `${h.config.auth0.acme.baseUrl}/api/v2/users/${encodeURIComponent(userId)}/roles`,
      { headers: { authorization: `Bearer ${token.access_token}` } },
    );
    const body = (await response.json()) as { name: string }[];
    return body.map((r) => r.name).sort();
  };
  const jobsFor = async (pipeline: string) =>
    (await listJobs(h.service.db, { pipeline, limit: 10_000 })).map((j) => ({
      ...j,
      parsed: JSON.parse(j.event) as { sourceType: string; details: Record<string, unknown> },
    }));
  /** Waits until the Account's current version was polled and planned by `pipeline`, then for quiet. */
  const polled = async (accountId: string, pipeline = 'entitlements'): Promise<JobRow> => {
    const modstamp = h.sf.admin.get('Account', accountId)?.['SystemModstamp'];
    const job = await waitFor(
      async () => {
        const jobs = await jobsFor(pipeline);
        return jobs.find(
          (j) =>
            j.outcome !== null &&
            j.parsed.details['id'] === accountId &&
            (j.parsed.details['record'] as Record<string, unknown>)['SystemModstamp'] === modstamp,
        );
      },
      `Account ${accountId}@${String(modstamp)} to be planned by ${pipeline}`,
    );
    await h.auth0.admin.flushLogStreams(); // Concord's own sapi records come back through the log stream
    await h.settled();
    return job;
  };
  /** An Account (no entitlements yet) with one Contact per user, created in this order. */
  const seedCustomer = async (name: string, userIds: string[]) => {
    const [accountId] = h.sf.admin.seed('Account', [{ Name: name }]);
    const contactIds: string[] = [];
    for (const [i, id] of userIds.entries())
      contactIds.push(
        ...h.sf.admin.seed('Contact', [
          { LastName: `${name} ${i}`, AccountId: accountId, Auth0_User_Id__c: id },
        ]),
      );
    await polled(accountId!);
    return { accountId: accountId!, contactIds };
  };

  before(async () => {
    h = await startHarness({
      pipelines: [
        { name: 'entitlements', template: 'entitlements-to-roles', params: { roleMap: ROLE_MAP } },
        {
          name: 'tiers',
          template: 'roles-to-account-tier',
          params: { tiers: [{ tier: 'Enterprise', roles: ['enterprise-admin'] }], defaultTier: null },
        },
        {
          name: 'misconfigured',
          template: 'entitlements-to-roles',
          params: { roleMap: { featureFlags: { beta: ['beta-tester'] } }, seatsField: 'Seats__c' },
        },
      ],
    });
    for (const name of [
      'gold-support',
      'platinum-support',
      'sso-user',
      'analytics-viewer',
      'Billing',
      'enterprise-admin',
    ])
      roles[name] = h.auth0.admin.createRole(name).id;
    h.auth0.admin.addLogStream({ url: h.hookUrl, format: 'JSONARRAY', authorization: AUTHORIZATION });
  });
  after(async () => h?.close());

  test('entitlements grant the managed roles due, only the difference, and never touch unmanaged roles', async () => {
    const [a, b] = [user(), user()];
    h.auth0.admin.assignRoles(a, [roles['Billing']!, roles['sso-user']!]);
    const { accountId } = await seedCustomer('Granted', [a, b]);
    const before = auth0RoleWrites(h).length;

    h.sf.admin.update('Account', accountId, {
      Seats__c: 5,
      Feature_Flags__c: 'sso;analytics',
      Contract_Tier__c: 'Gold',
    });
    const job = await polled(accountId);
    assert.equal(job.outcome, 'applied');
    assert.deepEqual(await rolesViaApi(a), ['Billing', 'analytics-viewer', 'gold-support', 'sso-user']);
    assert.deepEqual(await rolesViaApi(b), ['analytics-viewer', 'gold-support', 'sso-user']);
    const writes = auth0RoleWrites(h).slice(before);
    assert.equal(writes.length, 2, 'one assign per user, none for roles already held');
    assert.ok(writes.every((w) => w.method === 'POST'));

    // a flag goes away: only its role is removed; Billing stays
    h.sf.admin.update('Account', accountId, { Feature_Flags__c: 'sso' });
    await polled(accountId);
    assert.deepEqual(await rolesViaApi(a), ['Billing', 'gold-support', 'sso-user']);
    assert.deepEqual(await rolesViaApi(b), ['gold-support', 'sso-user']);
    assert.equal(
      auth0RoleWrites(h)
        .slice(before + 2)
        .filter((w) => w.method === 'DELETE').length,
      2,
    );

    // Concord's own role writes came back as sapi records: the tier pipeline suppressed them by client id
    const tierJobs = (await jobsFor('tiers')).filter((j) => j.parsed.details['change']);
    const echoes = tierJobs.filter((j) => j.outcome === 'suppressed');
    assert.ok(echoes.length >= 4, `Concord's 4 role writes suppressed (saw ${echoes.length})`);
    assert.match(echoes[0]!.reason ?? '', /Concord's own Auth0 write \(client concord-sandbox\)/);
  });

  test('more users than seats: the first N by Contact creation get the roles, the rest are named (ids only)', async () => {
    const [first, second, third] = [user(), user(), user()];
    const { accountId } = await seedCustomer('Crowded', [first, second, third]);
    h.sf.admin.update('Account', accountId, { Seats__c: 2, Contract_Tier__c: 'Platinum' });
    const job = await polled(accountId);
    assert.equal(job.outcome, 'applied');
    assert.deepEqual(await rolesViaApi(first), ['gold-support', 'platinum-support']);
    assert.deepEqual(await rolesViaApi(second), ['gold-support', 'platinum-support']);
    assert.deepEqual(await rolesViaApi(third), []);
    assert.match(job.reason ?? '', new RegExp(`left without managed roles: ${third.replace('|', '\\|')}$`));
    assert.doesNotMatch(job.reason ?? '', /@/, 'no emails in the reason');

    // one seat fewer: the second user loses the managed roles
    h.sf.admin.update('Account', accountId, { Seats__c: 1 });
    await polled(accountId);
    assert.deepEqual(await rolesViaApi(first), ['gold-support', 'platinum-support']);
    assert.deepEqual(await rolesViaApi(second), []);
    assert.deepEqual(await rolesViaApi(third), []);
  });

  test('an edit that changes no entitlement, and re-polled duplicates, write nothing to Auth0', async () => {
    const [u] = [user()];
    const { accountId } = await seedCustomer('Steady', [u]);
    h.sf.admin.update('Account', accountId, { Feature_Flags__c: 'sso' });
    await polled(accountId);
    assert.deepEqual(await rolesViaApi(u), ['sso-user']);
    const before = auth0RoleWrites(h).length;

    h.sf.admin.update('Account', accountId, { Industry: 'Aerospace' });
    const job = await polled(accountId);
    assert.equal(job.outcome, 'applied');
    assert.match(job.reason ?? '', /already holds the managed roles due/);
    assert.equal(auth0RoleWrites(h).length, before);
    // the overlap window re-reads the same versions: each is planned once per pipeline
    const versions = (await jobsFor('entitlements'))
      .filter((j) => j.parsed.details['id'] === accountId)
      .map((j) => (j.parsed.details['record'] as Record<string, unknown>)['SystemModstamp']);
    assert.equal(new Set(versions).size, versions.length);
  });

  test('an unknown role name in the config dead-letters with the parameter path', async () => {
    const jobs = await jobsFor('misconfigured');
    const dead = jobs.filter((j) => j.outcome === 'dead_lettered');
    assert.ok(dead.length > 0);
    assert.match(dead[0]!.reason ?? '', /params\.roleMap\.featureFlags\.beta\[0\] = "beta-tester"/);
    assert.match(dead[0]!.reason ?? '', /^config/);
  });

  test('both templates together: a human role change → one Account write, no echo in either direction', async () => {
    const [boss, staff] = [user(), user()];
    const { accountId } = await seedCustomer('Loop', [boss, staff]);
    h.sf.admin.update('Account', accountId, { Seats__c: 5, Feature_Flags__c: 'sso' });
    await polled(accountId);
    const auth0Before = auth0RoleWrites(h).length;
    const sfBefore = sfWrites(h).length;

    // a human gives boss a tier role in the dashboard → flow 4 writes the Account's tier
    h.auth0.admin.assignRoles(boss, [roles['enterprise-admin']!]);
    await h.auth0.admin.flushLogStreams();
    await h.settled();
    assert.equal(h.sf.admin.get('Account', accountId)?.['Subscription_Tier__c'], 'Enterprise');
    assert.equal(h.sf.admin.lastModifiedByClient('Account', accountId), 'concord');

    // …which moves SystemModstamp and comes back through polling: suppressed, no user reads, no writes
    const job = await polled(accountId);
    assert.equal(job.outcome, 'suppressed');
    assert.match(job.reason ?? '', /Concord's own Salesforce write/);
    assert.equal(auth0RoleWrites(h).length, auth0Before, 'zero Auth0 echo writes');
    assert.equal(sfWrites(h).length, sfBefore + 1, 'exactly the one tier write in Salesforce');
    assert.deepEqual(await rolesViaApi(boss), ['enterprise-admin', 'sso-user']);
    assert.deepEqual(await rolesViaApi(staff), ['sso-user']);
  });
});
