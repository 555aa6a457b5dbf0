import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '../../core/clock.js';
import { createAuth0Emulator } from './index.js';

function emulator() {
  const clock = createManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  return { clock, emulator: createAuth0Emulator({ tenant: 'acme', now: clock.now, rateLimit: false }) };
}

const COMMON = [
  'log_id',
  '_id',
  'date',
  'type',
  'tenant_name',
  '$event_schema',
  'hostname',
  'client_id',
  'ip',
];

test('database signup writes ss with the user, connection and common fields', () => {
  const { emulator: e } = emulator();
  const user = e.admin.signup({ email: 'ada@example.com', given_name: 'Ada' });
  const [record] = e.admin.logs();
  assert.equal(record?.type, 'ss');
  for (const key of COMMON) assert.ok(record && key in record, key);
  assert.equal(record?._id, record?.log_id);
  assert.equal(record?.date, '2026-03-01T10:00:00.000Z');
  assert.equal(record?.hostname, 'acme.auth0.test');
  assert.equal(record?.tenant_name, 'acme');
  assert.equal(record?.user_id, user.user_id);
  assert.equal(record?.user_name, 'ada@example.com');
  assert.equal(record?.connection, 'Username-Password-Authentication');
  assert.match(record?.connection_id ?? '', /^con_/);
  assert.equal(record?.strategy, 'auth0');
  assert.equal(record?.strategy_type, 'database');
  assert.equal(e.admin.users()[0]?.name, 'ada@example.com');
});

test('logins count up: s carries details.stats.loginsCount, prompts and a session id', () => {
  const { emulator: e, clock } = emulator();
  const user = e.admin.signup({ email: 'ada@example.com' });
  clock.advance(1000);
  e.admin.login(user.user_id);
  const updated = e.admin.login(user.user_id);
  const logins = e.admin.logs().filter((r) => r.type === 's');
  assert.deepEqual(
    logins.map((r) => at(r, 'details.stats.loginsCount')),
    [1, 2],
  );
  assert.ok(Array.isArray(logins[0]?.details?.prompts));
  assert.equal(typeof logins[0]?.details?.session_id, 'string');
  assert.equal(updated.logins_count, 2);
  assert.equal(updated.last_login, '2026-03-01T10:00:01.000Z');
});

test('first social login creates the user and logs s with loginsCount 1, no ss', () => {
  const { emulator: e } = emulator();
  const user = e.admin.socialLogin({
    provider: 'google-oauth2',
    email: 'Grace@Example.com',
    given_name: 'Grace',
  });
  assert.match(user.user_id, /^google-oauth2\|\d{21}$/);
  assert.equal(user.identities?.[0]?.isSocial, true);
  assert.equal(user.email_verified, true);
  const again = e.admin.socialLogin({ provider: 'google-oauth2', email: 'grace@example.com' });
  assert.equal(again.user_id, user.user_id);
  const records = e.admin.logs();
  assert.deepEqual(
    records.map((r) => r.type),
    ['s', 's'],
  );
  assert.equal(at(records[0], 'details.stats.loginsCount'), 1);
  assert.equal(records[0]?.strategy_type, 'social');
});

test('fp names the user; fu has an empty user_id and the attempted email in user_name', () => {
  const { emulator: e } = emulator();
  const user = e.admin.signup({ email: 'ada@example.com' });
  e.admin.login(user.user_id, { fail: 'wrong_password' });
  const fu = e.admin.failedLoginUnknownUser('ghost@example.com');
  const fp = e.admin.logs().find((r) => r.type === 'fp');
  assert.equal(fp?.user_id, user.user_id);
  assert.equal(at(fp, 'details.error.message'), 'Wrong email or password.');
  assert.equal(fu.type, 'fu');
  assert.equal(fu.user_id, '');
  assert.equal(fu.user_name, 'ghost@example.com');
  assert.equal(e.admin.users()[0]?.logins_count, undefined);
});

test('dashboard changes log sapi with the dashboard client id and the admin as actor', () => {
  const { emulator: e } = emulator();
  const user = e.admin.signup({ email: 'ada@example.com' });
  const role = e.admin.createRole('Pro');
  e.admin.blockUser(user.user_id);
  e.admin.assignRoles(user.user_id, [role.id]);
  e.admin.deleteUser(user.user_id);
  const sapi = e.admin.logs().filter((r) => r.type === 'sapi');
  const encoded = `/api/v2/users/${user.user_id.replace('|', '%7C')}`;
  assert.deepEqual(
    sapi.map((r) => {
      const request = r.details?.request as { method: string; path: string; body: unknown; channel: string };
      return [r.client_id, request.method, request.path, request.body, request.channel];
    }),
    [
      ['dashboardClientId0000000000000000', 'patch', encoded, { blocked: true }, 'https://manage.auth0.com/'],
      [
        'dashboardClientId0000000000000000',
        'post',
        `${encoded}/roles`,
        { roles: [role.id] },
        'https://manage.auth0.com/',
      ],
      ['dashboardClientId0000000000000000', 'delete', encoded, {}, 'https://manage.auth0.com/'],
    ],
  );
  assert.equal(at(sapi[0], 'details.request.auth.strategy'), 'jwt');
  assert.equal(sapi[0]?.user_id, at(sapi[0], 'details.request.auth.user.user_id'));
  assert.equal(e.admin.users().length, 0);
});

test('metadata merge is shallow: null deletes a key, nested objects are replaced', () => {
  const { emulator: e } = emulator();
  const user = e.admin.signup({ email: 'ada@example.com', app_metadata: { a: 1, nested: { x: 1, y: 2 } } });
  const updated = e.admin.updateUser(user.user_id, { app_metadata: { a: null, nested: { x: 3 }, b: true } });
  assert.deepEqual(updated.app_metadata, { nested: { x: 3 }, b: true });
});

test('reset empties the tenant and log ids keep increasing', () => {
  const { emulator: e } = emulator();
  const first = e.admin.failedLoginUnknownUser('a@example.com');
  e.admin.reset();
  assert.deepEqual(e.admin.logs(), []);
  const second = e.admin.failedLoginUnknownUser('a@example.com');
  assert.ok(second.log_id > first.log_id);
});

/** Reads a dotted path out of a record (test convenience). */
function at(record: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      record,
    );
}

test('brute force: N wrong passwords for one user from one IP log limit_wc; a success in between resets it', () => {
  const clock = createManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  const e = createAuth0Emulator({ tenant: 'acme', now: clock.now, rateLimit: false, bruteForceThreshold: 3 });
  const user = e.admin.signup({ email: 'ada@example.com' });
  const here = { ip: '198.51.100.7' };
  e.admin.login(user.user_id, { fail: 'wrong_password' }, here);
  e.admin.login(user.user_id, { fail: 'wrong_password' }, here);
  e.admin.login(user.user_id, {}, here); // resets
  e.admin.login(user.user_id, { fail: 'wrong_password' }, here);
  e.admin.login(user.user_id, { fail: 'wrong_password' }, { ip: '203.0.113.99' }); // another IP counts apart
  e.admin.login(user.user_id, { fail: 'wrong_password' }, here);
  e.admin.login(user.user_id, { fail: 'wrong_password' }, here);
  const types = e.admin.logs().map((r) => r.type);
  assert.deepEqual(types, ['ss', 'fp', 'fp', 's', 'fp', 'fp', 'fp', 'fp', 'limit_wc']);
  const limit = e.admin.logs().at(-1);
  assert.equal(limit?.user_id, '');
  assert.equal(limit?.user_name, 'ada@example.com');
  assert.equal(limit?.ip, '198.51.100.7');
});

test('a blocked user cannot log in: f "user is blocked", no login counted', () => {
  const { emulator: e } = emulator();
  const user = e.admin.signup({ email: 'ada@example.com' });
  e.admin.blockUser(user.user_id);
  const after = e.admin.login(user.user_id);
  const f = e.admin.logs().at(-1);
  assert.equal(f?.type, 'f');
  assert.equal(f?.description, 'user is blocked');
  assert.equal(f?.user_id, user.user_id);
  assert.equal(after.logins_count, undefined);
});

test('user events: signup, edits and deletes are events; seeding and logins are not', () => {
  const { emulator: e } = emulator();
  e.admin.seedUser({ email: 'seeded@example.com' });
  const user = e.admin.signup({ email: 'ada@example.com' });
  e.admin.login(user.user_id);
  e.admin.verifyEmail(user.user_id);
  e.admin.selfDeleteUser(user.user_id);
  assert.deepEqual(
    e.admin.events().map((ev) => ev.type),
    ['user.created', 'user.updated', 'user.deleted'],
  );
  assert.equal(e.admin.events()[1]?.user.email_verified, true);
  assert.deepEqual(
    e.admin.logs().map((r) => r.type),
    ['ss', 's', 'sv', 'sdu'],
  );
});
