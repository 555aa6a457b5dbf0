import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskEmail, maskPersonalData, maskText } from './mask.js';

test('emails, phones and names are masked but recognisable', () => {
  assert.equal(maskEmail('jane.doe@example.com'), 'j***@e***.com');
  assert.equal(maskText('+14155550100'), '+1******0100');
  assert.equal(maskText('Jane'), 'J***');
});

test('deep masking covers personal keys, emails inside text, and secrets', () => {
  const masked = maskPersonalData({
    Email: 'ada@example.com',
    FirstName: 'Ada',
    note: 'contact ada@example.com soon',
    nested: [{ phone_number: '+442071234567' }],
    clientSecret: 's3cr3t',
    Auth0_User_Id__c: 'auth0|123',
    count: 3,
  });
  assert.deepEqual(masked, {
    Email: 'a***@e***.com',
    FirstName: 'A***',
    note: 'contact a***@e***.com soon',
    nested: [{ phone_number: '+4*******4567' }],
    clientSecret: '[redacted]',
    Auth0_User_Id__c: 'auth0|123',
    count: 3,
  });
  assert.doesNotMatch(JSON.stringify(masked), /ada@|Ada"|s3cr3t|2071234/);
});
