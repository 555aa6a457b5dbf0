/**
 * The activity simulator: deterministic from a seed, a realistic mix, bounded background runs, and the
 * HTTP admin equivalents. No timing assertions: runs are bounded by `count` and awaited through `done`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createAuth0Emulator, DEFAULT_MIX } from '../../src/emulators/auth0/index.js';

const fresh = () => createAuth0Emulator({ tenant: 'acme', rateLimit: false });

describe('Auth0 activity simulator', () => {
  test('the same seed gives the same activities, users and record types; another seed does not', () => {
    const run = (seed: number | string) => {
      const emulator = fresh();
      const stats = emulator.admin.generate(400, { seed });
      return {
        stats: { ...stats, elapsedMs: 0 },
        types: emulator.admin.logs().map((r) => r.type),
        users: emulator.admin.logs().map((r) => [r.user_id, r.user_name]),
        ids: emulator.admin.users().map((u) => [u.user_id, u.email]),
      };
    };
    const a = run(42);
    const b = run(42);
    assert.deepEqual(a, b);
    assert.notDeepEqual(run(43).types, a.types);
    assert.deepEqual(run('seed-text').ids, run('seed-text').ids);
  });

  test('the default mix produces every record type the flows listen to, logins dominating', () => {
    const emulator = fresh();
    const stats = emulator.admin.generate(3000, { seed: 7 });
    const counts: Record<string, number> = {};
    for (const r of emulator.admin.logs()) counts[r.type] = (counts[r.type] ?? 0) + 1;
    for (const type of [
      'ss',
      's',
      'fp',
      'fu',
      'f',
      'limit_wc',
      'pwd_leak',
      'gd_enrollment_complete',
      'gd_auth_succeed',
      'gd_auth_failed',
      'mfar',
      'scp',
      'sv',
      'sapi',
      'sdu',
      'du',
    ])
      assert.ok((counts[type] ?? 0) > 0, `no ${type} in ${JSON.stringify(counts)}`);
    assert.ok((counts.s ?? 0) > (counts.fp ?? 0) && (counts.fp ?? 0) > (counts.fu ?? 0));
    assert.ok(emulator.admin.users().some((u) => u.identities?.[0]?.isSocial));
    assert.equal(stats.activities, 3000);
    assert.equal(stats.records, emulator.admin.logs().length);
    const sapiPaths = emulator.admin
      .logs()
      .filter((r) => r.type === 'sapi')
      .map((r) => {
        const request = r.details?.request as { method: string; path: string };
        const path = request.path
          .replace(/\/(auth0|google-oauth2|github)%7C\w+/, '/{id}')
          .replace(/rol_\w+/, '{role}');
        return `${request.method} ${path}`;
      });
    for (const path of [
      'patch /api/v2/users/{id}',
      'post /api/v2/users/{id}/roles',
      'post /api/v2/roles/{role}/users',
      'delete /api/v2/users/{id}',
    ])
      assert.ok(sapiPaths.includes(path), `no sapi ${path}`);
    assert.ok(emulator.admin.events().length > 0);
  });

  test('a mix restricts what happens', () => {
    const emulator = fresh();
    const none = Object.fromEntries(Object.keys(DEFAULT_MIX).map((k) => [k, 0]));
    emulator.admin.generate(50, { seed: 1, mix: { ...none, login_unknown_user: 1 } });
    assert.deepEqual([...new Set(emulator.admin.logs().map((r) => r.type))].sort(), ['fu']);
  });

  test('simulate runs in the background at a rate until count, and is deterministic too', async () => {
    const run = async () => {
      const emulator = fresh();
      const handle = emulator.admin.simulate({ seed: 5, ratePerSecond: 5000, count: 200 });
      const stats = await handle.done;
      assert.equal(stats.activities, 200);
      return emulator.admin.logs().map((r) => r.type);
    };
    assert.deepEqual(await run(), await run());
    const emulator = fresh();
    const open = emulator.admin.simulate({ seed: 9, ratePerSecond: 1000 });
    open.stop();
    assert.ok((await open.done).activities >= 0);
  });

  test('HTTP admin: generate, start a bounded simulation and wait for it', async () => {
    const emulator = fresh();
    const server = await emulator.listen(0, '127.0.0.1');
    const post = async (path: string, body?: unknown) =>
      fetch(`${server.url}/__emulator${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const generated = (await (await post('/generate', { count: 100, seed: 3 })).json()) as {
      activities: number;
      records: number;
    };
    assert.equal(generated.activities, 100);
    const started = await post('/simulations', { seed: 3, ratePerSecond: 2000, count: 50 });
    assert.equal(started.status, 201);
    const { id } = (await started.json()) as { id: string };
    const done = (await (await post(`/simulations/${id}/wait`)).json()) as { activities: number };
    assert.equal(done.activities, 50);
    assert.equal(
      emulator.admin.logs().length,
      generated.records +
        ((await (await fetch(`${server.url}/__emulator/simulations/${id}`)).json()) as { records: number })
          .records,
    );
    await server.close();
  });
});
