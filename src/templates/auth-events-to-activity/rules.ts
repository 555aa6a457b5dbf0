import { evaluateExpression } from '../../core/expressions.js';
import type { DomainEvent } from '../../core/events.js';
import type { Auth0User } from '../../core/ports.js';
import type { Rule, Threshold } from './params.js';
import { mentionsUser, placeholderExpressions } from './text-template.js';

/**
 * The rule engine: which rules an event fires. Pure apart from reading episode state and, only when a rule's
 * expressions mention `user`, loading the Auth0 user. A rule without a threshold fires on every matching
 * event; a rule with one counts matching events per subject (one user, or one attempted login name) in
 * episodes and fires once per episode. An episode ends when `withinMinutes` pass with no matching event.
 */

/** One subject's run of matching events for one rule (kept in pipeline state; times are event times). */
export interface Episode {
  /** ISO time of the episode's first event: the Task's idempotency key uses it. */
  start: string;
  last: string;
  count: number;
  /** The latest event times (ms), at most `threshold.count` of them. */
  recent: number[];
  fired: boolean;
}

/** What rule expressions and Task texts see. `state` is the rule's episode (after counting this event). */
export interface RuleScope {
  event: DomainEvent;
  user: Auth0User | null;
  state: Episode | null;
}

export interface FiredRule {
  rule: Rule;
  /** Stable name of this firing: the episode's start, or the log record's id for rules without threshold. */
  occurrence: string;
  scope: RuleScope;
}

export interface RuleEngineInput {
  event: DomainEvent;
  rules: readonly Rule[];
  /** The stored episode under a state key. */
  episode(key: string): Promise<Episode | undefined>;
  /** The Auth0 user, loaded at most once and only when asked for. */
  user(): Promise<Auth0User | null>;
  /** Used when the record has no usable time. */
  now: number;
}

export interface RuleEngineResult {
  fired: FiredRule[];
  /** Why listening rules did not fire (no personal data). */
  notes: string[];
  /** Episode state to persist. */
  state: Record<string, Episode>;
}

export const episodeKey = (ruleId: string, subject: string) => `episode:${ruleId}:${subject}`;

/** A rule listens to an event's domain kind or its vendor type code. */
export function ruleListensTo(rule: Rule, event: DomainEvent): boolean {
  return rule.on.includes(event.kind) || rule.on.includes(event.sourceType);
}

const needsUser = new WeakMap<Rule, boolean>();

/**
 * Whether evaluating the rule (condition, field updates, Task texts) needs the Auth0 user. Known once per rule
 * (a pipeline's rules are resolved once, see `effectiveRules`), not parsed again for every event.
 */
export function ruleNeedsUser(rule: Rule): boolean {
  const known = needsUser.get(rule);
  if (known !== undefined) return known;
  const sources = [
    ...(rule.when ? [rule.when] : []),
    ...Object.values(rule.update ?? {}),
    ...(rule.task ? placeholderExpressions(`${rule.task.subject} ${rule.task.description ?? ''}`) : []),
  ];
  const needs = sources.some(mentionsUser);
  needsUser.set(rule, needs);
  return needs;
}

export async function runRules(input: RuleEngineInput): Promise<RuleEngineResult> {
  const { event } = input;
  const at = eventTime(event, input.now);
  const fired: FiredRule[] = [];
  const notes: string[] = [];
  const state: Record<string, Episode> = {};

  for (const rule of input.rules) {
    if (!ruleListensTo(rule, event)) continue;
    const user = ruleNeedsUser(rule) ? await input.user() : null;
    const key = episodeKey(rule.id, event.subject);
    const before = rule.threshold ? ((await input.episode(key)) ?? null) : null;
    if (rule.when && !truthy(await evaluateExpression(rule.when, { event, user, state: before }))) {
      notes.push(`rule ${rule.id}: condition not met`);
      continue;
    }
    if (!rule.threshold) {
      fired.push({ rule, occurrence: event.sourceId, scope: { event, user, state: null } });
      continue;
    }
    const { episode, fire } = countInEpisode(before ?? undefined, at, rule.threshold);
    state[key] = episode;
    if (fire) {
      fired.push({ rule, occurrence: episode.start, scope: { event, user, state: episode } });
    } else if (episode.fired) {
      notes.push(`rule ${rule.id}: already signalled for the episode that started ${episode.start}`);
    } else {
      notes.push(
        `rule ${rule.id}: ${Math.min(episode.recent.length, rule.threshold.count)} of ` +
          `${rule.threshold.count} within ${rule.threshold.withinMinutes} min`,
      );
    }
  }
  return { fired, notes, state };
}

/**
 * Counts one event into a subject's episode. A new episode starts when none is open or the previous event
 * is more than the window ago; the rule fires once per episode, when `count` events fall within the window.
 */
export function countInEpisode(
  before: Episode | undefined,
  at: number,
  threshold: Threshold,
): { episode: Episode; fire: boolean } {
  const windowMs = threshold.withinMinutes * 60_000;
  const open = before !== undefined && at - Date.parse(before.last) <= windowMs;
  const base: Episode = open ? before : { start: iso(at), last: iso(at), count: 0, recent: [], fired: false };
  const recent = [...base.recent, at].sort((a, b) => a - b).slice(-threshold.count);
  const episode: Episode = {
    start: base.start,
    last: iso(Math.max(Date.parse(base.last), at)),
    count: base.count + 1,
    recent,
    fired: base.fired,
  };
  const newest = recent[recent.length - 1] ?? at;
  const oldest = recent[0] ?? at;
  const fire = !episode.fired && recent.length >= threshold.count && newest - oldest <= windowMs;
  if (fire) episode.fired = true;
  return { episode, fire };
}

export function eventTime(event: DomainEvent, fallback: number): number {
  const at = Date.parse(event.occurredAt);
  return Number.isFinite(at) && at > 0 ? at : fallback;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(truthy);
  return value !== undefined && value !== null && value !== false && value !== '' && value !== 0;
}

const iso = (ms: number) => new Date(ms).toISOString();
