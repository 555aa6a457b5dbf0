import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phoneSpellings, toE164 } from './phone.js';

test('phone numbers normalise to E.164', () => {
  assert.equal(toE164('(415) 555-0100', 'US'), '+14155550100');
  assert.equal(toE164('+44 20 7123 4567'), '+442071234567');
  assert.equal(toE164('020 7123 4567', 'GB'), '+442071234567');
  assert.equal(toE164('not a phone', 'US'), undefined);
  assert.equal(toE164('', 'US'), undefined);
});

test('spellings cover the common ways a CRM stores a number, and all normalise back', () => {
  const spellings = phoneSpellings('+14155550100');
  for (const s of ['+14155550100', '(415) 555-0100', '415-555-0100', '+1 415 555 0100', '4155550100'])
    assert.ok(spellings.includes(s), s);
  for (const s of spellings) assert.equal(toE164(s, 'US'), '+14155550100', s);
});
