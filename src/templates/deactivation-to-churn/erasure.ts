import { sameValue } from '../../core/mapping.js';
import type { SalesforcePort, SfRecord } from '../../core/ports.js';
import type { DeactivationToChurnParams } from './params.js';

/** Field types that can hold free text: they get the replacement word; other types are cleared. */
const TEXT_TYPES = new Set(['string', 'textarea']);

/**
 * The Contact fields an erasure policy anonymises, and the values that do it: text fields and required
 * fields (LastName cannot be empty) get the replacement, other fields (email, phone, dates) are cleared.
 * Only fields that would change are returned, so a replayed deletion sends nothing. Fields the org does not
 * have, or the integration user cannot update, are skipped.
 */
export async function erasureFields(
  salesforce: Pick<SalesforcePort, 'describe'>,
  contact: SfRecord,
  policy: DeactivationToChurnParams['erasure'],
): Promise<{ fields: Record<string, unknown>; names: string[] }> {
  const described = await salesforce.describe('Contact');
  const byName = new Map(described.fields.map((f) => [f.name, f]));
  const fields: Record<string, unknown> = {};
  const names: string[] = [];
  for (const name of policy.fields) {
    const field = byName.get(name);
    if (!field?.updateable) continue;
    names.push(name);
    const value = TEXT_TYPES.has(field.type) || !field.nillable ? policy.replacement : null;
    if (!sameValue(contact[name], value)) fields[name] = value;
  }
  return { fields, names };
}
