import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SfFieldDescribe } from '../../core/ports.js';
import { erasureFields } from './erasure.js';
import { deactivationToChurnParamsSchema } from './params.js';

const field = (name: string, type: string, nillable = true): SfFieldDescribe => ({
  name,
  type,
  nillable,
  createable: true,
  updateable: true,
  externalId: false,
  unique: false,
  requiredOnCreate: !nillable,
});
const contactDescribe = {
  describe: async () => ({
    name: 'Contact',
    fields: [
      field('FirstName', 'string'),
      field('LastName', 'string', false),
      field('Email', 'email'),
      field('Phone', 'phone'),
      field('Title', 'string'),
    ],
  }),
};

test('text and required fields get the replacement, typed fields are cleared, missing fields are skipped', async () => {
  const { erasure } = deactivationToChurnParamsSchema.parse({ erasure: { enabled: true } });
  const out = await erasureFields(
    contactDescribe,
    {
      Id: '003x',
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Email: 'ada@x.example',
      Phone: null,
      Title: 'anonymised',
    },
    erasure,
  );
  assert.deepEqual(out.fields, { FirstName: 'anonymised', LastName: 'anonymised', Email: null });
  assert.deepEqual(
    out.names,
    ['FirstName', 'LastName', 'Email', 'Phone', 'Title'],
    'MobilePhone is not on this org',
  );
});

test('defaults are the documented ones and unknown keys are rejected', () => {
  const params = deactivationToChurnParamsSchema.parse({});
  assert.equal(params.statusField, 'Auth0_Status__c');
  assert.equal(params.keyField, 'Concord_Key__c');
  assert.equal(params.erasure.enabled, false);
  assert.equal(params.dueInDays, 3);
  assert.throws(() => deactivationToChurnParamsSchema.parse({ statusFeild: 'x' }));
  assert.throws(() => deactivationToChurnParamsSchema.parse({ erasure: { enabled: true, replace: 'x' } }));
});
