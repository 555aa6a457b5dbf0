import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DomainEvent } from '../../core/events.js';
import type { Auth0Role, SfRecord } from '../../core/ports.js';
import type { PlanContext } from '../../core/template.js';
import { entitlementsHash, readEntitlements } from './entitlements.js';
import { type EntitlementsToRolesParams, entitlementsToRolesParamsSchema } from './params.js';
import { planEntitlements, stateKey } from './plan.js';

const ROLES: Auth0Role[] = [
  { id: 'rol_sso', name: 'sso-user' },
  { id: 'rol_other', name: 'Billing' },
];
const ACCOUNT = { Id: '001A', Seats__c: 1, Feature_Flags__c: 'sso', Contract_Tier__c: null };
const CONTACTS: SfRecord[] = [
  { Id: '003B', CreatedDate: '2026-01-02T00:00:00.000+0000', Auth0_User_Id__c: 'auth0|late' },
  { Id: '003A', CreatedDate: '2026-01-01T00:00:00.000+0000', Auth0_User_Id__c: 'auth0|early' },
];

/** A fake read-only context over fixed data, counting the reads it answers. */
function fakeContext(params: EntitlementsToRolesParams, state: Record<string, unknown> = {}) {
  const calls = { retrieve: 0, find: 0, roles: 0 };
  const userRoles: Record<string, Auth0Role[]> = { 'auth0|early': [], 'auth0|late': [ROLES[0]!, ROLES[1]!] };
  const fields = ['Id', 'Seats__c', 'Feature_Flags__c', 'Contract_Tier__c', 'Auth0_User_Id__c'].map(
    (name) => ({
      name,
      type: 'string',
      createable: true,
      updateable: true,
      nillable: true,
      externalId: false,
      unique: false,
      requiredOnCreate: false,
    }),
  );
  const ctx = {
    params,
    pipeline: { name: 'p', tenant: 'acme', org: 'crm' },
    auth0: {
      getUserRoles: async (id: string) => {
        calls.roles++;
        return userRoles[id] ?? [];
      },
      listRoles: async () => ROLES,
    },
    salesforce: {
      find: async () => {
        calls.find++;
        return CONTACTS;
      },
      retrieve: async () => {
        calls.retrieve++;
        return [ACCOUNT];
      },
      describe: async (name: string) => ({ name, fields }),
    },
    salesforceUserId: () => '005INTEGRATION',
    links: { findLink: async () => undefined, findByRecord: async () => [] },
    state: { get: async (key: string) => state[key] },
    clock: { now: () => 0 },
  } as unknown as PlanContext<EntitlementsToRolesParams>;
  return { ctx, calls };
}

const event = (lastModifiedById: string): DomainEvent => ({
  kind: 'salesforce.record_changed',
  source: 'salesforce.poll',
  connection: 'crm',
  sourceId: 'Account:001A@x',
  sourceType: 'Account',
  occurredAt: '2026-01-03T00:00:00.000Z',
  subject: 'account:001A',
  details: { object: 'Account', id: '001A', lastModifiedById, record: ACCOUNT },
});

describe('planEntitlements', () => {
  const base = { roleMap: { featureFlags: { sso: ['sso-user'] } } };

  test('first_come seats the oldest Contact; the other loses only the managed role', async () => {
    const params = entitlementsToRolesParamsSchema.parse(base);
    const { ctx } = fakeContext(params);
    const plan = await planEntitlements(event('005HUMAN'), ctx);
    assert.equal(plan.outcome, 'write');
    if (plan.outcome !== 'write') return;
    assert.deepEqual(plan.intents, [
      { kind: 'auth0.assign_roles', userId: 'auth0|early', roleIds: ['rol_sso'] },
      { kind: 'auth0.remove_roles', userId: 'auth0|late', roleIds: ['rol_sso'] },
    ]);
    assert.match(plan.reason, /left without managed roles: auth0\|late$/);
    assert.deepEqual(plan.state, { [stateKey('001A')]: entitlementsHash(readEntitlements(ACCOUNT, params)) });
  });

  test('overSeats none: nobody holds the managed roles while users outnumber seats', async () => {
    const params = entitlementsToRolesParamsSchema.parse({ ...base, overSeats: 'none' });
    const plan = await planEntitlements(event('005HUMAN'), fakeContext(params).ctx);
    assert.equal(plan.outcome, 'write');
    if (plan.outcome !== 'write') return;
    assert.deepEqual(plan.intents, [
      { kind: 'auth0.remove_roles', userId: 'auth0|late', roleIds: ['rol_sso'] },
    ]);
    assert.match(plan.reason, /left without managed roles: auth0\|early, auth0\|late$/);
  });

  test("Concord's own write with unchanged entitlements is suppressed without reading anything", async () => {
    const params = entitlementsToRolesParamsSchema.parse(base);
    const hash = entitlementsHash(readEntitlements(ACCOUNT, params));
    const { ctx, calls } = fakeContext(params, { [stateKey('001A')]: hash });
    const plan = await planEntitlements(event('005INTEGRATION'), ctx);
    assert.equal(plan.outcome, 'suppressed');
    assert.deepEqual(calls, { retrieve: 0, find: 0, roles: 0 });
    // the same record edited by a person is planned in full
    assert.equal((await planEntitlements(event('005HUMAN'), ctx)).outcome, 'write');
  });

  test('an empty roleMap manages nothing: filtered', async () => {
    const params = entitlementsToRolesParamsSchema.parse({});
    const plan = await planEntitlements(event('005HUMAN'), fakeContext(params).ctx);
    assert.equal(plan.outcome, 'filtered');
  });
});
