import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rolesToAccountTierParamsSchema } from './params.js';
import { higher, tierOf } from './tier-map.js';

const { tiers } = rolesToAccountTierParamsSchema.parse({
  tiers: [
    { tier: 'Enterprise', roles: ['enterprise-admin', 'enterprise-user'] },
    { tier: 'Pro', roles: ['pro-user'] },
  ],
});

describe('tierOf', () => {
  test('the first (highest) row that matches wins, whatever order the roles come in', () => {
    assert.equal(tierOf(['pro-user', 'enterprise-user'], tiers).tier, 'Enterprise');
    assert.equal(tierOf(['pro-user'], tiers).tier, 'Pro');
  });
  test('role names compare case-insensitively; unknown roles are ignored and listed', () => {
    const d = tierOf(['PRO-USER', 'Billing', 'mystery'], tiers);
    assert.equal(d.tier, 'Pro');
    assert.deepEqual(d.unmapped, ['Billing', 'mystery']);
  });
  test('no mapped role → no tier', () => {
    assert.deepEqual(tierOf([], tiers), { rank: undefined, tier: undefined, unmapped: [] });
  });
  test('higher() prefers the lower rank and any tier to none', () => {
    const pro = tierOf(['pro-user'], tiers);
    const ent = tierOf(['enterprise-admin'], tiers);
    const none = tierOf(['x'], tiers);
    assert.equal(higher(pro, ent).tier, 'Enterprise');
    assert.equal(higher(ent, pro).tier, 'Enterprise');
    assert.equal(higher(none, pro).tier, 'Pro');
    assert.equal(higher(pro, none).tier, 'Pro');
  });
  test('params: strict, with documented defaults', () => {
    const p = rolesToAccountTierParamsSchema.parse({});
    assert.equal(p.tierField, 'Subscription_Tier__c');
    assert.equal(p.defaultTier, 'Free');
    assert.equal(p.accountTierPolicy, 'highest_of_linked_users');
    assert.equal(p.tierChangeTask.enabled, false);
    assert.throws(() => rolesToAccountTierParamsSchema.parse({ tierFeild: 'x' }));
  });
});
