/** Flattens a shaped SOQL record (`{attributes, Account: {attributes, Name}}`) into `account.name` → value. */
export function flattenRecord(
  record: Record<string, unknown>,
  prefix = '',
  out = new Map<string, unknown>(),
) {
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    const path = `${prefix}${key.toLowerCase()}`;
    if (value && typeof value === 'object' && !Array.isArray(value))
      flattenRecord(value as Record<string, unknown>, `${path}.`, out);
    else out.set(path, value);
  }
  return out;
}
