import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseAuth0Log } from './normalise-log.js';

const sapi = (
  method: string,
  path: string,
  body: unknown = {},
  response: unknown = { statusCode: 200, body: {} },
) => ({
  type: 'sapi',
  date: '2026-11-27T10:00:00.000Z',
  client_id: 'mgmt-client',
  user_id: 'google-oauth2|admin',
  details: { request: { method, path, body }, response },
});

test('signups, logins and failures', () => {
  const [ss] = normaliseAuth0Log('acme', '1', {
    type: 'ss',
    user_id: 'auth0|1',
    date: '2026-11-27T10:00:00.000Z',
  });
  assert.equal(ss?.kind, 'user.signed_up');
  assert.equal(ss?.subject, 'user:auth0|1');
  assert.equal(ss?.occurredAt, '2026-11-27T10:00:00.000Z');

  const [first] = normaliseAuth0Log('acme', '2', {
    type: 's',
    user_id: 'google-oauth2|9',
    details: { stats: { loginsCount: 1 } },
  });
  assert.equal(first?.kind, 'user.logged_in');
  assert.equal(first?.details['firstLogin'], true);
  const [later] = normaliseAuth0Log('acme', '3', {
    type: 's',
    user_id: 'google-oauth2|9',
    details: { stats: { loginsCount: 7 } },
  });
  assert.equal(later?.details['firstLogin'], false);

  const [fu] = normaliseAuth0Log('acme', '4', { type: 'fu', user_id: '', user_name: 'Who@Example.com' });
  assert.equal(fu?.kind, 'user.login_failed');
  assert.equal(fu?.auth0UserId, undefined);
  assert.equal(fu?.subject, 'login:who@example.com');
});

test('management API records are read by method and decoded path, the target from the path', () => {
  const [created] = normaliseAuth0Log(
    'acme',
    '1',
    sapi('post', '/api/v2/users', {}, { statusCode: 201, body: { user_id: 'auth0|new' } }),
  );
  assert.equal(created?.kind, 'user.signed_up');
  assert.equal(created?.auth0UserId, 'auth0|new');
  assert.equal(created?.actorClientId, 'mgmt-client');

  const [blocked] = normaliseAuth0Log(
    'acme',
    '2',
    sapi('PATCH', '/api/v2/users/auth0%7C42', { blocked: true }),
  );
  assert.equal(blocked?.kind, 'user.blocked');
  assert.equal(blocked?.auth0UserId, 'auth0|42');
  assert.equal(
    normaliseAuth0Log('acme', '3', sapi('patch', '/api/v2/users/auth0|42', { blocked: false }))[0]?.kind,
    'user.unblocked',
  );
  assert.equal(
    normaliseAuth0Log('acme', '4', sapi('patch', '/api/v2/users/auth0|42', { name: 'x' }))[0]?.kind,
    'user.profile_changed',
  );
  assert.equal(
    normaliseAuth0Log('acme', '5', sapi('delete', '/api/v2/users/auth0|42'))[0]?.kind,
    'user.deleted',
  );
  assert.equal(
    normaliseAuth0Log('acme', '6', sapi('delete', '/api/v2/users/auth0|42/roles', { roles: ['rol_1'] }))[0]
      ?.kind,
    'user.roles_changed',
  );

  const roleUsers = normaliseAuth0Log(
    'acme',
    '7',
    sapi('post', '/api/v2/roles/rol_1/users', { users: ['auth0|a', 'auth0|b'] }),
  );
  assert.deepEqual(
    roleUsers.map((e) => [e.kind, e.auth0UserId]),
    [
      ['user.roles_changed', 'auth0|a'],
      ['user.roles_changed', 'auth0|b'],
    ],
  );

  assert.equal(normaliseAuth0Log('acme', '8', sapi('patch', '/api/v2/clients/abc'))[0]?.kind, 'unknown');
  assert.equal(
    normaliseAuth0Log(
      'acme',
      '9',
      sapi('patch', '/api/v2/users/auth0|42', { blocked: true }, { statusCode: 400 }),
    )[0]?.kind,
    'unknown',
    'failed calls change nothing',
  );
});

test('unknown and odd records never throw', () => {
  assert.equal(normaliseAuth0Log('acme', '1', { type: 'mgmt_api_read' })[0]?.kind, 'unknown');
  assert.equal(normaliseAuth0Log('acme', '2', {})[0]?.kind, 'unknown');
  assert.equal(normaliseAuth0Log('acme', '3', { type: 'sapi', details: 'nonsense' })[0]?.kind, 'unknown');
});
