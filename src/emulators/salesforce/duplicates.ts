/**
 * Duplicate rules: a create or update whose match fields equal those of a live record fails with
 * DUPLICATES_DETECTED and a match result naming the records, unless the rule only alerts and the caller
 * sent `Sforce-Duplicate-Rule-Header: allowSave=true`.
 */
import type { DuplicateRuleDef } from './config.js';
import { SfApiError } from './errors.js';
import type { ObjectSchema } from './schema.js';
import type { OrgState, StoredRecord } from './state.js';

const MESSAGE = "You're creating a duplicate record. We recommend you use an existing record instead.";

const norm = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : v);

function matches(rule: DuplicateRuleDef, fields: Record<string, unknown>, other: StoredRecord): boolean {
  return rule.matchFields.every((name) => {
    const mine = fields[name];
    return mine !== null && mine !== undefined && mine !== '' && norm(other.fields[name]) === norm(mine);
  });
}

function matchResult(rule: DuplicateRuleDef, entityType: string, found: StoredRecord[], apiBase: string) {
  return {
    entityType,
    errors: [],
    matchEngine: 'ExactMatchEngine',
    matchRecords: found.map((r) => ({
      additionalInformation: [],
      fieldDiffs: [],
      matchConfidence: 100.0,
      record: {
        attributes: { type: entityType, url: `${apiBase}/sobjects/${entityType}/${r.fields['Id']}` },
        Id: r.fields['Id'],
        ...Object.fromEntries(rule.matchFields.map((f) => [f, r.fields[f] ?? null])),
      },
    })),
    rule: rule.name,
    size: found.length,
    success: true,
  };
}

/** Throws DUPLICATES_DETECTED when a rule of this object matches another live record. */
export function checkDuplicates(
  state: OrgState,
  schema: ObjectSchema,
  fields: Record<string, unknown>,
  selfId: string | undefined,
  allowSave: boolean,
  apiBase = '/services/data/v60.0',
): void {
  for (const rule of state.config.duplicateRules) {
    if (rule.object.toLowerCase() !== schema.name.toLowerCase()) continue;
    if (rule.action === 'alert' && allowSave) continue;
    const results = [];
    for (const object of rule.matchObjects ?? [schema.name]) {
      const table = state.tables.get(object);
      if (!table) continue;
      const found: StoredRecord[] = [];
      for (const other of table.byId.values()) {
        if (other.fields['Id'] === selfId || other.fields['IsDeleted'] === true) continue;
        if (other.fields['IsConverted'] === true) continue;
        if (matches(rule, fields, other)) found.push(other);
      }
      if (found.length > 0) results.push(matchResult(rule, object, found, apiBase));
    }
    if (results.length === 0) continue;
    const duplicateResult = {
      allowSave: rule.action === 'alert',
      duplicateRule: rule.name,
      duplicateRuleEntityType: schema.name,
      errorMessage: MESSAGE,
      matchResults: results,
    };
    throw new SfApiError(400, 'DUPLICATES_DETECTED', MESSAGE, [], undefined, {
      [rule.resultKey ?? 'duplicateResult']: duplicateResult,
    });
  }
}

/** Reads `Sforce-Duplicate-Rule-Header: allowSave=true; includeRecordDetails=true`. */
export function allowSaveHeader(header: string | null | undefined): boolean {
  return /(?:^|[;,\s])allowSave\s*=\s*true/i.test(header ?? '');
}
