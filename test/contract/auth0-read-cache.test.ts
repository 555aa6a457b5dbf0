/**
 * Shared Auth0 reads, over real HTTP against the emulator: which reads a job may reuse (sent after its event
 * arrived, not older than the time to live, not before one of Concord's own writes to that user), and which
 * go to Auth0 again.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, mock, test } from 'node:test';
import { createAuth0Connector } from '../../src/connectors/auth0/index.js';
import { createManualClock } from '../../src/core/clock.js';
import { createAuth0Emulator } from '../../src/emulators/auth0/index.js';
import { cacheAuth0Reads } from '../../src/pipeline/auth0-read-cache.js';

describe('Auth0 read cache', () => {
  const clock = createManualClock(Date.parse('2026-03-01T10:00:00.000Z'));
  const emulator = createAuth0Emulator({ tenant: 'acme', now: clock.now, rateLimit: false });
  let server: Awaited<ReturnType<typeof emulator.listen>>;
  let cache: ReturnType<typeof cacheAuth0Reads>;
  /** The same tenant without the cache: another actor's writes. */
  let direct: ReturnType<typeof connector>;
  let userId = '';
  const connector = () =>
    createAuth0Connector({
      domain: emulator.domain,
      baseUrl: server.url,
      clientId: 'concord-sandbox',
      clientSecret: 'sandbox-secret',
    });

  const gets = (endpoint: string) => emulator.admin.counters().byEndpoint[endpoint] ?? 0;
  const userReads = () => gets('GET /api/v2/users/{id}');
  const roleReads = () => gets('GET /api/v2/users/{id}/roles');

  before(async () => {
    server = await emulator.listen(0, '127.0.0.1');
  });
  after(() => server.close());
  beforeEach(() => {
    emulator.admin.reset();
    userId = emulator.admin.seedUser({ email: 'ada@example.com', name: 'Ada' }).user_id;
    direct = connector();
    cache = cacheAuth0Reads(connector(), { now: clock.now, ttlMs: 30_000 });
  });

  test('jobs whose events arrived before a read share it, in flight or done', async () => {
    const arrived = clock.now();
    clock.advance(10);
    const [a, b] = await Promise.all([
      cache.readsAfter(arrived).getUser(userId),
      cache.readsAfter(arrived).getUser(userId),
    ]);
    const c = await cache.readsAfter(arrived).getUser(userId);
    assert.equal(a?.email, 'ada@example.com');
    assert.equal(b?.user_id, userId);
    assert.equal(c?.user_id, userId);
    assert.equal(userReads(), 1, 'one GET /users/{id} for three readers');
    await cache.readsAfter(arrived).getUserRoles(userId);
    await cache.readsAfter(arrived).getUserRoles(userId);
    assert.equal(roleReads(), 1);
    assert.deepEqual(cache.counts(), { hits: 3, misses: 2, kept: 2 });
  });

  test('an event that arrived after the read gets a read of its own, and sees the change', async () => {
    await cache.readsAfter(clock.now()).getUser(userId);
    clock.advance(5);
    await direct.updateUser(userId, { name: 'Ada Lovelace' });
    const arrived = clock.now();
    clock.advance(5);
    const fresh = await cache.readsAfter(arrived).getUser(userId);
    assert.equal(fresh?.name, 'Ada Lovelace');
    assert.equal(userReads(), 2);
  });

  test('a read older than the time to live is not reused', async () => {
    const arrived = clock.now();
    await cache.readsAfter(arrived).getUser(userId);
    clock.advance(30_001);
    await cache.readsAfter(arrived).getUser(userId);
    assert.equal(userReads(), 2);
  });

  test("Concord's own write to a user drops what was read of that user", async () => {
    const arrived = clock.now();
    await cache.readsAfter(arrived).getUser(userId);
    await cache.readsAfter(arrived).getUserRoles(userId);
    await cache.port.updateUser(userId, { user_metadata: { plan: 'gold' } });
    const after = await cache.readsAfter(arrived).getUser(userId);
    assert.deepEqual(after?.user_metadata, { plan: 'gold' });
    const role = emulator.admin.createRole('Member');
    await cache.port.assignRoles(userId, [role.id]);
    const roles = await cache.readsAfter(arrived).getUserRoles(userId);
    assert.deepEqual(
      roles.map((r) => r.name),
      ['Member'],
    );
    assert.equal(userReads(), 2, 'the read after the write went to Auth0');
    assert.equal(roleReads(), 2);
  });

  test('a read that fails is not kept: the next job asks again', async () => {
    emulator.admin.faults.inject({
      match: { method: 'GET', path: '/api/v2/users/*' },
      status: 503,
      times: 1,
    });
    const arrived = clock.now();
    await assert.rejects(cache.readsAfter(arrived).getUser(userId));
    const user = await cache.readsAfter(arrived).getUser(userId);
    assert.equal(user?.user_id, userId);
    assert.equal(cache.counts().misses, 2);
  });

  test('reads through the port itself always go to Auth0; shared answers cannot be changed', async () => {
    const arrived = clock.now();
    await cache.port.getUser(userId);
    await cache.port.getUser(userId);
    assert.equal(userReads(), 2);
    const shared = await cache.readsAfter(arrived).getUser(userId);
    assert.equal(userReads(), 2, 'a job reuses what the port read');
    assert.throws(() => {
      (shared as { name?: string }).name = 'Mallory';
    }, TypeError);
  });

  test('at most maxEntries reads are kept, the oldest dropped first', async () => {
    const small = cacheAuth0Reads(connector(), { now: clock.now, maxEntries: 2 });
    const other = emulator.admin.seedUser({ email: 'grace@example.com' }).user_id;
    const arrived = clock.now();
    await small.readsAfter(arrived).getUser(userId);
    await small.readsAfter(arrived).getUserRoles(userId);
    await small.readsAfter(arrived).getUser(other);
    assert.equal(small.counts().kept, 2);
    await small.readsAfter(arrived).getUser(userId);
    assert.equal(userReads(), 3, 'the first read was dropped');
  });

  test('an idle cache drops expired reads by itself, and stop clears it', async (t) => {
    mock.timers.enable({ apis: ['setTimeout'] });
    t.after(() => mock.timers.reset());
    const idle = cacheAuth0Reads(connector(), { now: clock.now, ttlMs: 1_000 });
    const arrived = clock.now();
    await idle.readsAfter(arrived).getUser(userId);
    clock.advance(500);
    await idle.readsAfter(arrived).getUserRoles(userId);
    assert.equal(idle.counts().kept, 2);
    mock.timers.tick(1_000);
    assert.equal(idle.counts().kept, 2, 'nothing has expired yet');
    clock.advance(600);
    mock.timers.tick(1_000);
    assert.equal(idle.counts().kept, 1, 'the user read expired, the roles read has not');
    clock.advance(1_000);
    mock.timers.tick(1_000);
    assert.equal(idle.counts().kept, 0);
    await idle.readsAfter(arrived).getUser(userId);
    idle.clear();
    assert.equal(idle.counts().kept, 0);
  });
});
