import { z } from 'zod';
import { expressionSchema } from '../../core/mapping.js';
import { checkTemplate } from './text-template.js';

/**
 * Parameters of `auth-events-to-activity`. Signals are rules (data), keyed by id and merged over the
 * defaults below, so a pipeline changes one default (`failed-logins: {threshold: {count: 3}}`), drops one
 * (`mfa-enrolled: null`) or adds its own without copying the rest.
 */

const fieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce field API name, e.g. Last_Login__c');
/** A text with `{{ expression }}` placeholders, checked when the config is validated. */
const textTemplate = (max?: number) =>
  (max ? z.string().min(1).max(max) : z.string()).superRefine((text, ctx) => {
    const problem = checkTemplate(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
const ruleId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a rule id in lower case, e.g. failed-logins')
  .max(40);

/** What a fired rule puts in Salesforce as a Task. `{{ expr }}` in texts is JSONata over `{event, user, state}`. */
export const taskSpecSchema = z
  .object({
    subject: textTemplate(255),
    priority: z.string().min(1).default('Normal'),
    status: z.string().min(1).default('Not Started'),
    description: textTemplate().optional(),
  })
  .strict();
export type TaskSpec = z.infer<typeof taskSpecSchema>;

/** Count `count` matching events within `withinMinutes` before firing; one firing per episode. */
export const thresholdSchema = z
  .object({
    count: z.number().int().min(1).default(1),
    withinMinutes: z.number().positive().default(15),
  })
  .strict();
export type Threshold = z.infer<typeof thresholdSchema>;

export const ruleSchema = z
  .object({
    /** Domain event kinds (`user.login_failed`) or Auth0 log types (`fp`, `limit_wc`) the rule listens to. */
    on: z.array(z.string().min(1)).min(1),
    /** JSONata over `{event, user, state}`; the rule only counts events for which it is truthy. */
    when: expressionSchema.optional(),
    /** Without it every matching event fires (its Task keyed by the log id). */
    threshold: thresholdSchema.optional(),
    task: taskSpecSchema.optional(),
    /** Fields to set on the person (Contact or Lead): field → JSONata over `{event, user, state}`. */
    update: z.record(fieldName, expressionSchema).optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema> & { id: string };

/** Partial edits carry no defaults of their own: `{count: 3}` keeps the default rule's `withinMinutes`. */
const thresholdEditSchema = z
  .object({ count: z.number().int().min(1).optional(), withinMinutes: z.number().positive().optional() })
  .strict();
const taskEditSchema = z
  .object({
    subject: textTemplate(255).optional(),
    priority: z.string().min(1).optional(),
    status: z.string().min(1).optional(),
    description: textTemplate().optional(),
  })
  .strict();

/** An override of a default rule: any subset of its fields; `task: null` / `update: null` drop that action. */
const ruleOverrideSchema = z
  .object({
    on: z.array(z.string().min(1)).min(1).optional(),
    when: expressionSchema.nullable().optional(),
    threshold: thresholdEditSchema.nullable().optional(),
    task: taskEditSchema.nullable().optional(),
    update: z.record(fieldName, expressionSchema).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
type RuleOverride = z.infer<typeof ruleOverrideSchema>;

/** The default signals. Each fires a Task; the failed-login rule only once per episode of failures. */
export const DEFAULT_RULES: Record<string, z.input<typeof ruleSchema>> = {
  'first-login': {
    on: ['user.logged_in'],
    when: 'event.details.loginsCount = 1',
    task: {
      subject: 'First login',
      priority: 'Normal',
      description: 'First login to the application ({{event.details.connection}}) at {{event.occurredAt}}.',
    },
  },
  'failed-logins': {
    on: ['user.login_failed'],
    threshold: { count: 5, withinMinutes: 15 },
    task: {
      subject: 'Repeated failed logins',
      priority: 'Normal',
      description:
        '{{state.count}} failed login attempts ({{event.sourceType}}) since {{state.start}}, ' +
        'the last at {{state.last}}.',
    },
  },
  'account-locked': {
    on: ['limit_wc'],
    threshold: { count: 1, withinMinutes: 15 },
    task: {
      subject: 'Account locked after failed logins',
      priority: 'High',
      description: 'Brute-force protection blocked further logins at {{event.occurredAt}}.',
    },
  },
  'breached-password': {
    on: ['security.breached_password'],
    threshold: { count: 1, withinMinutes: 15 },
    task: {
      subject: 'Login with a breached password blocked',
      priority: 'High',
      description:
        'Auth0 blocked a login with a password known from a data breach at {{event.occurredAt}}; ' +
        'the user has to reset it.',
    },
  },
  'mfa-enrolled': {
    on: ['gd_enrollment_complete'],
    task: {
      subject: 'MFA enrolled',
      priority: 'Low',
      description: 'Multi-factor authentication enrolled at {{event.occurredAt}}.',
    },
  },
};

export const authEventsToActivityParamsSchema = z
  .object({
    /** Text, External ID, Unique field on Lead and Contact holding the Auth0 user id. */
    externalIdField: z.string().default('Auth0_User_Id__c'),
    /** Also match people by email (after link and external id); off: only linked people get activity. */
    matchByEmail: z.boolean().default(false),
    /** Rules by id, merged over `DEFAULT_RULES`; `null` removes a default rule. */
    rules: z.record(ruleId, ruleOverrideSchema.nullable()).default({}),
    /** Text(255), External ID, Unique on Task: Task creation becomes an upsert on it (no duplicates). */
    taskKeyField: z.string().default('Concord_Key__c'),
    /** Who gets the Task: the Account's owner (falling back to the person's owner), or the person's owner. */
    assignTo: z.enum(['account_owner', 'record_owner']).default('account_owner'),
    /**
     * How long (from the log record's time) a signal waits for its person to appear in Salesforce, retrying,
     * before it is filtered: a first login and the signup that creates the Lead arrive together. 0 = never.
     */
    awaitPersonSeconds: z.number().int().min(0).default(120),
    engagement: z
      .object({
        enabled: z.boolean().default(true),
        /** At most one engagement write per user per interval; logins in between only update counts. */
        intervalMinutes: z.number().positive().default(60),
        lastLoginField: fieldName.nullable().default('Last_Login__c'),
        loginsField: fieldName.nullable().default('Logins_30d__c'),
        /** The window `loginsField` counts over, in days (UTC calendar days, today included). */
        windowDays: z.number().int().min(1).max(366).default(30),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((params, ctx) => {
    for (const [id, override] of Object.entries(params.rules)) {
      if (override === null) continue;
      const merged = mergeRule(DEFAULT_RULES[id], override);
      const result = ruleSchema.safeParse(merged);
      if (!result.success) {
        for (const issue of result.error.issues) {
          ctx.addIssue({ code: 'custom', path: ['rules', id, ...issue.path], message: issue.message });
        }
      } else if (!result.data.task && !result.data.update) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', id],
          message: 'a rule needs an action: `task`, `update` or both',
        });
      }
    }
  });
export type AuthEventsToActivityParams = z.infer<typeof authEventsToActivityParamsSchema>;

function mergeRule(base: z.input<typeof ruleSchema> | undefined, override: RuleOverride): unknown {
  const merged: Record<string, unknown> = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else if (key === 'threshold' || key === 'task') {
      // partial edits of a default's threshold or task keep its other values
      merged[key] = { ...((merged[key] as object | undefined) ?? {}), ...(value as object) };
    } else merged[key] = value;
  }
  return merged;
}

const resolved = new WeakMap<object, Rule[]>();

/** The rules in force: defaults with the pipeline's overrides, in a stable order (defaults first). */
export function effectiveRules(params: AuthEventsToActivityParams): Rule[] {
  const hit = resolved.get(params);
  if (hit) return hit;
  const ids = [...new Set([...Object.keys(DEFAULT_RULES), ...Object.keys(params.rules)])];
  const rules: Rule[] = [];
  for (const id of ids) {
    const override = params.rules[id];
    if (override === null) continue;
    const merged = mergeRule(DEFAULT_RULES[id], override ?? {});
    const rule = ruleSchema.parse(merged);
    if (rule.enabled && (rule.task || rule.update)) rules.push({ ...rule, id });
  }
  resolved.set(params, rules);
  return rules;
}
