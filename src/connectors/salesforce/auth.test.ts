import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultJwtAudience } from './auth.js';

test('the JWT audience follows Salesforce rules, not the token URL', () => {
  assert.equal(defaultJwtAudience('https://acme.my.salesforce.com'), 'https://login.salesforce.com');
  assert.equal(defaultJwtAudience('https://login.salesforce.com/'), 'https://login.salesforce.com');
  assert.equal(
    defaultJwtAudience('https://acme--uat.sandbox.my.salesforce.com'),
    'https://test.salesforce.com',
  );
  assert.equal(defaultJwtAudience('https://test.salesforce.com'), 'https://test.salesforce.com');
  assert.equal(defaultJwtAudience('http://127.0.0.1:4010/'), 'http://127.0.0.1:4010');
});
