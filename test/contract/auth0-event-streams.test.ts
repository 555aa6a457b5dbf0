/**
 * Event Streams against a small receiver: one CloudEvent per POST, the three webhook auth methods,
 * retries, failed deliveries, auto-disable and re-enable, duplicates and reordering.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createAuth0Emulator } from '../../src/emulators/auth0/index.js';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  event: Record<string, unknown>;
}

async function startReceiver() {
  const deliveries: Delivery[] = [];
  /** Status per path; default 200. */
  const statuses = new Map<string, () => number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const status = statuses.get(path)?.() ?? 200;
      if (status < 300)
        deliveries.push({
          path,
          headers: req.headers,
          event: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries,
    statuses,
    at: (path: string) => deliveries.filter((d) => d.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('Auth0 emulator event streams', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  test('user.created, user.updated, user.deleted as CloudEvents, one per POST, with bearer auth', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme', rateLimit: false });
    const streamId = emulator.admin.addEventStream({
      url: `${receiver.url}/bearer`,
      auth: { method: 'bearer', token: 't0ken' },
    });
    assert.match(streamId, /^est_/);
    const user = emulator.admin.signup({ email: 'ada@example.com' });
    emulator.admin.updateUser(user.user_id, { given_name: 'Ada' });
    emulator.admin.login(user.user_id); // logins are not user events
    emulator.admin.deleteUser(user.user_id);
    await emulator.admin.flushEventStreams();
    const got = receiver.at('/bearer');
    assert.deepEqual(
      got.map((d) => d.event.type),
      ['user.created', 'user.updated', 'user.deleted'],
    );
    for (const { event, headers } of got) {
      assert.equal(headers.authorization, 'Bearer t0ken');
      assert.equal(headers['content-type'], 'application/cloudevents+json');
      assert.deepEqual(Object.keys(event).sort(), [
        'a0stream',
        'a0tenant',
        'data',
        'id',
        'source',
        'specversion',
        'time',
        'type',
      ]);
      assert.match(String(event.id), /^evt_/);
      assert.equal(event.specversion, '1.0');
      assert.equal(event.source, `urn:auth0:${emulator.domain}`);
      assert.equal(event.a0tenant, 'acme');
      assert.equal(event.a0stream, streamId);
      assert.equal((event.data as { object: { user_id: string } }).object.user_id, user.user_id);
    }
    assert.equal(
      (got[1]?.event.data as { object: { given_name: string } } | undefined)?.object.given_name,
      'Ada',
    );
    await emulator.close();
  });

  test('basic and custom-header auth; Management API writes are events too', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme', rateLimit: false });
    emulator.admin.addEventStream({
      url: `${receiver.url}/basic`,
      auth: { method: 'basic', username: 'u', password: 'p:w' },
    });
    emulator.admin.addEventStream({
      url: `${receiver.url}/custom`,
      auth: { method: 'custom_header', header_key: 'X-Hook-Secret', header_value: 's3cret' },
      subscriptions: ['user.created'],
    });
    const server = await emulator.listen(0, '127.0.0.1');
    const token = (await (
      await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'concord-sandbox',
          client_secret: 'sandbox-secret',
          audience: `https://${emulator.domain}/api/v2/`,
        }),
      })
    ).json()) as { access_token: string };
    const created = await fetch(`${server.url}/api/v2/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        connection: 'Username-Password-Authentication',
        email: 'api@example.com',
        password: 'x-Y-z-123',
      }),
    });
    assert.equal(created.status, 201);
    emulator.admin.blockUser(((await created.json()) as { user_id: string }).user_id);
    await emulator.admin.flushEventStreams();
    assert.deepEqual(
      receiver.at('/basic').map((d) => d.event.type),
      ['user.created', 'user.updated'],
    );
    assert.equal(
      receiver.at('/basic')[0]?.headers.authorization,
      `Basic ${Buffer.from('u:p:w').toString('base64')}`,
    );
    assert.deepEqual(
      receiver.at('/custom').map((d) => d.event.type),
      ['user.created'],
    );
    assert.equal(receiver.at('/custom')[0]?.headers['x-hook-secret'], 's3cret');
    await server.close();
  });

  test('failures are retried; persistent ones are kept as failed deliveries and disable the stream', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme', rateLimit: false });
    let calls = 0;
    receiver.statuses.set('/flaky', () => (++calls % 2 === 1 ? 503 : 200)); // every first attempt fails
    const flaky = emulator.admin.addEventStream({ url: `${receiver.url}/flaky`, retryDelayMs: 0 });
    receiver.statuses.set('/down', () => 500);
    const down = emulator.admin.addEventStream({
      url: `${receiver.url}/down`,
      retries: 1,
      retryDelayMs: 0,
      disableAfterConsecutiveFailures: 2,
    });
    for (const email of ['a@example.com', 'b@example.com', 'c@example.com']) emulator.admin.signup({ email });
    await emulator.admin.flushEventStreams();
    assert.equal(receiver.at('/flaky').length, 3);
    const status = Object.fromEntries(emulator.admin.eventStreamStatus().map((s) => [s.id, s]));
    assert.equal(status[flaky]?.requests, 6);
    assert.equal(status[down]?.status, 'disabled');
    assert.equal(status[down]?.failed, 2);
    const failures = emulator.admin.eventStreamDeliveries(down);
    assert.deepEqual(
      failures.map((f) => [f.status, f.event_type, f.attempts.length]),
      [
        ['failed', 'user.created', 2],
        ['failed', 'user.created', 2],
      ],
    );
    // disabled streams get nothing; re-enabled, they get what happens from then on
    receiver.statuses.set('/down', () => 200);
    emulator.admin.signup({ email: 'd@example.com' });
    assert.equal(emulator.admin.enableEventStream(down), true);
    emulator.admin.signup({ email: 'e@example.com' });
    await emulator.admin.flushEventStreams();
    assert.deepEqual(
      receiver.at('/down').map((d) => (d.event.data as { object: { email: string } }).object.email),
      ['e@example.com'],
    );
  });

  test('duplicate and reorder knobs: ids repeat and user.updated can arrive before user.created', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme', rateLimit: false });
    emulator.admin.addEventStream({ url: `${receiver.url}/knobs`, duplicateEvery: 2, reorder: true });
    const user = emulator.admin.signup({ email: 'knobs@example.com' });
    emulator.admin.updateUser(user.user_id, { given_name: 'K' });
    await emulator.admin.flushEventStreams();
    const got = receiver.at('/knobs').map((d) => [d.event.type, d.event.id]);
    assert.equal(got.length, 3);
    assert.equal(got[0]?.[0], 'user.updated');
    assert.equal(new Set(got.map((g) => g[1])).size, 2);
  });
});
