import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorFromNetwork, errorFromResponse, missingScopes, retryAfterMs } from './errors.js';

const NOW = Date.parse('2026-03-01T10:00:00.000Z');

function translate(status: number, body: unknown, headers: Record<string, string> = {}) {
  return errorFromResponse({
    status,
    body,
    headers: new Headers(headers),
    operation: 'GET /api/v2/users/{id}',
    clientId: 'abc',
    now: NOW,
  });
}

test('statuses map to Concord codes', () => {
  const cases: Array<[number, string, boolean]> = [
    [400, 'invalid_request', false],
    [401, 'auth', false],
    [403, 'permission', false],
    [404, 'not_found', false],
    [409, 'conflict', false],
    [429, 'rate_limited', true],
    [500, 'unavailable', true],
    [503, 'unavailable', true],
  ];
  for (const [status, code, retryable] of cases) {
    const error = translate(status, { statusCode: status, message: 'x', errorCode: 'vendor_code' });
    assert.deepEqual(
      [error.code, error.retryable, error.status, error.vendorCode],
      [code, retryable, status, 'vendor_code'],
    );
  }
});

test('retryAfterMs prefers Retry-After, then x-ratelimit-reset (epoch seconds) - now', () => {
  assert.equal(
    retryAfterMs(new Headers({ 'retry-after': '2', 'x-ratelimit-reset': '9999999999' }), NOW),
    2000,
  );
  assert.equal(retryAfterMs(new Headers({ 'x-ratelimit-reset': String(NOW / 1000 + 5) }), NOW), 5000);
  assert.equal(retryAfterMs(new Headers({ 'x-ratelimit-reset': String(NOW / 1000 - 5) }), NOW), 0);
  assert.equal(retryAfterMs(new Headers(), NOW), undefined);
  assert.equal(translate(429, {}, { 'x-ratelimit-reset': String(NOW / 1000 + 1) }).retryAfterMs, 1000);
});

test('403 insufficient_scope names the missing scope', () => {
  assert.deepEqual(missingScopes('Insufficient scope, expected any of: read:users,read:users_app_metadata'), [
    'read:users',
    'read:users_app_metadata',
  ]);
  const error = translate(403, {
    statusCode: 403,
    error: 'Forbidden',
    message: 'Insufficient scope, expected any of: read:users',
    errorCode: 'insufficient_scope',
  });
  assert.match(error.message, /lacks the scope read:users/);
  assert.deepEqual(error.details?.missingScopes, ['read:users']);
});

test('network failures and timeouts are unavailable and retryable', () => {
  const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
  const error = errorFromNetwork(timeout, 'POST /oauth/token', 10_000);
  assert.equal(error.code, 'unavailable');
  assert.equal(error.retryable, true);
  assert.match(error.message, /within 10000 ms/);
});
