import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '../core/clock.js';
import { ConcordError } from '../core/errors.js';
import { createAuth0RateGovernor } from './auth0-rate-governor.js';

function setup(rate = 2, burst = 10, maxWaitMs = 5_000) {
  const clock = createManualClock(0);
  const grants: number[] = [];
  const governor = createAuth0RateGovernor({
    tenant: 't',
    requestsPerSecond: rate,
    burst,
    now: clock.now,
    sleep: async (ms) => clock.advance(ms),
    maxWaitMs,
  });
  const take = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await governor.acquire();
      grants.push(clock.now());
    }
  };
  return { clock, governor, grants, take };
}

test('never more than the burst at once, then the sustained rate', async () => {
  // Callers here wait up to 10 s for their turns, so they may wait that long.
  const { grants, take } = setup(2, 10, 60_000);
  await Promise.all([take(15), take(15)]);
  assert.equal(grants.length, 30);
  // in any window of w ms, grants ≤ burst + rate × w
  for (let i = 0; i < grants.length; i++) {
    for (let j = i; j < grants.length; j++) {
      const window = grants[j]! - grants[i]!;
      assert.ok(j - i + 1 <= 10 + (2 * window) / 1000 + 1e-9, `${j - i + 1} grants in ${window} ms`);
    }
  }
  assert.equal(grants.filter((t) => t === 0).length, 10, 'the burst goes at once');
  assert.equal(grants.at(-1), 10_000, '20 more at 2/s take 10 s');
});

test('x-ratelimit-remaining 0 blocks until the reset; a long block is a retryable error, not a sleep', async () => {
  const { clock, governor, take, grants } = setup(100, 100);
  governor.observe({ remaining: 0, resetAt: 3_000 });
  await take(1);
  assert.equal(grants[0], 3_000, 'waited for the reset');
  governor.failed(new ConcordError('429', { code: 'rate_limited', retryAfterMs: 60_000 }));
  await assert.rejects(
    governor.acquire(),
    (e: unknown) => e instanceof ConcordError && e.code === 'rate_limited' && (e.retryAfterMs ?? 0) > 50_000,
  );
  clock.advance(60_000);
  await governor.acquire();
});

test('ready() and holds() refuse only a block longer than a call waits, and take no turn', async () => {
  const { clock, governor } = setup(100, 5);
  governor.ready();
  governor.observe({ remaining: 0, resetAt: 2_000 });
  governor.ready(); // 2 s: a call would sleep through it
  assert.equal(governor.holds(), false);
  governor.failed(new ConcordError('429', { code: 'rate_limited', retryAfterMs: 60_000 }));
  assert.equal(governor.holds(), true, 'jobs are held while the block lasts longer than a call waits');
  assert.throws(
    () => governor.ready(),
    (e: unknown) => e instanceof ConcordError && e.code === 'rate_limited' && e.retryable,
  );
  clock.advance(60_000);
  governor.ready();
  assert.equal(governor.holds(), false);
  assert.equal(governor.snapshot().sent, 0);
  assert.equal(governor.snapshot().tokens, 5);
});

test('a turn further off than a call waits is refused, and the refused come back spread at the rate', async () => {
  const { clock, governor } = setup(2, 1);
  // Eleven callers at once on 2 requests/s with a burst of 1: the first goes now, the next ten within 5 s.
  const calls = Array.from({ length: 11 }, () => governor.acquire().then(() => clock.now()));
  // Four more at the same moment: their turns would be 5.5 s or more away.
  const refused = Array.from({ length: 4 }, () => governor.acquire());
  assert.equal(governor.snapshot().waiting, 11, 'the refused callers took no place in the queue');
  assert.equal(governor.snapshot().deferred, 4);
  assert.equal(governor.holds(), true, 'no more of its jobs are claimed while the queue is this long');
  const deferred: number[] = [];
  for (const call of refused) {
    await assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof ConcordError && e.code === 'rate_limited' && e.retryable);
      deferred.push(e.retryAfterMs ?? 0);
      return true;
    });
  }
  // Each refused caller is told a turn after the one before: they come back half a second apart.
  assert.deepEqual(deferred, [5_500, 6_000, 6_500, 7_000]);
  const grants = await Promise.all(calls);
  assert.deepEqual(
    grants,
    Array.from({ length: 11 }, (_, i) => i * 500),
    'the callers that were let in wait their turns, at most 5 s',
  );
  assert.equal(governor.snapshot().waiting, 0);
  assert.equal(governor.holds(), false, 'the queue has moved on');
});
