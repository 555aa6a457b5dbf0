/**
 * Contract tests for the Auth0 emulator and Concord's Auth0 connector, driven by the official `auth0`
 * SDK v7 and by the connector. The read-only cases also run against a real tenant when
 * CONCORD_TEST_AUTH0_DOMAIN / _CLIENT_ID / _CLIENT_SECRET are set; the rest need the emulator's admin.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManagementClient, ManagementError } from 'auth0';
import { createAuth0Connector } from '../../src/connectors/auth0/index.js';
import { ConcordError } from '../../src/core/errors.js';
import { createManualClock } from '../../src/core/clock.js';
import { createAuth0Emulator, type LogRecord } from '../../src/emulators/auth0/index.js';

interface Auth0Target {
  name: string;
  /** Set when the target cannot run; node:test prints it as the skip reason. */
  skip?: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  /** Where HTTP really goes (`https://{domain}` for a real tenant). */
  baseUrl(): string;
  /** A `fetch` that sends `https://{domain}` to `baseUrl()`: how the SDK reaches an emulator. */
  fetch: typeof fetch;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function emulatorTarget(options: Parameters<typeof createAuth0Emulator>[0] = {}) {
  const emulator = createAuth0Emulator({ tenant: 'acme', ...options });
  let server: Awaited<ReturnType<typeof emulator.listen>> | undefined;
  const baseUrl = () => {
    if (!server) throw new Error('emulator target not started');
    return server.url;
  };
  const rewrite = (input: string | URL | Request) =>
    String(input instanceof Request ? input.url : input).replace(`https://${emulator.domain}`, baseUrl());
  return {
    name: 'emulator',
    emulator,
    domain: emulator.domain,
    clientId: 'concord-sandbox',
    clientSecret: 'sandbox-secret',
    baseUrl,
    fetch: ((input, init) => fetch(rewrite(input), init)) as typeof fetch,
    async start() {
      server = await emulator.listen(0, '127.0.0.1');
    },
    async stop() {
      await server?.close();
    },
  } satisfies Auth0Target & { emulator: unknown };
}

function realTenantTarget(): Auth0Target {
  const env = {
    CONCORD_TEST_AUTH0_DOMAIN: process.env.CONCORD_TEST_AUTH0_DOMAIN ?? '',
    CONCORD_TEST_AUTH0_CLIENT_ID: process.env.CONCORD_TEST_AUTH0_CLIENT_ID ?? '',
    CONCORD_TEST_AUTH0_CLIENT_SECRET: process.env.CONCORD_TEST_AUTH0_CLIENT_SECRET ?? '',
  };
  const missing = Object.entries(env).filter(([, value]) => !value);
  const domain = env.CONCORD_TEST_AUTH0_DOMAIN;
  return {
    name: `real tenant ${domain || '(not configured)'}`,
    skip:
      missing.length > 0
        ? `no real tenant: set ${missing.map(([name]) => name).join(', ')} to run these cases against one`
        : undefined,
    domain,
    clientId: env.CONCORD_TEST_AUTH0_CLIENT_ID,
    clientSecret: env.CONCORD_TEST_AUTH0_CLIENT_SECRET,
    baseUrl: () => `https://${domain}`,
    fetch: (input, init) => fetch(input, init),
    start: async () => {},
    stop: async () => {},
  };
}

function sdkFor(target: Auth0Target, credentials?: { clientId: string; clientSecret: string }) {
  return new ManagementClient({
    domain: target.domain,
    clientId: credentials?.clientId ?? target.clientId,
    clientSecret: credentials?.clientSecret ?? target.clientSecret,
    maxRetries: 0,
    fetch: target.fetch,
  });
}

function connectorFor(
  target: Auth0Target,
  overrides: Partial<Parameters<typeof createAuth0Connector>[0]> = {},
) {
  return createAuth0Connector({
    domain: target.domain,
    baseUrl: target.baseUrl(),
    clientId: target.clientId,
    clientSecret: target.clientSecret,
    ...overrides,
  });
}

async function token(target: Auth0Target, encoding: 'json' | 'form', secret = target.clientSecret) {
  const params = {
    grant_type: 'client_credentials',
    client_id: target.clientId,
    client_secret: secret,
    audience: `https://${target.domain}/api/v2/`,
  };
  const response = await fetch(`${target.baseUrl()}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body: encoding === 'json' ? JSON.stringify(params) : new URLSearchParams(params),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

async function sdkError(promise: Promise<unknown>) {
  const error = await rejection(promise);
  assert.ok(error instanceof ManagementError, `expected a ManagementError, got ${String(error)}`);
  return { statusCode: error.statusCode, body: error.body };
}

async function concordError(promise: Promise<unknown>) {
  const error = await rejection(promise);
  assert.ok(error instanceof ConcordError, `expected a ConcordError, got ${String(error)}`);
  return error;
}

// ───────────── read-only: the emulator and, when configured, a real tenant ─────────────

for (const target of [emulatorTarget(), realTenantTarget()] as Auth0Target[]) {
  describe(`Auth0 read-only contract (${target.name})`, { skip: target.skip }, () => {
    before(() => target.start());
    after(() => target.stop());

    test('client credentials token with a JSON body and with a form body', async () => {
      for (const encoding of ['json', 'form'] as const) {
        const { status, body } = await token(target, encoding);
        assert.equal(status, 200, encoding);
        assert.equal(typeof body.access_token, 'string');
        assert.equal(body.token_type, 'Bearer');
        assert.equal(body.expires_in, 86400);
        assert.equal(typeof body.scope, 'string');
      }
    });

    test('a wrong client secret gets an OAuth-style 401', async () => {
      const { status, body } = await token(target, 'json', 'not-the-secret');
      assert.equal(status, 401);
      assert.equal(body.error, 'access_denied');
      assert.equal(body.error_description, 'Unauthorized');
    });

    test('the Management API answers a bad bearer token with a 401 in its own format', async () => {
      const response = await fetch(`${target.baseUrl()}/api/v2/users`, {
        headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x' },
      });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 401);
      assert.equal(body.statusCode, 401);
      assert.equal(body.error, 'Unauthorized');
    });

    test('users list: include_totals switches between an array and {start, limit, length, total, users}', async () => {
      const { body } = await token(target, 'json');
      const headers = { authorization: `Bearer ${body.access_token}` };
      const plain = await fetch(`${target.baseUrl()}/api/v2/users?per_page=2&include_totals=false`, {
        headers,
      });
      assert.equal(plain.status, 200);
      assert.ok(Array.isArray(await plain.json()));
      for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
        assert.match(plain.headers.get(name) ?? '', /^\d+$/, name);
      }
      const totals = await fetch(`${target.baseUrl()}/api/v2/users?per_page=2&include_totals=true`, {
        headers,
      });
      const paged = (await totals.json()) as Record<string, unknown>;
      assert.deepEqual(Object.keys(paged).sort(), ['length', 'limit', 'start', 'total', 'users']);
      const page = await sdkFor(target).users.list({ per_page: 2 });
      assert.ok(Array.isArray(page.data));
    });

    test('the connector reads an unknown user as null and an unknown email as []', async () => {
      const connector = connectorFor(target);
      assert.equal(await connector.getUser('auth0|000000000000000000000000'), null);
      assert.deepEqual(await connector.getUsersByEmail('nobody.concord-contract@example.invalid'), []);
      const limits = connector.rateLimit();
      assert.ok(limits && limits.limit > 0 && limits.resetAt > 0);
    });

    test('checkpoint logs: a bare array and Link rel="next"', async () => {
      const { body } = await token(target, 'json');
      const response = await fetch(`${target.baseUrl()}/api/v2/logs?from=900&take=2`, {
        headers: { authorization: `Bearer ${body.access_token}` },
      });
      assert.equal(response.status, 200);
      const records = (await response.json()) as LogRecord[];
      assert.ok(Array.isArray(records) && records.length <= 2);
      assert.match(response.headers.get('link') ?? '', /<[^>]*\/api\/v2\/logs\?from=\d+&take=2>; rel="next"/);
    });
  });
}

// ───────────── emulator only: writes, faults, limits, records ─────────────

describe('Auth0 emulator with the SDK and the connector', () => {
  const clock = createManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  const target = emulatorTarget({
    now: clock.now,
    clients: [
      { clientId: 'concord-sandbox', clientSecret: 'sandbox-secret', name: 'Concord' },
      { clientId: 'read-only', clientSecret: 'read-only-secret', scopes: ['read:users'] },
      { clientId: 'no-scopes', clientSecret: 'no-scopes-secret', scopes: [] },
    ],
  });
  const { emulator } = target;
  const sdk = sdkFor(target);
  const connection = 'Username-Password-Authentication';
  const sapiRecords = () => emulator.admin.logs().filter((r) => r.type === 'sapi');

  before(() => target.start());
  after(() => target.stop());

  test('users CRUD through the SDK, with the shapes and bodies Auth0 uses', async () => {
    const created = await sdk.users.create({
      connection,
      email: 'Ada@Example.com',
      password: 'Secret-123',
      app_metadata: { plan: 'pro', seats: 3 },
    });
    assert.match(created.user_id ?? '', /^auth0\|[0-9a-f]{24}$/);
    assert.equal(created.email, 'ada@example.com');
    assert.equal(created.name, 'ada@example.com');
    assert.equal(created.nickname, 'ada');
    assert.equal(created.created_at, '2026-03-01T10:00:00.000Z');
    assert.equal(created.updated_at, created.created_at);
    assert.equal('blocked' in created, false);
    assert.equal('logins_count' in created, false);
    assert.deepEqual(created.identities, [
      { connection, user_id: created.user_id?.slice('auth0|'.length), provider: 'auth0', isSocial: false },
    ]);

    const id = created.user_id!;
    assert.deepEqual(await sdk.users.get(id), created);
    assert.deepEqual(await connectorFor(target).getUser(id), created);
    assert.deepEqual(await sdk.users.listUsersByEmail({ email: 'ada@example.com' }), [created]);

    clock.advance(1000);
    const updated = await sdk.users.update(id, {
      app_metadata: { seats: null, tier: 'gold' },
      given_name: 'Ada',
    });
    assert.deepEqual(updated.app_metadata, { plan: 'pro', tier: 'gold' });
    assert.equal(updated.given_name, 'Ada');
    assert.equal(updated.updated_at, '2026-03-01T10:00:01.000Z');

    const duplicate = await sdkError(
      sdk.users.create({ connection, email: 'ada@example.com', password: 'x' }),
    );
    assert.deepEqual(duplicate, {
      statusCode: 409,
      body: {
        statusCode: 409,
        error: 'Conflict',
        message: 'The user already exists.',
        errorCode: 'auth0_idp_error',
      },
    });
    const noConnection = await sdkError(sdk.users.create({ email: 'x@example.com' } as never));
    assert.equal(noConnection.statusCode, 400);
    assert.equal((noConnection.body as Record<string, unknown>).errorCode, 'invalid_body');

    await sdk.users.delete(id);
    assert.deepEqual(await sdkError(sdk.users.get(id)), {
      statusCode: 404,
      body: {
        statusCode: 404,
        error: 'Not Found',
        message: 'The user does not exist.',
        errorCode: 'inexistent_user',
      },
    });
    assert.equal(await connectorFor(target).getUser(id), null);
  });

  test('DELETE answers 204 and ids may arrive encoded (%7C) or not', async () => {
    const user = emulator.admin.signup({ email: 'raw@example.com' });
    const { body } = await token(target, 'json');
    const headers = { authorization: `Bearer ${body.access_token}` };
    const plain = await fetch(`${target.baseUrl()}/api/v2/users/${user.user_id}`, { headers });
    assert.equal(plain.status, 200);
    const deleted = await fetch(`${target.baseUrl()}/api/v2/users/${encodeURIComponent(user.user_id)}`, {
      method: 'DELETE',
      headers,
    });
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), '');
  });

  test('users list: paging, q, per_page cap and the 1,000-result cap', async () => {
    for (let i = 0; i < 5; i++) emulator.admin.signup({ email: `list${i}@example.com` });
    const page = await sdk.users.list({ page: 1, per_page: 2, include_totals: true });
    assert.equal(page.data.length, 2);
    assert.equal(page.response.start, 2);
    assert.ok((page.response.total ?? 0) >= 5);
    const found = await sdk.users.list({ q: 'email:"list3@example.com"', search_engine: 'v3' });
    assert.deepEqual(
      found.data.map((u) => u.email),
      ['list3@example.com'],
    );
    assert.equal((await sdkError(sdk.users.list({ per_page: 101 }))).statusCode, 400);
    assert.equal((await sdkError(sdk.users.list({ page: 10, per_page: 100 }))).statusCode, 400);
  });

  test('roles: assign, list and remove (DELETE carries a JSON body), each answering 204', async () => {
    const user = emulator.admin.signup({ email: 'roles@example.com' });
    const pro = emulator.admin.createRole('Pro');
    const admin = emulator.admin.createRole('Admin');
    assert.match(pro.id, /^rol_[A-Za-z0-9]{16}$/);
    assert.deepEqual((await sdk.roles.list()).data.map((r) => r.name).sort(), ['Admin', 'Pro']);
    await sdk.users.roles.assign(user.user_id, { roles: [pro.id, admin.id] });
    await sdk.users.roles.assign(user.user_id, { roles: [pro.id] }); // idempotent
    assert.deepEqual(
      (await sdk.users.roles.list(user.user_id)).data.map((r) => r.id).sort(),
      [pro.id, admin.id].sort(),
    );
    await sdk.users.roles.delete(user.user_id, { roles: [admin.id] });
    assert.deepEqual(
      (await sdk.users.roles.list(user.user_id)).data.map((r) => r.id),
      [pro.id],
    );
    const records = sapiRecords().filter((r) => String(nested(r, 'details.request.path')).endsWith('/roles'));
    assert.deepEqual(
      records.map((r) => [nested(r, 'details.request.method'), nested(r, 'details.request.body')]),
      [
        ['post', { roles: [pro.id, admin.id] }],
        ['post', { roles: [pro.id] }],
        ['delete', { roles: [admin.id] }],
      ],
    );
  });

  test('every Management API write appends sapi with the caller client_id, path and masked body', async () => {
    const before = sapiRecords().length;
    const created = await sdk.users.create({ connection, email: 'audit@example.com', password: 'Secret-1' });
    await sdk.users.update(created.user_id!, { blocked: true });
    await sdk.users.delete(created.user_id!);
    const records = sapiRecords().slice(before);
    const path = `/api/v2/users/${created.user_id!.replace('|', '%7C')}`;
    assert.deepEqual(
      records.map((r) => [
        r.client_id,
        nested(r, 'details.request.method'),
        nested(r, 'details.request.path'),
      ]),
      [
        ['concord-sandbox', 'post', '/api/v2/users'],
        ['concord-sandbox', 'patch', path],
        ['concord-sandbox', 'delete', path],
      ],
    );
    const [create, block] = records;
    assert.equal(nested(create, 'details.request.body.password'), '*****');
    assert.deepEqual(nested(block, 'details.request.body'), { blocked: true });
    assert.equal(nested(block, 'details.response.statusCode'), 200);
    assert.equal(nested(block, 'details.request.auth.strategy'), 'jwt');
    assert.ok(Array.isArray(nested(block, 'details.request.auth.credentials.scopes')));
    assert.equal(nested(block, 'details.request.auth.user'), undefined);
    assert.ok(emulator.admin.logs().some((r) => r.type === 'seccft' && r.client_id === 'concord-sandbox'));
  });

  test('403 insufficient_scope in the SDK and as a permission error naming the scope in the connector', async () => {
    const readOnly = sdkFor(target, { clientId: 'read-only', clientSecret: 'read-only-secret' });
    assert.deepEqual(await sdkError(readOnly.users.create({ connection, email: 'nope@example.com' })), {
      statusCode: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'Insufficient scope, expected any of: create:users',
        errorCode: 'insufficient_scope',
      },
    });
    const error = await concordError(
      connectorFor(target, { clientId: 'no-scopes', clientSecret: 'no-scopes-secret' }).getUser('auth0|1'),
    );
    assert.equal(error.code, 'permission');
    assert.equal(error.retryable, false);
    assert.match(error.message, /read:users/);
  });

  test('connector: bad credentials are a non-retryable auth error telling what to check', async () => {
    const error = await concordError(connectorFor(target, { clientSecret: 'wrong' }).getUser('auth0|1'));
    assert.equal(error.code, 'auth');
    assert.equal(error.retryable, false);
    assert.match(error.message, /client id and secret/);
  });

  test('connector: an invitation is the Authentication API change-password email, with no token', async () => {
    const user = emulator.admin.seedUser({ email: 'invitee@example.com', connection });
    const tokensBefore = emulator.admin.counters().byEndpoint['POST /oauth/token'] ?? 0;
    // Another application of the tenant: the link leads back to the app users log in to.
    const auth0 = connectorFor(target);
    await auth0.sendPasswordChangeEmail({ email: 'Invitee@example.com', connection, clientId: 'read-only' });
    const [sent] = emulator.admin.emails().filter((e) => e.userId === user.user_id);
    assert.ok(sent, 'Auth0 emailed the user');
    assert.equal(sent.clientId, 'read-only');
    assert.equal(sent.template, 'change_password');
    assert.equal(
      emulator.admin.counters().byEndpoint['POST /oauth/token'] ?? 0,
      tokensBefore,
      'no token asked',
    );
    const requested = emulator.admin.logs().at(-1)!;
    assert.equal(requested.type, 'scpr');
    assert.equal(requested['user_id'], user.user_id);

    // Nobody by that email: the same answer (Auth0 does not tell), and no email.
    const emails = emulator.admin.emails().length;
    await auth0.sendPasswordChangeEmail({ email: 'nobody@example.com', connection, clientId: 'read-only' });
    assert.equal(emulator.admin.emails().length, emails);

    const refused = await concordError(
      auth0.sendPasswordChangeEmail({
        email: 'invitee@example.com',
        connection: 'google-oauth2',
        clientId: 'x',
      }),
    );
    assert.equal(refused.status, 400);
    assert.equal(refused.retryable, false);
    assert.match(refused.message, /POST \/dbconnections\/change_password/);
    assert.equal(emulator.admin.emails().length, emails, 'nothing sent on a refusal');
  });

  test('connector: one token for concurrent callers; a 401 drops it and retries once', async () => {
    const connector = connectorFor(target);
    const tokens = () => emulator.admin.counters().byEndpoint['POST /oauth/token'] ?? 0;
    const start = tokens();
    await Promise.all([
      connector.getUsersByEmail('a@example.com'),
      connector.getUsersByEmail('b@example.com'),
    ]);
    assert.equal(tokens() - start, 1);
    emulator.admin.faults.inject({
      match: { method: 'GET', path: '/api/v2/users-by-email' },
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized', message: 'Invalid token' },
      times: 1,
    });
    assert.deepEqual(await connector.getUsersByEmail('a@example.com'), []);
    assert.equal(tokens() - start, 2);
    emulator.admin.faults.inject({ match: { path: '/api/v2/users-by-email' }, status: 401, times: 2 });
    const error = await concordError(connector.getUsersByEmail('a@example.com'));
    assert.equal(error.code, 'auth');
    assert.equal(error.retryable, false);
  });

  test('connector: the token is reused until 60 s before expires_in, then renewed', async () => {
    const connector = connectorFor(target, { now: clock.now });
    const tokens = () => emulator.admin.counters().byEndpoint['POST /oauth/token'] ?? 0;
    await connector.getUsersByEmail('a@example.com');
    const start = tokens();
    clock.advance(86_400_000 - 61_000);
    await connector.getUsersByEmail('a@example.com');
    assert.equal(tokens(), start);
    clock.advance(2_000);
    await connector.getUsersByEmail('a@example.com');
    assert.equal(tokens(), start + 1);
  });

  test('connector: 5xx is unavailable, 429 is rate_limited with retryAfterMs from the headers', async () => {
    const connector = connectorFor(target, { now: clock.now });
    emulator.admin.faults.inject({ match: { path: '/api/v2/users/*' }, status: 503, times: 1 });
    const unavailable = await concordError(connector.getUser('auth0|x'));
    assert.equal(unavailable.code, 'unavailable');
    assert.equal(unavailable.retryable, true);
    const resetSeconds = Math.floor(clock.now() / 1000) + 7;
    emulator.admin.faults.inject({
      match: { path: '/api/v2/users/*' },
      status: 429,
      headers: {
        'x-ratelimit-limit': '50',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(resetSeconds),
      },
      times: 1,
    });
    const limited = await concordError(connector.getUser('auth0|x'));
    assert.equal(limited.code, 'rate_limited');
    assert.equal(limited.retryAfterMs, resetSeconds * 1000 - clock.now());
    emulator.admin.faults.inject({
      match: { path: '/api/v2/users/*' },
      status: 429,
      headers: { 'retry-after': '3' },
      times: 1,
    });
    assert.equal((await concordError(connector.getUser('auth0|x'))).retryAfterMs, 3000);
  });

  test('checkpoint logs: follow Link rel="next" until [] with the same from', async () => {
    emulator.admin.reset();
    const user = emulator.admin.signup({ email: 'logs@example.com' });
    emulator.admin.login(user.user_id);
    emulator.admin.login(user.user_id, { fail: 'wrong_password' });
    emulator.admin.failedLoginUnknownUser('ghost@example.com');
    const expected = emulator.admin.logs().map((r) => r.log_id);
    const { body } = await token(target, 'json');
    const headers = { authorization: `Bearer ${body.access_token}` };
    const all: string[] = [];
    let next: string | undefined = `${target.baseUrl()}/api/v2/logs?from=900&take=2`;
    let last: LogRecord[] = [];
    let lastLink = '';
    for (let pages = 0; next && pages < 10; pages++) {
      const response: Response = await fetch(next, { headers });
      last = (await response.json()) as LogRecord[];
      lastLink = response.headers.get('link') ?? '';
      all.push(...last.map((r) => r.log_id));
      next = last.length > 0 ? lastLink.match(/<([^>]+)>; rel="next"/)?.[1] : undefined;
    }
    // the token request itself wrote a seccft record after `expected` was taken
    assert.deepEqual(all.slice(0, expected.length), expected);
    assert.deepEqual(
      emulator.admin.logs().map((r) => r.type),
      ['ss', 's', 'fp', 'fu', 'seccft'],
    );
    assert.deepEqual(last, []);
    assert.ok(lastLink.includes(`from=${all.at(-1)}&take=2`));
  });

  test('users/{id}/logs and search mode with q', async () => {
    const user = emulator.admin.signup({ email: 'search@example.com' });
    emulator.admin.login(user.user_id);
    const { body } = await token(target, 'json');
    const headers = { authorization: `Bearer ${body.access_token}` };
    const own = await fetch(`${target.baseUrl()}/api/v2/users/${encodeURIComponent(user.user_id)}/logs`, {
      headers,
    });
    assert.deepEqual(
      ((await own.json()) as LogRecord[]).map((r) => r.type),
      ['s', 'ss'],
    );
    const search = await fetch(
      `${target.baseUrl()}/api/v2/logs?q=${encodeURIComponent('type:"ss"')}&include_totals=true`,
      {
        headers,
      },
    );
    const found = (await search.json()) as { logs: LogRecord[]; total: number };
    assert.ok(found.logs.every((r) => r.type === 'ss') && found.total >= 1);
  });
});

describe('Auth0 emulator rate limits (free preset)', () => {
  const clock = createManualClock(Date.parse('2026-03-01T10:00:00.200Z'));
  const target = emulatorTarget({ rateLimit: 'free', now: clock.now });
  before(() => target.start());
  after(() => target.stop());

  test('burst of 10, then 429 with remaining 0 and a future reset; the bucket refills at 2 rps', async () => {
    const { body } = await token(target, 'json');
    const headers = { authorization: `Bearer ${body.access_token}` };
    const remaining: string[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${target.baseUrl()}/api/v2/users`, { headers });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-ratelimit-limit'), '10');
      remaining.push(response.headers.get('x-ratelimit-remaining')!);
      await response.arrayBuffer();
    }
    assert.deepEqual(remaining, ['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    const limited = await fetch(`${target.baseUrl()}/api/v2/users`, { headers });
    assert.equal(limited.status, 429);
    assert.deepEqual(await limited.json(), {
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Global limit has been reached',
      errorCode: 'too_many_requests',
    });
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
    assert.ok(Number(limited.headers.get('x-ratelimit-reset')) * 1000 > clock.now());

    const sdkLimited = await sdkError(sdkFor(target).users.list());
    assert.equal(sdkLimited.statusCode, 429);
    const connectorLimited = await concordError(connectorFor(target, { now: clock.now }).getUser('auth0|x'));
    assert.equal(connectorLimited.code, 'rate_limited');
    assert.ok((connectorLimited.retryAfterMs ?? 0) > 0);

    clock.advance(500);
    const refilled = await fetch(`${target.baseUrl()}/api/v2/users`, { headers });
    assert.equal(refilled.status, 200);
  });
});

function nested(record: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      record,
    );
}
