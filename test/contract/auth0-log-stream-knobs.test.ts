/**
 * Log stream knobs that let receivers prove themselves robust: a starting cursor (replay from a log id
 * or a date), drops, a delay, several deliveries in flight, and the HTTP admin equivalents.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createManualClock } from '../../src/core/clock.js';
import { createAuth0Emulator } from '../../src/emulators/auth0/index.js';

/** Collects the log ids of JSONARRAY deliveries per path. */
async function startReceiver() {
  const ids = new Map<string, string[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{ log_id: string }>;
      const list = ids.get(req.url ?? '') ?? [];
      list.push(...batch.map((w) => w.log_id));
      ids.set(req.url ?? '', list);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ids: (path: string) => ids.get(path) ?? [],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('Auth0 emulator log stream knobs', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.close());

  test('a starting cursor replays existing records after a log id or from a date', async () => {
    const clock = createManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
    const emulator = createAuth0Emulator({ tenant: 'acme', now: clock.now, rateLimit: false });
    emulator.admin.generate(20, { seed: 1 });
    clock.advance(60_000);
    emulator.admin.generate(10, { seed: 2 });
    const logs = emulator.admin.logs();
    const pivot = logs[4]!.log_id;
    emulator.admin.addLogStream({
      url: `${receiver.url}/from-id`,
      format: 'JSONARRAY',
      startFrom: { logId: pivot },
    });
    emulator.admin.addLogStream({
      url: `${receiver.url}/from-date`,
      format: 'JSONARRAY',
      startFrom: { date: '2026-03-01T10:01:00.000Z' },
    });
    emulator.admin.addLogStream({ url: `${receiver.url}/from-now`, format: 'JSONARRAY' });
    emulator.admin.failedLoginUnknownUser('late@example.com');
    await emulator.admin.flushLogStreams();
    const all = emulator.admin.logs().map((r) => r.log_id);
    assert.deepEqual(receiver.ids('/from-id'), all.slice(5));
    assert.deepEqual(
      receiver.ids('/from-date'),
      emulator.admin
        .logs()
        .filter((r) => r.date >= '2026-03-01T10:01:00.000Z')
        .map((r) => r.log_id),
    );
    assert.deepEqual(receiver.ids('/from-now'), [all.at(-1)]);
    await emulator.close();
  });

  test('dropEvery loses records on purpose (counted); concurrency and delay still deliver everything else', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme', rateLimit: false });
    const lossy = emulator.admin.addLogStream({
      url: `${receiver.url}/lossy`,
      format: 'JSONARRAY',
      dropEvery: 4,
      batchSize: 7,
    });
    emulator.admin.addLogStream({
      url: `${receiver.url}/parallel`,
      format: 'JSONARRAY',
      concurrency: 4,
      batchSize: 5,
      delayMs: 1,
    });
    emulator.admin.generate(60, { seed: 'knobs' });
    await emulator.admin.flushLogStreams();
    const all = emulator.admin.logs().map((r) => r.log_id);
    const expectedLossy = all.filter((_, i) => (i + 1) % 4 !== 0);
    assert.deepEqual(receiver.ids('/lossy'), expectedLossy);
    const status = emulator.admin.streamStatus().find((s) => s.id === lossy);
    assert.equal(status?.discarded, all.length - expectedLossy.length);
    assert.equal(status?.delivered, expectedLossy.length);
    assert.deepEqual([...receiver.ids('/parallel')].sort(), [...all].sort());
    await emulator.close();
  });

  test('the HTTP admin API takes the knobs', async () => {
    const emulator = createAuth0Emulator({ tenant: 'acme', rateLimit: false });
    const server = await emulator.listen(0, '127.0.0.1');
    emulator.admin.failedLoginUnknownUser('before@example.com');
    const added = await fetch(`${server.url}/__emulator/log-streams`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `${receiver.url}/http`,
        format: 'JSONARRAY',
        startFrom: { logId: '900' },
        concurrency: 2,
        dropEvery: 1000,
        delayMs: 0,
      }),
    });
    assert.equal(added.status, 201);
    const flushed = (await (
      await fetch(`${server.url}/__emulator/log-streams/flush`, { method: 'POST' })
    ).json()) as Array<{ delivered: number }>;
    assert.equal(flushed[0]?.delivered, 1);
    assert.deepEqual(receiver.ids('/http'), [emulator.admin.logs()[0]?.log_id]);
    await server.close();
  });
});
