import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listJobs, openDatabase } from '../../src/store/index.js';
import { startChildRig } from '../support/child-rig.js';
import { startChildService } from '../support/child-service.js';
import { waitFor } from '../support/wait-for.js';

describe('closed-won-to-auth0-user: a service killed after creating the Auth0 user, before the write-back', () => {
  let rig: Awaited<ReturnType<typeof startChildRig>>;
  let sf: typeof rig.sf;
  let auth0: typeof rig.auth0;
  let configPath = '';
  let dir = '';

  before(async () => {
    rig = await startChildRig({
      pipelines: [
        {
          name: 'provisioning',
          template: 'closed-won-to-auth0-user',
          params: { productTiers: [{ match: { productCode: 'PRO' }, roles: ['Member', 'Billing'] }] },
        },
      ],
    });
    ({ sf, auth0, configPath, dir } = rig);
    for (const name of ['Member', 'Billing']) auth0.admin.createRole(name);
  });
  after(async () => rig?.close());

  /** Concord's own `sapi` writes of one kind for one user. */
  const ourWrites = (userId: string, path: RegExp) =>
    auth0.admin.logs().filter((l) => {
      const request = (l['details'] as { request?: { path?: string } } | undefined)?.request;
      const target = decodeURIComponent(request?.path ?? '');
      return (
        l.type === 'sapi' &&
        l['client_id'] === 'concord-sandbox' &&
        path.test(target) &&
        target.includes(userId)
      );
    });

  test('the restarted service finds the user it created: one user, roles assigned once, one invitation', async () => {
    // the Contact write-back will be held in flight, then fail: the kill lands after every Auth0 write
    sf.admin.faults.inject({
      match: { kind: 'collections.update' },
      hold: true,
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'down',
      times: 1,
    });

    const first = await startChildService(configPath);

    const [accountId] = sf.admin.seed('Account', [{ Name: 'Crash Co' }]);
    const [contactId] = sf.admin.seed('Contact', [
      { LastName: 'Crash', Email: 'crash.buyer@example.com', AccountId: accountId },
    ]);
    const [productId] = sf.admin.seed('Product2', [{ Name: 'Pro', ProductCode: 'PRO' }]);
    const [opportunityId] = sf.admin.seed('Opportunity', [
      { Name: 'Crash deal', StageName: 'Prospecting', CloseDate: '2026-06-30', AccountId: accountId },
    ]);
    sf.admin.seed('OpportunityContactRole', [
      { OpportunityId: opportunityId, ContactId: contactId, IsPrimary: true },
    ]);
    sf.admin.seed('OpportunityLineItem', [
      { OpportunityId: opportunityId, Product2Id: productId, Quantity: 5, UnitPrice: 100 },
    ]);
    sf.admin.winOpportunity(opportunityId!);

    await sf.admin.faults.whenHeld(1);
    const [created] = auth0.admin.users().filter((u) => u.email === 'crash.buyer@example.com');
    assert.ok(created, 'the Auth0 user was created before the kill');
    await first.kill();
    sf.admin.faults.clear(); // the held write-back answers 503 to a dead client: nothing was written
    assert.equal(sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'] ?? null, null);

    const second = await startChildService(configPath);
    await waitFor(
      () => sf.admin.get('Contact', contactId!)?.['Auth0_User_Id__c'] === created.user_id,
      'the write-back after restart',
    );
    await waitFor(async () => {
      const db = await openDatabase({ driver: 'sqlite', path: join(dir, 'concord.db') });
      try {
        const jobs = await listJobs(db, { pipeline: 'provisioning', limit: 100 });
        const won = jobs.filter((j) => j.reason?.includes('won; Contact'));
        return won.length === 1 && won[0]!.outcome === 'applied';
      } finally {
        await db.close();
      }
    }, 'the win applied');
    await second.stop();

    assert.equal(auth0.admin.users().filter((u) => u.email === 'crash.buyer@example.com').length, 1);
    assert.equal(ourWrites(created.user_id, /^\/api\/v2\/users\/[^/]+\/roles$/).length, 1, 'roles once');
    assert.equal(
      auth0.admin.emails().filter((e) => e.userId === created.user_id).length,
      1,
      'one invitation email',
    );
    assert.equal(ourWrites('', /^\/api\/v2\/users$/).length, 1, 'one POST /users');
  });
});
