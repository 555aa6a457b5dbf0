import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMapping, mergeMappings } from './mapping.js';

const mapping = mergeMappings(
  {
    FirstName: { value: 'given_name', when: 'always' },
    LastName: { value: 'family_name', when: 'always', default: '[not provided]' },
    Company: { value: 'user_metadata.company', when: 'if_empty', default: '[not provided]' },
    LeadSource: { value: '"Auth0"', when: 'create' },
    Phone: { value: 'phone_number', when: 'always' },
  },
  { Title: 'user_metadata.title', Phone: null },
);

test('create: expressions, defaults for required fields, overrides and removals', async () => {
  const fields = await applyMapping(
    mapping,
    { given_name: 'Ada', phone_number: '+1', user_metadata: { title: 'CTO' } },
    { mode: 'create' },
  );
  assert.deepEqual(fields, {
    FirstName: 'Ada',
    LastName: '[not provided]',
    Company: '[not provided]',
    LeadSource: 'Auth0',
    Title: 'CTO',
  });
});

test('update: only changes, no defaults, if_empty respected, create-only skipped', async () => {
  const fields = await applyMapping(
    mapping,
    { given_name: 'Ada', family_name: 'Lovelace', user_metadata: { company: 'New Co', title: 'CTO' } },
    { mode: 'update', current: { FirstName: 'Ada', LastName: 'Byron', Company: 'Old Co', Title: 'CTO' } },
  );
  assert.deepEqual(fields, { LastName: 'Lovelace' });
});

test('fields the object does not have are skipped', async () => {
  const fields = await applyMapping(
    mapping,
    { given_name: 'Ada', family_name: 'L' },
    { mode: 'create', allowedFields: new Set(['LastName']) },
  );
  assert.deepEqual(fields, { LastName: 'L' });
});
