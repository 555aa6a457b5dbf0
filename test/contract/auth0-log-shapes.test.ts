/**
 * Every record type the emulator generates has the same fields as a real Auth0 record of that type.
 * Fixtures are key sets copied from real records (reference E1: elastic/integrations pipeline tests,
 * sanitised tenant output; P1: panther-analysis rule tests) or, where no public record exists, the
 * shape the reference expects, marked [unverified]. Every record also carries the fields newer tenants
 * add to all types (reference §2.3): `_id`, `tenant_name`, `$event_schema` and `hostname`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '../../src/core/clock.js';
import { createAuth0Emulator, type LogRecord } from '../../src/emulators/auth0/index.js';

const NEWER_FIELDS = ['_id', 'tenant_name', '$event_schema', 'hostname'];
const LOGIN_FIELDS = [
  'date',
  'type',
  'connection',
  'connection_id',
  'client_id',
  'client_name',
  'ip',
  'user_agent',
  'details',
  'user_id',
  'user_name',
  'strategy',
  'strategy_type',
  'log_id',
];
const WITH_DESCRIPTION = [...LOGIN_FIELDS, 'description'];

interface Shape {
  source: string;
  keys: string[];
  details?: string[];
}

const REAL_SHAPES: Record<string, Shape> = {
  // E1 test-login-success.json (Universal Login, no description)
  s: {
    source: 'E1',
    keys: LOGIN_FIELDS,
    details: ['prompts', 'initiatedAt', 'completedAt', 'elapsedTime', 'session_id', 'stats'],
  },
  // E1 test-signup-success.json
  ss: { source: 'E1', keys: WITH_DESCRIPTION, details: ['body'] },
  // E1 test-login-failure.json
  fp: { source: 'E1', keys: WITH_DESCRIPTION, details: ['error'] },
  fu: { source: 'E1', keys: WITH_DESCRIPTION, details: ['error'] },
  // E1 test-login-failure.json ("the connection is not enabled") + the user fields of fp [unverified for "user is blocked"]
  f: {
    source: 'E1+',
    keys: [...WITH_DESCRIPTION, 'audience', 'scope'],
    details: ['body', 'qs', 'connection', 'error', 'session_id', 'riskAssessment'],
  },
  // P1 auth0_limits.yml / auth0_leaked_password_login_attempt.yml (2025 records)
  limit_wc: {
    source: 'P1',
    keys: [
      'date',
      'type',
      'description',
      'connection',
      'connection_id',
      'client_id',
      'ip',
      'hostname',
      'user_id',
      'user_name',
      'log_id',
      'user_agent',
    ],
  },
  pwd_leak: {
    source: 'P1',
    keys: [
      'date',
      'type',
      'description',
      'connection',
      'connection_id',
      'client_id',
      'ip',
      'hostname',
      'user_id',
      'user_name',
      'log_id',
      'user_agent',
    ],
  },
  // E1 test-user-behaviour-success.json
  sv: { source: 'E1', keys: WITH_DESCRIPTION, details: ['title', 'email', 'body', 'query'] },
  // [unverified] no public record: the sv ticket shape
  scp: { source: 'unverified', keys: WITH_DESCRIPTION, details: ['title', 'email', 'body', 'query'] },
  // P1 auth0_same_phone_mfa_multiple_users.yml gives the top level; its details are a synthetic mix [unverified]
  gd_enrollment_complete: {
    source: 'P1',
    keys: [
      'date',
      'type',
      'description',
      'client_id',
      'client_name',
      'ip',
      'user_agent',
      'details',
      'user_id',
      'user_name',
      'log_id',
    ],
    details: ['authenticator'],
  },
  gd_auth_succeed: {
    source: 'unverified',
    keys: [
      'date',
      'type',
      'description',
      'client_id',
      'client_name',
      'ip',
      'user_agent',
      'details',
      'user_id',
      'user_name',
      'log_id',
    ],
    details: ['authenticator'],
  },
  gd_auth_failed: {
    source: 'unverified',
    keys: [
      'date',
      'type',
      'description',
      'client_id',
      'client_name',
      'ip',
      'user_agent',
      'details',
      'user_id',
      'user_name',
      'log_id',
    ],
    details: ['authenticator', 'error'],
  },
  mfar: { source: 'unverified', keys: [...WITH_DESCRIPTION, 'audience', 'scope'], details: ['error'] },
  sdu: { source: 'unverified', keys: WITH_DESCRIPTION, details: [] },
  du: { source: 'unverified', keys: WITH_DESCRIPTION, details: [] },
  // E1 test-auth0-events.json (a dashboard write)
  sapi: {
    source: 'E1',
    keys: [
      'date',
      'type',
      'description',
      'client_id',
      'client_name',
      'ip',
      'user_agent',
      'details',
      'user_id',
      'log_id',
    ],
    details: ['request', 'response'],
  },
  // E1 test-token-xchg-success.json (seacft) without the user, plus audience and scope [unverified]
  seccft: {
    source: 'E1+',
    keys: [
      'date',
      'type',
      'description',
      'connection_id',
      'client_id',
      'client_name',
      'ip',
      'user_agent',
      'details',
      'user_id',
      'user_name',
      'audience',
      'scope',
      'log_id',
    ],
    details: [],
  },
};

const SAPI_REQUEST_KEYS = ['method', 'path', 'query', 'userAgent', 'body', 'channel', 'ip', 'auth'];

/** Drives every scripted path once and returns the first record of each type. */
async function generateOneOfEach(): Promise<Map<string, LogRecord>> {
  const clock = createManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  const emulator = createAuth0Emulator({
    tenant: 'acme',
    now: clock.now,
    rateLimit: false,
    bruteForceThreshold: 3,
  });
  const { admin } = emulator;
  const ada = admin.signup({ email: 'ada@example.com', phone_number: '+14155550100' });
  admin.login(ada.user_id);
  admin.login(ada.user_id, { fail: 'wrong_password' });
  admin.failedLoginUnknownUser('ghost@example.com');
  admin.failedLoginUnknownUser('ghost@example.com');
  admin.failedLoginUnknownUser('ghost@example.com'); // the third trips limit_wc
  admin.leakedPasswordLogin('ada@example.com');
  admin.enrollMfa(ada.user_id, 'sms');
  admin.login(ada.user_id);
  admin.login(ada.user_id, { fail: 'mfa' });
  admin.mfaRequired(ada.user_id);
  admin.verifyEmail(ada.user_id);
  admin.changePassword(ada.user_id);
  admin.blockUser(ada.user_id);
  admin.login(ada.user_id);
  const bob = admin.signup({ email: 'bob@example.com' });
  admin.selfDeleteUser(bob.user_id, 'sdu');
  const eve = admin.signup({ email: 'eve@example.com' });
  admin.selfDeleteUser(eve.user_id, 'du');
  const response = await emulator.fetch(
    new Request(`https://${emulator.domain}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'concord-sandbox',
        client_secret: 'sandbox-secret',
        audience: `https://${emulator.domain}/api/v2/`,
      }),
    }),
  );
  assert.equal(response.status, 200);
  const first = new Map<string, LogRecord>();
  for (const record of admin.logs()) if (!first.has(record.type)) first.set(record.type, record);
  return first;
}

test('each generated record type has the fields of the real record of that type', async () => {
  const records = await generateOneOfEach();
  for (const [type, shape] of Object.entries(REAL_SHAPES)) {
    const record = records.get(type);
    assert.ok(record, `the emulator generated no ${type} record`);
    const expected = [...new Set([...shape.keys, ...NEWER_FIELDS])].sort();
    assert.deepEqual(
      Object.keys(record).sort(),
      expected,
      `${type} top-level fields (fixture: ${shape.source})`,
    );
    if (shape.details)
      assert.deepEqual(
        Object.keys(record.details ?? {}).sort(),
        [...shape.details].sort(),
        `${type} details fields`,
      );
  }
});

test('sapi details.request has the real keys; limit_wc and fu name the attempted email with an empty user_id', async () => {
  const records = await generateOneOfEach();
  const sapi = records.get('sapi');
  assert.deepEqual(
    Object.keys((sapi?.details?.request ?? {}) as object).sort(),
    [...SAPI_REQUEST_KEYS].sort(),
  );
  for (const type of ['limit_wc', 'fu'] as const) {
    assert.equal(records.get(type)?.user_id, '');
    assert.equal(records.get(type)?.user_name, 'ghost@example.com');
  }
});

test('an MFA login is gd_auth_succeed then s whose prompts include the guardian mfa prompt', async () => {
  const emulator = createAuth0Emulator({ tenant: 'acme', rateLimit: false });
  const user = emulator.admin.signup({ email: 'ada@example.com' });
  emulator.admin.enrollMfa(user.user_id);
  emulator.admin.login(user.user_id);
  const [, enrolled, second, login] = emulator.admin.logs();
  assert.equal(enrolled?.type, 'gd_enrollment_complete');
  assert.equal(second?.type, 'gd_auth_succeed');
  assert.equal(login?.type, 's');
  const prompts = login?.details?.prompts as Array<Record<string, unknown>>;
  assert.deepEqual(
    prompts.find((p) => p.name === 'mfa'),
    { ...prompts.find((p) => p.name === 'mfa'), provider: 'guardian', performed_amr: ['mfa'] },
  );
  assert.deepEqual(login?.details?.stats, { loginsCount: 1 });
  assert.deepEqual(emulator.admin.users()[0]?.multifactor, ['guardian']);
});
