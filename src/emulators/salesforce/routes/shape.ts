/** Records as the REST API shows them: `attributes` first, then the requested (or all) fields. */
import { sfError } from '../errors.js';
import type { ObjectSchema } from '../schema.js';
import type { StoredRecord } from '../state.js';

/** Canonical field names for a `fields=` list, or INVALID_FIELD. */
export function resolveFieldList(schema: ObjectSchema, list: string | null): string[] {
  if (!list) return schema.fields.map((f) => f.name);
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s)
    .map((name) => {
      const field = schema.byName.get(name.toLowerCase());
      if (!field) {
        throw sfError(
          400,
          'INVALID_FIELD',
          `No such column '${name}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      return field.name;
    });
}

export function shapeRecord(record: StoredRecord, fields: readonly string[], apiBase: string) {
  const out: Record<string, unknown> = {
    attributes: { type: record.object, url: `${apiBase}/sobjects/${record.object}/${record.fields['Id']}` },
  };
  for (const name of fields) out[name] = record.fields[name] ?? null;
  return out;
}
