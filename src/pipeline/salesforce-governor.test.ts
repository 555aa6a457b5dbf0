import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createManualClock } from '../core/clock.js';
import { ConcordError } from '../core/errors.js';
import { createSalesforceBudget } from './salesforce-governor.js';

const exceeded = () =>
  new ConcordError('TotalRequests Limit exceeded.', {
    code: 'rate_limited',
    vendorCode: 'REQUEST_LIMIT_EXCEEDED',
    status: 403,
  });

function setup(probe: () => Promise<{ used: number; limit: number }>, share = 1) {
  const clock = createManualClock(0);
  const probes: number[] = [];
  const budget = createSalesforceBudget({
    org: 'crm',
    share,
    probeIntervalMs: 1000,
    now: clock.now,
    probe: async () => {
      probes.push(clock.now());
      return probe();
    },
  });
  const refused = async () =>
    budget.acquire().then(
      () => false,
      (error: unknown) => error instanceof ConcordError && error.code === 'rate_limited',
    );
  return { clock, budget, probes, refused };
}

test('the allocation is read from /limits once, before the first call', async () => {
  const { budget, probes, refused } = setup(async () => ({ used: 7, limit: 20 }));
  await Promise.all([refused(), refused(), budget.start()]);
  assert.deepEqual(probes, [0], 'one read, shared');
  assert.deepEqual(
    { used: budget.snapshot().used, limit: budget.snapshot().limit, allowed: budget.snapshot().allowed },
    { used: 7, limit: 20, allowed: 20 },
  );
  budget.observe({ used: 8, limit: 20 });
  assert.equal(await refused(), false);
  assert.equal(probes.length, 1, 'afterwards, responses report usage');
});

test('an org already past the share at start is paused before any call goes out', async () => {
  const { budget } = setup(async () => ({ used: 60, limit: 100 }), 0.5);
  await assert.rejects(
    budget.acquire(),
    (e: unknown) => e instanceof ConcordError && e.code === 'rate_limited',
  );
  assert.match(budget.snapshot().reason ?? '', /60 of its 50 calls/);
});

test('REQUEST_LIMIT_EXCEEDED pauses the org; a probe with room resumes it', async () => {
  let usage = { used: 5, limit: 20 };
  const { clock, budget, probes, refused } = setup(async () => usage);
  assert.equal(await refused(), false);
  budget.observe({ used: 19, limit: 20 });
  budget.failed(exceeded());
  usage = { used: 20, limit: 20 };
  assert.equal(await refused(), true, 'paused');
  assert.equal(budget.holds(), true, 'jobs are held until the probe is due');
  assert.deepEqual(probes, [0], 'no probe before the interval has run out');
  clock.advance(1000);
  assert.equal(budget.holds(), false, 'the probe is due: a job may go and probe');
  assert.equal(await refused(), true, 'the probe shows the org still exhausted');
  assert.equal(budget.holds(), true);
  usage = { used: 3, limit: 20 };
  clock.advance(1000);
  assert.equal(await refused(), false, 'the window has freed up');
  assert.equal(budget.snapshot().pausedUntil, undefined);
  assert.equal(budget.holds(), false);
  assert.deepEqual(probes, [0, 1000, 2000]);
});

test('a probe refused as over the limit keeps the org paused, even if the usage last seen had room', async () => {
  let refuse = false;
  const { clock, budget, refused } = setup(async () => {
    if (refuse) throw exceeded();
    return { used: 0, limit: 20 };
  });
  await budget.start();
  refuse = true;
  // Responses of concurrent calls can be observed out of order: the figure last seen is a call behind.
  budget.observe({ used: 19, limit: 20 });
  budget.failed(exceeded());
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    assert.equal(await refused(), true, `still paused after probe ${i + 1}`);
    assert.ok(budget.snapshot().pausedUntil! > clock.now(), 'the next probe is an interval away');
  }
  refuse = false;
  clock.advance(1000);
  assert.equal(await refused(), false);
});

test('a probe failing for another reason does not hold the org: the usage last seen decides', async () => {
  const { clock, budget, refused } = setup(async () => {
    throw new ConcordError('insufficient access rights on /limits', { code: 'permission', status: 403 });
  });
  assert.equal(await refused(), false, 'without /limits, calls go out and their responses report usage');
  budget.observe({ used: 19, limit: 20 });
  budget.failed(exceeded());
  assert.equal(await refused(), true);
  clock.advance(1000);
  assert.equal(await refused(), false, 'resumed; the next call to Salesforce tells whether the org has room');
});

test('past its share, Concord refuses before sending, and that refusal does not count as a Salesforce one', async () => {
  const { clock, budget } = setup(async () => ({ used: 40, limit: 100 }), 0.5);
  await budget.start();
  budget.observe({ used: 50, limit: 100 });
  const error = await budget.acquire().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConcordError && error.details?.['budget'] === true);
  const before = budget.snapshot().pausedUntil;
  clock.advance(500);
  budget.failed(error);
  assert.equal(budget.snapshot().pausedUntil, before, 'its own refusal does not extend the pause');
});
