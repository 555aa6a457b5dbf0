/**
 * The emulator's log stream pusher against a tiny receiver: the three body formats, the verbatim
 * Authorization header, custom headers, retries, suspension and resume.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { logStreamWrapperSchema } from '../../src/connectors/auth0/index.js';
import { createAuth0Emulator, type LogStreamFormat } from '../../src/emulators/auth0/index.js';

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Records every POST; answers with `status()` so a test can make it fail. */
async function startReceiver(status: () => number = () => 200) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Parses one delivery per its format into `{log_id, data}` wrappers, validated with the connector's schema. */
function wrappers(format: LogStreamFormat, body: string) {
  const items: unknown[] =
    format === 'JSONARRAY'
      ? JSON.parse(body)
      : format === 'JSONLINES'
        ? body.split('\n').map((l) => JSON.parse(l))
        : [JSON.parse(body)];
  return items.map((item) => logStreamWrapperSchema.parse(item));
}

describe('Auth0 emulator log streams', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  for (const format of ['JSONARRAY', 'JSONLINES', 'JSONOBJECT'] as const) {
    test(`${format}: every record delivered once, wrapped, with the verbatim Authorization`, async () => {
      const emulator = createAuth0Emulator({ tenant: 'acme' });
      const path = `/hooks/auth0/acme/logs/${format}`;
      emulator.admin.addLogStream({
        url: `${receiver.url}${path}`,
        format,
        authorization: 'Bearer s3cret token',
        headers: { 'x-concord-test': format },
        batchSize: 2,
      });
      const user = emulator.admin.signup({ email: `${format.toLowerCase()}@example.com` });
      emulator.admin.login(user.user_id);
      emulator.admin.login(user.user_id, { fail: 'wrong_password' });
      emulator.admin.failedLoginUnknownUser('ghost@example.com');
      emulator.admin.appendLog({ type: 'gd_enrollment_complete', user_id: user.user_id });
      await emulator.admin.flushLogStreams();
      await emulator.close();

      const mine = receiver.deliveries.filter((d) => d.path === path);
      const expectedRequests = format === 'JSONOBJECT' ? 5 : 3;
      assert.equal(mine.length, expectedRequests);
      for (const delivery of mine) {
        assert.equal(delivery.headers.authorization, 'Bearer s3cret token');
        assert.equal(delivery.headers['content-type'], 'application/json');
        assert.equal(delivery.headers['x-concord-test'], format);
      }
      const received = mine.flatMap((d) => wrappers(format, d.body));
      assert.deepEqual(
        received.map((w) => w.log_id),
        emulator.admin.logs().map((r) => r.log_id),
      );
      assert.ok(received.every((w) => w.log_id === w.data.log_id));
      assert.deepEqual(
        received.map((w) => w.data.type),
        ['ss', 's', 'fp', 'fu', 'gd_enrollment_complete'],
      );
      const [status] = emulator.admin.streamStatus();
      assert.equal(status?.delivered, 5);
      assert.equal(status?.pending, 0);
    });
  }

  test('duplicate and reorder knobs: at-least-once, unordered', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme' });
    const path = '/knobs';
    emulator.admin.addLogStream({
      url: `${receiver.url}${path}`,
      format: 'JSONARRAY',
      duplicateEvery: 2,
      reorder: true,
    });
    for (let i = 0; i < 4; i++) emulator.admin.failedLoginUnknownUser(`u${i}@example.com`);
    await emulator.admin.flushLogStreams();
    await emulator.close();
    const ids = receiver.deliveries
      .filter((d) => d.path === path)
      .flatMap((d) => wrappers('JSONARRAY', d.body).map((w) => w.log_id));
    const logIds = emulator.admin.logs().map((r) => r.log_id);
    assert.equal(ids.length, 6);
    assert.deepEqual([...new Set(ids)].sort(), logIds);
    assert.notDeepEqual(ids, [...ids].sort());
  });
});

describe('Auth0 emulator log stream failures', () => {
  let failing = true;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver(() => (failing ? 500 : 200));
  });
  after(() => receiver.close());

  test('three retries per batch, then the batch is dropped; persistent failure suspends; resume delivers new records', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme' });
    const id = emulator.admin.addLogStream({
      url: `${receiver.url}/failing`,
      format: 'JSONLINES',
      batchSize: 1,
      retryDelayMs: 0,
      suspendAfterFailures: 3,
    });
    for (let i = 0; i < 4; i++) emulator.admin.failedLoginUnknownUser(`f${i}@example.com`);
    await emulator.admin.flushLogStreams();

    const [status] = emulator.admin.streamStatus();
    assert.equal(status?.state, 'suspended');
    assert.equal(status?.requests, 12); // 3 batches × (1 try + 3 retries)
    assert.equal(status?.failedRequests, 12);
    assert.equal(status?.dropped, 3);
    assert.equal(status?.pending, 1);
    assert.equal(status?.lastError, 'HTTP 500');
    assert.equal(receiver.deliveries.length, 12);

    failing = false;
    assert.equal(emulator.admin.resumeLogStream(id), true);
    await emulator.admin.flushLogStreams();
    const [resumed] = emulator.admin.streamStatus();
    assert.equal(resumed?.state, 'active');
    assert.equal(resumed?.delivered, 1);
    assert.equal(resumed?.pending, 0);
    await emulator.close();
  });

  test('an unreachable receiver counts as failure too', async () => {
    const closed = await startReceiver();
    await closed.close();
    const emulator = createAuth0Emulator({ tenant: 'acme' });
    emulator.admin.addLogStream({
      url: closed.url,
      format: 'JSONARRAY',
      retryDelayMs: 0,
      suspendAfterFailures: 1,
    });
    emulator.admin.failedLoginUnknownUser('x@example.com');
    await emulator.admin.flushLogStreams();
    const [status] = emulator.admin.streamStatus();
    assert.equal(status?.state, 'suspended');
    assert.equal(status?.requests, 4);
    assert.match(status?.lastError ?? '', /fetch failed|ECONNREFUSED/);
    await emulator.close();
  });

  test('the admin HTTP API adds, flushes and reports streams', async () => {
    failing = false;
    const emulator = createAuth0Emulator({ tenant: 'acme' });
    const server = await emulator.listen();
    try {
      const post = (path: string, body?: unknown) =>
        fetch(`${server.url}/__emulator${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      const added = await post('/log-streams', {
        url: `${receiver.url}/admin-http`,
        format: 'JSONOBJECT',
        authorization: 'abc',
      });
      assert.equal(added.status, 201);
      assert.equal((await post('/signup', { email: 'http@example.com' })).status, 201);
      const flushed = await post('/log-streams/flush');
      const [status] = (await flushed.json()) as Array<{ delivered: number; state: string }>;
      assert.deepEqual([status?.delivered, status?.state], [1, 'active']);
      const delivery = receiver.deliveries.find((d) => d.path === '/admin-http');
      assert.equal(delivery?.headers.authorization, 'abc');
      assert.equal(wrappers('JSONOBJECT', delivery?.body ?? '')[0]?.data.type, 'ss');
      const counters = (await (await fetch(`${server.url}/__emulator/counters`)).json()) as { total: number };
      assert.equal(counters.total, 0); // admin calls are not counted
    } finally {
      await server.close();
    }
  });
});
