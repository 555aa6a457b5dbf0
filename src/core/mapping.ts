import { z } from 'zod';
import { compileExpression, evaluateExpression } from './expressions.js';

/**
 * Field mappings are data: one row per target field, interpreted by one engine for create and update.
 * `value` is a JSONata expression over the source record; `default` fills a field that Salesforce requires
 * when the source has nothing, and only on create, so an existing record's real value is never replaced by it.
 */
export const MAPPING_WHEN = ['always', 'create', 'if_empty'] as const;

/** A JSONata expression, compiled when the config is validated so a typo fails `concord config validate`. */
export const expressionSchema = z
  .string()
  .min(1)
  .superRefine((source, ctx) => {
    try {
      compileExpression(source);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const fieldRuleSchema = z.object({
  value: expressionSchema,
  when: z.enum(MAPPING_WHEN).default('always'),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
});
export type FieldRule = z.infer<typeof fieldRuleSchema>;

/** User overrides: an expression string, a full rule, or `null` to drop a default mapping. */
export const fieldOverridesSchema = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a Salesforce field API name, e.g. Title or Auth0_Plan__c'),
  z.union([expressionSchema, fieldRuleSchema, z.null()]),
);
export type FieldOverrides = z.infer<typeof fieldOverridesSchema>;

export type FieldMapping = Record<string, FieldRule>;

export function mergeMappings(defaults: FieldMapping, overrides: FieldOverrides | undefined): FieldMapping {
  const merged: FieldMapping = { ...defaults };
  for (const [field, override] of Object.entries(overrides ?? {})) {
    if (override === null) delete merged[field];
    else if (typeof override === 'string') merged[field] = { value: override, when: 'always' };
    else merged[field] = override;
  }
  return merged;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Values compare as Salesforce would store them: trimmed text, numbers as numbers, empty equals missing. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return String(a) === String(b);
  const left = String(a).trim();
  const right = String(b).trim();
  // Email addresses compare without case: rewriting only the case would be noise in the CRM.
  if (left.includes('@') && right.includes('@')) return left.toLowerCase() === right.toLowerCase();
  return left === right;
}

export interface ApplyMappingOptions {
  mode: 'create' | 'update';
  /** The target record as it is now (update mode): unchanged fields are left out. */
  current?: Record<string, unknown>;
  /** Only these fields exist on the target object (from describe); others are skipped. */
  allowedFields?: ReadonlySet<string>;
}

/** The fields to send: evaluated, defaulted on create, and only those that would change something. */
export async function applyMapping(
  mapping: FieldMapping,
  source: unknown,
  options: ApplyMappingOptions,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(mapping)) {
    if (options.allowedFields && !options.allowedFields.has(field)) continue;
    if (options.mode === 'update' && rule.when === 'create') continue;
    const currentValue = options.current?.[field];
    if (options.mode === 'update' && rule.when === 'if_empty' && !isEmpty(currentValue)) continue;
    let value = await evaluateExpression(rule.value, source);
    if (Array.isArray(value)) value = value.join(';');
    if (isEmpty(value)) {
      if (options.mode === 'create' && rule.default !== undefined) value = rule.default;
      else continue;
    }
    if (options.mode === 'update' && sameValue(value, currentValue)) continue;
    out[field] = value;
  }
  return out;
}
