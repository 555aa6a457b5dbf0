import { createHash } from 'node:crypto';
import { ConcordError } from '../../core/errors.js';
import { evaluateExpression } from '../../core/expressions.js';
import type { DomainEvent } from '../../core/events.js';
import type { Intent } from '../../core/intents.js';
import { sameValue } from '../../core/mapping.js';
import type { Auth0User } from '../../core/ports.js';
import type { Plan, PlanContext, StateWrites } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import {
  countLogin,
  type EngagementState,
  engagementDue,
  engagementKey,
  loginsInWindow,
} from './engagement.js';
import { type AuthEventsToActivityParams, effectiveRules } from './params.js';
import { findPerson, type Person } from './person.js';
import { type Episode, type FiredRule, ruleListensTo, runRules } from './rules.js';
import { renderTemplate } from './text-template.js';

type Ctx = PlanContext<AuthEventsToActivityParams>;

/**
 * Auth events → signals. Rules decide which events matter (most do not: they are filtered as noise);
 * counting and throttling happen in pipeline state before any API call, so a burst of failures or logins
 * costs Salesforce one Task or one update. Tasks are created with a stable key (upsert on `taskKeyField`),
 * so redelivery and replay never duplicate them.
 */
export async function planActivity(event: DomainEvent, ctx: Ctx): Promise<Plan> {
  const { params } = ctx;
  const now = ctx.clock.now();
  const rules = effectiveRules(params).filter((r) => ruleListensTo(r, event));
  const engagement = params.engagement;
  const tracksEngagement = countsEngagement(event, params);
  // Such events are filtered when they are routed (`actsOn`); one routed before the rules changed lands here.
  if (rules.length === 0 && !tracksEngagement) {
    return {
      outcome: 'filtered',
      reason: `no rule listens to ${event.sourceType} (${event.kind}): dropped as noise`,
    };
  }

  let loaded: Promise<Auth0User | null> | undefined;
  const user = () => {
    loaded ??= event.auth0UserId ? ctx.auth0.getUser(event.auth0UserId) : Promise.resolve(null);
    return loaded;
  };

  const result = await runRules({
    event,
    rules,
    episode: (key) => ctx.state.get<Episode>(key),
    user,
    now,
  });
  const state: StateWrites = { ...result.state };
  const notes = [...result.notes];

  // Engagement: count every login; write at most once per interval.
  const engagementFields: Record<string, unknown> = {};
  if (tracksEngagement && event.auth0UserId) {
    const key = engagementKey(event.auth0UserId);
    const before = await ctx.state.get<EngagementState>(key);
    const at = Date.parse(event.occurredAt);
    const next = countLogin(before, Number.isFinite(at) && at > 0 ? at : now, now, engagement.windowDays);
    if (engagementDue(before, now, engagement.intervalMinutes)) {
      next.checkedAt = now;
      if (engagement.lastLoginField) engagementFields[engagement.lastLoginField] = next.lastLoginAt;
      if (engagement.loginsField) {
        engagementFields[engagement.loginsField] = loginsInWindow(next, now, engagement.windowDays);
      }
    } else {
      notes.push(`engagement updated less than ${formatMinutes(engagement.intervalMinutes)} ago`);
    }
    state[key] = next;
  }

  const fired = result.fired;
  if (fired.length === 0 && Object.keys(engagementFields).length === 0) {
    return { outcome: 'filtered', reason: notes.join('; ') || 'nothing to signal', state };
  }

  const ruleFields = await ruleUpdates(fired);
  const lookup = await findPerson(event, ctx, {
    extraFields: [...Object.keys(engagementFields), ...Object.keys(ruleFields)],
    user,
    ownerNeeded: fired.some((f) => f.rule.task),
  });
  if (lookup.kind === 'ambiguous') {
    return {
      outcome: 'quarantined',
      reason: `identity is ambiguous: ${lookup.reason}`,
      candidates: lookup.candidates,
    };
  }
  if (lookup.kind === 'none') {
    const waitMs = params.awaitPersonSeconds * 1000;
    const at = Date.parse(event.occurredAt);
    const young = Number.isFinite(at) && now - at < waitMs;
    if (lookup.auth0User && fired.some((f) => f.rule.task) && young) {
      // A first login and the signup that creates the person arrive together, on other pipelines.
      throw new ConcordError(
        `the person is not in Salesforce yet (${lookup.reason}); retrying for up to ${params.awaitPersonSeconds} s`,
        { code: 'not_found', retryable: true },
      );
    }
    const signals = fired.map((f) => f.rule.id).join(', ');
    return {
      outcome: 'filtered',
      reason: `unknown person, nothing written${signals ? ` (signals: ${signals})` : ''}: ${lookup.reason}`,
      state,
    };
  }

  const person = lookup.person;
  const intents: Intent[] = [];
  for (const f of fired) {
    if (f.rule.task) intents.push(await taskIntent(f, person, event, ctx));
  }
  const update = await personUpdate(person, { ...ruleFields, ...engagementFields }, ctx);
  if (update) intents.push(update);

  const what = [
    ...fired.filter((f) => f.rule.task).map((f) => `Task for rule ${f.rule.id}`),
    ...(update ? [`update ${update.object} ${update.id} (${Object.keys(update.fields).join(', ')})`] : []),
  ];
  if (intents.length === 0) {
    return {
      outcome: 'in_sync',
      reason: `${person.why}; Salesforce already holds these values, nothing sent`,
      state,
    };
  }
  return { outcome: 'write', reason: `${what.join(' and ')}; ${person.why}`, intents, state };
}

/** Whether a login counts towards the engagement fields. */
function countsEngagement(event: DomainEvent, params: AuthEventsToActivityParams): boolean {
  const engagement = params.engagement;
  return (
    engagement.enabled &&
    event.kind === 'user.logged_in' &&
    event.auth0UserId !== undefined &&
    (engagement.lastLoginField !== null || engagement.loginsField !== null)
  );
}

/**
 * Whether the pipeline does anything with the event: a rule listens to it, or it counts towards engagement. The
 * rest (an MFA prompt no rule watches, say) is noise, filtered when routed, before any job runs.
 */
export function actsOn(event: DomainEvent, params: AuthEventsToActivityParams): boolean {
  return countsEngagement(event, params) || effectiveRules(params).some((r) => ruleListensTo(r, event));
}

async function ruleUpdates(fired: readonly FiredRule[]): Promise<Record<string, unknown>> {
  const fields: Record<string, unknown> = {};
  for (const f of fired) {
    for (const [field, expression] of Object.entries(f.rule.update ?? {})) {
      const value = await evaluateExpression(expression, f.scope);
      if (value !== undefined) fields[field] = value;
    }
  }
  return fields;
}

async function taskIntent(f: FiredRule, person: Person, event: DomainEvent, ctx: Ctx): Promise<Intent> {
  const task = f.rule.task!;
  const described = await describeFields(ctx.salesforce, ctx.pipeline.org, 'Task');
  const fields: Record<string, unknown> = {
    Subject: (await renderTemplate(task.subject, f.scope)).slice(0, 255),
    Priority: task.priority,
    Status: task.status,
    WhoId: person.id,
  };
  if (task.description) fields['Description'] = await renderTemplate(task.description, f.scope);
  // Salesforce rejects a WhatId next to a Lead WhoId; `accountId` is only ever set for Contacts.
  if (person.accountId) fields['WhatId'] = person.accountId;
  if (person.ownerId) fields['OwnerId'] = person.ownerId;
  for (const name of Object.keys(fields)) if (!described.createable.has(name)) delete fields[name];
  const who = person.auth0UserId ?? event.auth0UserId ?? `h${digest(event.subject)}`;
  return {
    kind: 'salesforce.create',
    object: 'Task',
    fields,
    key: taskKey(ctx.pipeline.name, f.rule.id, who, f.occurrence),
    keyField: ctx.params.taskKeyField,
  };
}

/** `${pipeline}:${rule}:${user}:${episode start or log id}`, hashed in part when over the field's 255. */
export function taskKey(pipeline: string, ruleId: string, who: string, occurrence: string): string {
  const key = `${pipeline}:${ruleId}:${who}:${occurrence}`;
  return key.length <= 255 ? key : `${pipeline.slice(0, 80)}:${ruleId}:${digest(key)}`;
}

/** Only fields that exist, may be updated, and would change. */
async function personUpdate(
  person: Person,
  wanted: Record<string, unknown>,
  ctx: Ctx,
): Promise<Extract<Intent, { kind: 'salesforce.update' }> | undefined> {
  if (Object.keys(wanted).length === 0) return undefined;
  const described = await describeFields(ctx.salesforce, ctx.pipeline.org, person.object);
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    if (!described.updateable.has(field)) continue;
    if (sameInstant(value, person.record[field]) || sameValue(value, person.record[field])) continue;
    fields[field] = value;
  }
  if (Object.keys(fields).length === 0) return undefined;
  return { kind: 'salesforce.update', object: person.object, id: person.id, fields };
}

/** Datetimes compare as instants: Salesforce answers `…000+0000` for what was sent as `…000Z`. */
function sameInstant(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(a) || !/^\d{4}-\d{2}-\d{2}T/.test(b)) return false;
  const left = Date.parse(a);
  const right = Date.parse(b.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(left) && left === right;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

function formatMinutes(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes} min`;
}
