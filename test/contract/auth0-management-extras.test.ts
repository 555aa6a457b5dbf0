/**
 * Management API beyond users CRUD, over real HTTP: a role's users, password-change tickets (and the
 * Authentication API's change-password email), the
 * users-export job (gzip NDJSON / CSV served at `location`), `fields`/`include_fields`, error bodies,
 * and the `sapi` record each write leaves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ManagementClient } from 'auth0';
import { createManualClock } from '../../src/core/clock.js';
import { createAuth0Emulator, type LogRecord } from '../../src/emulators/auth0/index.js';

describe('Auth0 emulator: role members, tickets, export jobs, field selection', () => {
  const clock = createManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  const emulator = createAuth0Emulator({
    tenant: 'acme',
    now: clock.now,
    rateLimit: false,
    exportJobDurationMs: 5_000,
  });
  let server: Awaited<ReturnType<typeof emulator.listen>>;
  let token = '';

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${server.url}/api/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }
  const lastSapi = (): LogRecord | undefined =>
    emulator.admin
      .logs()
      .filter((r) => r.type === 'sapi')
      .at(-1);
  const request = (r: LogRecord | undefined) =>
    r?.details?.request as { method: string; path: string; body: unknown };

  before(async () => {
    server = await emulator.listen(0, '127.0.0.1');
    const response = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: 'concord-sandbox',
        client_secret: 'sandbox-secret',
        audience: `https://${emulator.domain}/api/v2/`,
      }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  after(() => server.close());

  test('POST, GET and DELETE /roles/{id}/users, each write logged as sapi by the caller', async () => {
    const role = emulator.admin.createRole('Pro');
    const a = emulator.admin.seedUser({ email: 'a@example.com' });
    const b = emulator.admin.seedUser({ email: 'b@example.com' });
    assert.equal(
      (await api('POST', `/roles/${role.id}/users`, { users: [a.user_id, b.user_id] })).status,
      200,
    );
    assert.equal(request(lastSapi()).method, 'post');
    assert.equal(request(lastSapi()).path, `/api/v2/roles/${role.id}/users`);
    assert.deepEqual(request(lastSapi()).body, { users: [a.user_id, b.user_id] });
    assert.equal(lastSapi()?.client_id, 'concord-sandbox');
    const listed = await api('GET', `/roles/${role.id}/users?include_totals=true`);
    assert.deepEqual(
      (listed.body as { users: Array<{ user_id: string }>; total: number }).users.map((u) => u.user_id),
      [a.user_id, b.user_id],
    );
    assert.equal((await api('DELETE', `/roles/${role.id}/users`, { users: [a.user_id] })).status, 204);
    assert.equal(request(lastSapi()).method, 'delete');
    assert.deepEqual(
      ((await api('GET', `/users/${encodeURIComponent(b.user_id)}/roles`)).body as Array<{ id: string }>).map(
        (r) => r.id,
      ),
      [role.id],
    );
    const missing = await api('POST', '/roles/rol_nope/users', { users: [a.user_id] });
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(missing.body as object).sort(), [
      'error',
      'errorCode',
      'message',
      'statusCode',
    ]);
  });

  test('a password-change ticket answers {ticket: url}; redeeming it logs scp', async () => {
    const user = emulator.admin.seedUser({ email: 'invitee@example.com' });
    const created = await api('POST', '/tickets/password-change', {
      user_id: user.user_id,
      result_url: 'https://app.example.com/welcome',
      ttl_sec: 3600,
      mark_email_as_verified: true,
    });
    assert.equal(created.status, 201);
    const { ticket } = created.body as { ticket: string };
    assert.match(ticket, new RegExp(`^https://${emulator.domain}/lo/reset\\?ticket=\\w{32}#$`));
    assert.equal(request(lastSapi()).path, '/api/v2/tickets/password-change');
    const updated = emulator.admin.redeemPasswordTicket(ticket, 'n3w-Secret!');
    assert.equal(updated.email_verified, true);
    assert.equal(emulator.admin.logs().at(-1)?.type, 'scp');
    assert.throws(() => emulator.admin.redeemPasswordTicket(ticket), /already used or expired/);
    const bad = await api('POST', '/tickets/password-change', {});
    assert.equal(bad.status, 400);
    assert.equal((bad.body as { errorCode: string }).errorCode, 'invalid_body');
  });

  test('Authentication API change_password: 200 with a sentence, an email with a one-time link; 400 on bad input', async () => {
    const user = emulator.admin.seedUser({ email: 'welcome@example.com' });
    const post = (body: string, type = 'application/json') =>
      fetch(`${server.url}/dbconnections/change_password`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const sent = await post(
      JSON.stringify({
        client_id: 'concord-sandbox',
        email: 'welcome@example.com',
        connection: 'Username-Password-Authentication',
      }),
    );
    assert.equal(sent.status, 200);
    assert.equal(await sent.text(), "We've just sent you an email to reset your password.");
    const email = emulator.admin.emails().at(-1)!;
    assert.equal(email.to, 'welcome@example.com');
    assert.equal(email.userId, user.user_id);
    assert.match(email.link, new RegExp(`^https://${emulator.domain}/lo/reset\\?ticket=\\w{32}#$`));
    assert.equal(emulator.admin.redeemPasswordTicket(email.link, 'n3w-Secret!').email_verified, true);

    const form = await post(
      'client_id=concord-sandbox&email=welcome%40example.com&connection=Username-Password-Authentication',
      'application/x-www-form-urlencoded',
    );
    assert.equal(form.status, 200, 'a form body works too');
    assert.equal(emulator.admin.emails().length, 2);

    for (const body of [
      '{"email":"welcome@example.com","connection":"Username-Password-Authentication"}',
      '{"client_id":"concord-sandbox","connection":"Username-Password-Authentication"}',
      '{"client_id":"concord-sandbox","email":"welcome@example.com"}',
      '{"client_id":"concord-sandbox","email":"welcome@example.com","connection":"google-oauth2"}',
      'not json',
    ]) {
      const refused = await post(body);
      assert.equal(refused.status, 400, body);
      assert.equal(typeof ((await refused.json()) as { error?: unknown }).error, 'string');
    }
    assert.equal(emulator.admin.emails().length, 2, 'nothing sent on bad input');
  });

  test('users-export job: pending, then completed with a location serving gzip NDJSON or CSV', async () => {
    emulator.admin.seedUser({ email: 'export1@example.com', user_metadata: { company: 'Initech' } });
    const job = await api('POST', '/jobs/users-exports', {
      format: 'json',
      fields: [
        { name: 'user_id' },
        { name: 'email' },
        { name: 'user_metadata.company', export_as: 'company' },
      ],
    });
    assert.equal(job.status, 201);
    const { id, status, type } = job.body as { id: string; status: string; type: string };
    assert.equal(type, 'users_export');
    assert.equal(status, 'pending');
    assert.equal(request(lastSapi()).path, '/api/v2/jobs/users-exports');
    assert.equal(((await api('GET', `/jobs/${id}`)).body as { status: string }).status, 'pending');
    clock.advance(5_000);
    const done = (await api('GET', `/jobs/${id}`)).body as { status: string; location: string };
    assert.equal(done.status, 'completed');
    const file = await fetch(done.location);
    assert.equal(file.headers.get('content-type'), 'application/gzip');
    const lines = gunzipSync(Buffer.from(await file.arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n');
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, emulator.admin.users().length);
    assert.deepEqual(
      rows.find((r) => r.email === 'export1@example.com'),
      {
        user_id: rows.find((r) => r.email === 'export1@example.com')?.user_id,
        email: 'export1@example.com',
        company: 'Initech',
      },
    );

    const csvJob = (
      await api('POST', '/jobs/users-exports', {
        format: 'csv',
        fields: [{ name: 'email', export_as: 'Email' }],
      })
    ).body as { id: string };
    clock.advance(5_000);
    const csvDone = (await api('GET', `/jobs/${csvJob.id}`)).body as { location: string };
    const csv = gunzipSync(Buffer.from(await (await fetch(csvDone.location)).arrayBuffer())).toString('utf8');
    assert.equal(csv.split('\n')[0], 'Email');
    assert.ok(csv.includes('export1@example.com'));
    assert.equal((await api('GET', '/jobs/job_missing')).status, 404);
  });

  test('fields / include_fields select user fields on get, list and users-by-email', async () => {
    const user = emulator.admin.seedUser({ email: 'fields@example.com', given_name: 'Fi' });
    const id = encodeURIComponent(user.user_id);
    assert.deepEqual((await api('GET', `/users/${id}?fields=user_id,email`)).body, {
      user_id: user.user_id,
      email: 'fields@example.com',
    });
    const without = (await api('GET', `/users/${id}?fields=identities,picture&include_fields=false`))
      .body as Record<string, unknown>;
    assert.equal('identities' in without, false);
    assert.equal(without.given_name, 'Fi');
    const byEmail = (await api('GET', '/users-by-email?email=fields@example.com&fields=email')).body;
    assert.deepEqual(byEmail, [{ email: 'fields@example.com' }]);
    const list = (await api('GET', '/users?fields=user_id&per_page=2')).body as object[];
    assert.ok(list.every((u) => Object.keys(u).join() === 'user_id'));
  });

  test("the auth0 SDK v7 reads a role's users and creates tickets through the same endpoints", async () => {
    const sdk = new ManagementClient({
      domain: emulator.domain,
      clientId: 'concord-sandbox',
      clientSecret: 'sandbox-secret',
      maxRetries: 0,
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        fetch(
          String(input instanceof Request ? input.url : input).replace(
            `https://${emulator.domain}`,
            server.url,
          ),
          init,
        )) as typeof fetch,
    });
    const role = emulator.admin.createRole('SDK');
    const user = emulator.admin.seedUser({ email: 'sdk-member@example.com' });
    await sdk.roles.users.assign(role.id, { users: [user.user_id] });
    const page = await sdk.roles.users.list(role.id);
    assert.deepEqual(
      page.data.map((u) => u.user_id),
      [user.user_id],
    );
    const ticket = await sdk.tickets.changePassword({ user_id: user.user_id });
    assert.match(String(ticket.ticket), /lo\/reset\?ticket=/);
  });

  test('unknown admin routes and bad admin bodies answer in the Management error shape', async () => {
    const unknown = await fetch(`${server.url}/__emulator/nope`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(Object.keys((await unknown.json()) as object).sort(), [
      'error',
      'message',
      'statusCode',
    ]);
    const bad = await fetch(`${server.url}/__emulator/generate`, { method: 'POST', body: '{"count":-1}' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { errorCode: string }).errorCode, 'invalid_body');
  });
});
