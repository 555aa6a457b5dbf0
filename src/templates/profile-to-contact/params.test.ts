import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMapping, mergeMappings } from '../../core/mapping.js';
import { defaultPersonMapping, profileToContactParamsSchema } from './params.js';

test('defaults: link and external id only, no Account fields, no creation', () => {
  const params = profileToContactParamsSchema.parse({});
  assert.deepEqual(params.matchBy, []);
  assert.deepEqual(params.accountFields, {});
  assert.equal(params.createIfMissing, false);
  assert.throws(() => profileToContactParamsSchema.parse({ matchby: ['email'] }));
});

test('the default mapping sends only changed fields and never empties one the user has no value for', async () => {
  const params = profileToContactParamsSchema.parse({
    fields: { Phone: null, Department: 'user_metadata.team' },
  });
  const mapping = mergeMappings(defaultPersonMapping(params), params.fields);
  const user = {
    given_name: 'Ada',
    name: 'Ada Lovelace',
    email: 'ada@x.example',
    user_metadata: { title: 'CTO' },
  };
  const fields = await applyMapping(mapping, user, {
    mode: 'update',
    current: { FirstName: 'Ada', LastName: 'Byron', Email: 'ADA@x.example', Phone: '1', Title: null },
  });
  assert.deepEqual(fields, { LastName: 'Lovelace', Title: 'CTO' });
});
