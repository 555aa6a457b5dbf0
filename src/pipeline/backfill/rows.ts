/**
 * Users → Bulk rows for a `signup-to-lead` pipeline: the template's own mapping (defaults merged with the
 * pipeline's `fields`) in create mode, as a signup would be written, keyed by the external-id field.
 */
import type { BulkRow } from '../../core/backfill-ports.js';
import { applyMapping, mergeMappings } from '../../core/mapping.js';
import type { Auth0User } from '../../core/ports.js';
import { defaultMapping, type SignupToLeadParams } from '../../templates/signup-to-lead/params.js';

/** Bulk CSV cells are text: booleans as `true`/`false`, objects as JSON. */
function cell(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * `allowedFields`: the object's createable fields (from describe); mapped fields outside it are left out, as
 * the live flow does.
 */
export function signupRowMapper(params: SignupToLeadParams, allowedFields?: ReadonlySet<string>) {
  const mapping = mergeMappings(defaultMapping(params), params.fields);
  delete mapping[params.externalIdField];
  return async (user: Auth0User): Promise<BulkRow> => {
    const fields = await applyMapping(mapping, user, {
      mode: 'create',
      ...(allowedFields ? { allowedFields } : {}),
    });
    const row: Record<string, string> = {};
    for (const [field, value] of Object.entries(fields)) row[field] = cell(value);
    row[params.externalIdField] = user.user_id;
    return row;
  };
}
