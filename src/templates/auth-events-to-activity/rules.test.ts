import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normaliseAuth0Log } from '../../connectors/auth0/normalise-log.js';
import type { DomainEvent } from '../../core/events.js';
import type { Auth0User } from '../../core/ports.js';
import { countLogin, engagementDue, loginsInWindow } from './engagement.js';
import { authEventsToActivity } from './index.js';
import { authEventsToActivityParamsSchema, effectiveRules, type Rule } from './params.js';
import { taskKey } from './plan.js';
import { countInEpisode, type Episode, episodeKey, ruleNeedsUser, runRules } from './rules.js';
import { renderTemplate } from './text-template.js';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MIN = 60_000;

const event = (over: Partial<DomainEvent> & { kind: DomainEvent['kind'] }): DomainEvent => ({
  source: 'auth0.logs',
  connection: 'acme',
  sourceId: `log-${Math.random()}`,
  sourceType: 's',
  occurredAt: new Date(T0).toISOString(),
  subject: 'user:auth0|1',
  auth0UserId: 'auth0|1',
  details: {},
  ...over,
});

const failure = (at: number, id = 'auth0|1') =>
  event({
    kind: 'user.login_failed',
    sourceType: 'fp',
    sourceId: `fp-${at}`,
    occurredAt: new Date(at).toISOString(),
    subject: `user:${id}`,
    auth0UserId: id,
  });

/** Runs the engine over events in order with an in-memory state, as the pipeline would. */
async function replay(
  rules: Rule[],
  events: DomainEvent[],
  loadUser = async (): Promise<Auth0User | null> => null,
) {
  const store = new Map<string, Episode>();
  const fired: { rule: string; occurrence: string; count?: number }[] = [];
  const notes: string[] = [];
  for (const e of events) {
    const result = await runRules({
      event: e,
      rules,
      episode: async (k) => store.get(k),
      user: loadUser,
      now: T0,
    });
    for (const [k, v] of Object.entries(result.state)) store.set(k, v);
    for (const f of result.fired)
      fired.push({ rule: f.rule.id, occurrence: f.occurrence, count: f.scope.state?.count });
    notes.push(...result.notes);
  }
  return { fired, notes, store };
}

const params = (input: unknown = {}) => authEventsToActivityParamsSchema.parse(input);

describe('auth-events-to-activity rules', () => {
  test('defaults: first login fires once, later logins do not', async () => {
    const rules = effectiveRules(params());
    const { fired, notes } = await replay(rules, [
      event({ kind: 'user.logged_in', details: { loginsCount: 1 }, sourceId: 'a' }),
      event({ kind: 'user.logged_in', details: { loginsCount: 2 }, sourceId: 'b' }),
    ]);
    assert.deepEqual(fired, [{ rule: 'first-login', occurrence: 'a', count: undefined }]);
    assert.deepEqual(notes, ['rule first-login: condition not met']);
  });

  test('a burst of 20 failures is one episode and fires once, at the 5th', async () => {
    const rules = effectiveRules(params());
    const burst = Array.from({ length: 20 }, (_, i) => failure(T0 + i * 1000));
    const { fired, notes } = await replay(rules, burst);
    assert.equal(fired.length, 1);
    assert.deepEqual(fired[0], {
      rule: 'failed-logins',
      occurrence: new Date(T0).toISOString(),
      count: 5,
    });
    assert.equal(notes[0], 'rule failed-logins: 1 of 5 within 15 min');
    assert.match(notes.at(-1) ?? '', /already signalled for the episode that started 2026-03-01T10:00:00/);
  });

  test('an episode ends after a quiet window; the next burst is a new episode with its own key', async () => {
    const rules = effectiveRules(params());
    const first = Array.from({ length: 6 }, (_, i) => failure(T0 + i * MIN));
    const later = T0 + 5 * MIN + 16 * MIN; // 16 quiet minutes after the last failure
    const second = Array.from({ length: 5 }, (_, i) => failure(later + i * MIN));
    const { fired } = await replay(rules, [...first, ...second]);
    assert.deepEqual(
      fired.map((f) => f.occurrence),
      [new Date(T0).toISOString(), new Date(later).toISOString()],
    );
  });

  test('failures spread wider than the window keep the episode open but do not fire', async () => {
    const rules = effectiveRules(params());
    const slow = Array.from({ length: 8 }, (_, i) => failure(T0 + i * 10 * MIN)); // 5 span 40 min
    const { fired, store } = await replay(rules, slow);
    assert.equal(fired.length, 0);
    const episode = store.get(episodeKey('failed-logins', 'user:auth0|1'));
    assert.equal(episode?.count, 8, 'still one episode: never 15 quiet minutes');
  });

  test('users are counted apart', async () => {
    const rules = effectiveRules(params());
    const mixed = Array.from({ length: 8 }, (_, i) => failure(T0 + i * 1000, i % 2 ? 'auth0|a' : 'auth0|b'));
    assert.equal((await replay(rules, mixed)).fired.length, 0, 'four each, below five');
  });

  test('overrides merge into defaults; null drops a rule; custom rules join', async () => {
    const p = params({
      rules: {
        'failed-logins': { threshold: { count: 3 } },
        'mfa-enrolled': { task: null, update: { MFA_Enrolled__c: 'true' } },
        'first-login': null,
        'mfa-failed': {
          on: ['gd_auth_failed'],
          when: 'user.app_metadata.plan = "enterprise"',
          task: { subject: 'MFA failed for {{user.app_metadata.plan}} user', priority: 'High' },
        },
      },
    });
    const rules = effectiveRules(p);
    const byId = new Map(rules.map((r) => [r.id, r]));
    assert.equal(byId.has('first-login'), false);
    assert.deepEqual(byId.get('failed-logins')?.threshold, { count: 3, withinMinutes: 15 });
    assert.equal(byId.get('failed-logins')?.task?.subject, 'Repeated failed logins', 'rest kept');
    assert.equal(byId.get('mfa-enrolled')?.task, undefined);
    assert.deepEqual(byId.get('mfa-enrolled')?.update, { MFA_Enrolled__c: 'true' });
    assert.equal(ruleNeedsUser(byId.get('mfa-failed')!), true);
    assert.equal(ruleNeedsUser(byId.get('failed-logins')!), false, 'defaults never load the user');

    let loads = 0;
    const user = async () => {
      loads += 1;
      return { user_id: 'auth0|1', app_metadata: { plan: 'enterprise' } } as Auth0User;
    };
    const mfaFailed = event({
      kind: 'user.mfa',
      sourceType: 'gd_auth_failed',
      details: { mfaEvent: 'gd_auth_failed' },
    });
    const { fired } = await replay(rules, [mfaFailed], user);
    assert.deepEqual(
      fired.map((f) => f.rule),
      ['mfa-failed'],
    );
    assert.equal(loads, 1);
  });

  test('what the pipeline takes when routed follows its rules: noise becomes no job', () => {
    const mfaFailed = event({ kind: 'user.mfa', sourceType: 'gd_auth_failed' });
    const mfaEnrolled = event({ kind: 'user.mfa', sourceType: 'gd_enrollment_complete' });
    const login = event({ kind: 'user.logged_in', sourceType: 's' });
    const defaults = params({});
    assert.equal(authEventsToActivity.accepts(mfaFailed, defaults), false, 'no default rule listens');
    assert.equal(authEventsToActivity.accepts(mfaEnrolled, defaults), true);
    assert.equal(authEventsToActivity.accepts(login, defaults), true);

    const watching = params({
      rules: { 'mfa-failed': { on: ['gd_auth_failed'], task: { subject: 'MFA failed' } } },
    });
    assert.equal(authEventsToActivity.accepts(mfaFailed, watching), true, 'a custom rule listens');

    const quiet = params({ rules: { 'first-login': null }, engagement: { enabled: false } });
    assert.equal(authEventsToActivity.accepts(login, quiet), false, 'no rule and no engagement: noise');
    const counting = params({ rules: { 'first-login': null } });
    assert.equal(
      authEventsToActivity.accepts(login, counting),
      true,
      'logins still count towards engagement',
    );
    assert.equal(
      authEventsToActivity.accepts(event({ kind: 'user.profile_changed', sourceType: 'sapi' }), watching),
      false,
    );
  });

  test('invalid rules fail config validation with the path', () => {
    const bad = authEventsToActivityParamsSchema.safeParse({
      rules: { custom: { on: ['s'] }, other: { on: ['s'], when: 'event.(', task: { subject: 'x' } } },
    });
    assert.equal(bad.success, false);
    const messages = bad.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') ?? '';
    assert.match(messages, /rules\.custom: a rule needs an action/);
    assert.match(messages, /rules\.other\.when: invalid expression/);
    const badText = authEventsToActivityParamsSchema.safeParse({
      rules: { 'first-login': { task: { subject: 'Hi {{ event.( }}' } } },
    });
    assert.equal(badText.success, false);
  });

  test('threshold count 1 makes one signal per burst (locks, breaches)', () => {
    const t = { count: 1, withinMinutes: 15 };
    const a = countInEpisode(undefined, T0, t);
    const b = countInEpisode(a.episode, T0 + MIN, t);
    const c = countInEpisode(b.episode, T0 + 20 * MIN, t);
    assert.deepEqual([a.fire, b.fire, c.fire], [true, false, true]);
  });

  test('texts render placeholders over event and state', async () => {
    const text = await renderTemplate('{{state.count}} failures ({{event.sourceType}}){{nothing}}', {
      event: { sourceType: 'fp' },
      state: { count: 5 },
    });
    assert.equal(text, '5 failures (fp)');
  });

  test('task keys are stable and fit the 255-character field', () => {
    assert.equal(
      taskKey('p', 'failed-logins', 'auth0|1', '2026-03-01T10:00:00.000Z'),
      'p:failed-logins:auth0|1:2026-03-01T10:00:00.000Z',
    );
    const long = taskKey('p', 'r', 'x'.repeat(300), 'o');
    assert.ok(long.length <= 255);
    assert.equal(long, taskKey('p', 'r', 'x'.repeat(300), 'o'));
  });
});

describe('auth-events-to-activity engagement', () => {
  test('counts logins per day in a rolling window and throttles writes', () => {
    const DAY = 86_400_000;
    let state = countLogin(undefined, T0 - 40 * DAY, T0 - 40 * DAY, 30);
    state = countLogin({ ...state, checkedAt: T0 - 40 * DAY }, T0 - 2 * DAY, T0, 30);
    state = countLogin(state, T0, T0, 30);
    state = countLogin(state, T0 + 1000, T0, 30);
    assert.equal(loginsInWindow(state, T0, 30), 3, 'the login 40 days ago is out of the window');
    assert.equal(Object.keys(state.days).length, 2, 'old days are forgotten');
    assert.equal(state.lastLoginAt, new Date(T0 + 1000).toISOString());
    // a late, older record does not move the last login back
    assert.equal(countLogin(state, T0 - DAY, T0, 30).lastLoginAt, new Date(T0 + 1000).toISOString());

    assert.equal(engagementDue(undefined, T0, 60), true);
    assert.equal(engagementDue({ days: {}, checkedAt: T0 }, T0 + 59 * MIN, 60), false);
    assert.equal(engagementDue({ days: {}, checkedAt: T0 }, T0 + 60 * MIN, 60), true);
  });
});

describe('Auth0 records this template reads', () => {
  test('locks, breaches and failures carry the attempted login name', () => {
    for (const type of ['limit_wc', 'pwd_leak', 'fu']) {
      const [e] = normaliseAuth0Log('acme', '1', { type, user_id: '', user_name: 'Who@Example.com' });
      assert.equal(e?.details['userName'], 'Who@Example.com', type);
      assert.equal(e?.subject, 'login:who@example.com');
    }
  });
});
