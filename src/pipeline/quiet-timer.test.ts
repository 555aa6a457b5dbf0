import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quietTimer, READ_CAP_GAPS } from './salesforce-batcher.js';

/** Keeps joining a read batch every `everyMs` (closer together than its gap) and reports when it fired. */
function joinedEvery(t: test.TestContext, everyMs: number, patient: () => boolean) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  let firedAt: number | undefined;
  const timer = quietTimer(() => (firedAt ??= Date.now()), 100, patient);
  for (let at = everyMs; at <= 2_000 && firedAt === undefined; at += everyMs) {
    t.mock.timers.tick(everyMs);
    if (firedAt === undefined) timer.touch();
  }
  timer.cancel();
  return firedAt;
}

test('at a trickle a read batch that keeps being joined leaves at its cap of four gaps', (t) => {
  assert.equal(READ_CAP_GAPS.trickle, 4);
  assert.equal(
    joinedEvery(t, 50, () => false),
    400,
  );
});

test('in a backlog the cap is ten gaps (the stall normally sends reads first)', (t) => {
  assert.equal(
    joinedEvery(t, 50, () => true),
    1_000,
  );
});

test('a batch nobody joins leaves one gap after its read', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  let fired = 0;
  quietTimer(
    () => (fired = Date.now()),
    100,
    () => false,
  );
  t.mock.timers.tick(99);
  assert.equal(fired, 0);
  t.mock.timers.tick(1);
  assert.equal(fired, 100);
});
