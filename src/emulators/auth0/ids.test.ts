import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogIdGenerator, LOG_ID_LENGTH, newDatabaseUserId, newRoleId, newSocialUserId } from './ids.js';

test('log ids are 56 digits: 900 + UTC yyyyMMddHHmmss + a zero-padded counter', () => {
  const next = createLogIdGenerator();
  const id = next(Date.parse('2026-03-01T10:20:30.456Z'));
  assert.equal(id.length, LOG_ID_LENGTH);
  assert.equal(id, `90020260301102030${'1'.padStart(39, '0')}`);
});

test('log ids increase strictly, as strings, even when the clock stands still or goes back', () => {
  const next = createLogIdGenerator();
  const times = [
    Date.parse('2026-03-01T10:00:00Z'),
    Date.parse('2026-03-01T10:00:00Z'),
    Date.parse('2026-03-01T09:59:59Z'),
    Date.parse('2026-03-01T10:00:01Z'),
  ];
  const ids = times.map(next);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => /^900\d{53}$/.test(id)));
});

test('user and role ids have Auth0 formats', () => {
  assert.match(newDatabaseUserId(), /^[0-9a-f]{24}$/);
  assert.match(newSocialUserId('google-oauth2'), /^[1-9]\d{20}$/);
  assert.match(newRoleId(), /^rol_[A-Za-z0-9]{16}$/);
});
