import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConcordError } from '../../core/errors.js';
import {
  desiredRoleNames,
  entitlementsHash,
  managedRoleNames,
  readEntitlements,
  resolveRoleIds,
} from './entitlements.js';
import { entitlementsToRolesParamsSchema } from './params.js';

const params = entitlementsToRolesParamsSchema.parse({
  roleMap: {
    contractTier: { Gold: ['gold-support'], Platinum: ['gold-support', 'platinum-support'] },
    featureFlags: { sso: ['sso-user'], analytics: ['analytics-viewer'] },
  },
});

describe('entitlements', () => {
  test('multi-select flags are split on ";", trimmed and sorted; blank seats follow seatsWhenEmpty', () => {
    const e = readEntitlements(
      { Seats__c: 3.7, Feature_Flags__c: 'sso; analytics;sso', Contract_Tier__c: 'Gold' },
      params,
    );
    assert.deepEqual(e, { seats: 3, flags: ['analytics', 'sso'], contractTier: 'Gold' });
    assert.equal(readEntitlements({ Seats__c: null }, params).seats, 'unlimited');
    const zero = entitlementsToRolesParamsSchema.parse({ seatsWhenEmpty: 0 });
    assert.equal(readEntitlements({}, zero).seats, 0);
  });
  test('the hash ignores the order of flags and changes with any entitlement', () => {
    const a = readEntitlements({ Seats__c: 2, Feature_Flags__c: 'sso;analytics' }, params);
    const b = readEntitlements({ Seats__c: 2, Feature_Flags__c: 'analytics;sso' }, params);
    const c = readEntitlements({ Seats__c: 3, Feature_Flags__c: 'analytics;sso' }, params);
    assert.equal(entitlementsHash(a), entitlementsHash(b));
    assert.notEqual(entitlementsHash(a), entitlementsHash(c));
  });
  test('desired roles: tier roles plus flag roles; unknown flags and tiers grant nothing', () => {
    const e = readEntitlements({ Feature_Flags__c: 'sso;beta', Contract_Tier__c: 'Platinum' }, params);
    assert.deepEqual([...desiredRoleNames(e, params)].sort(), [
      'gold-support',
      'platinum-support',
      'sso-user',
    ]);
  });
  test('every role named in the maps is managed; an unknown one is a config error naming its param path', () => {
    const managed = managedRoleNames(params);
    assert.deepEqual([...managed.keys()].sort(), [
      'analytics-viewer',
      'gold-support',
      'platinum-support',
      'sso-user',
    ]);
    const tenant = [
      { id: 'rol_1', name: 'gold-support' },
      { id: 'rol_2', name: 'platinum-support' },
      { id: 'rol_3', name: 'sso-user' },
    ];
    assert.throws(
      () => resolveRoleIds(managed, tenant, 'acme'),
      (e: unknown) =>
        e instanceof ConcordError &&
        e.code === 'config' &&
        !e.retryable &&
        e.message.includes('params.roleMap.featureFlags.analytics[0] = "analytics-viewer"'),
    );
    const ids = resolveRoleIds(managed, [...tenant, { id: 'rol_4', name: 'analytics-viewer' }], 'acme');
    assert.equal(ids.get('sso-user'), 'rol_3');
  });
});
