/**
 * `fields` / `include_fields` on user reads: `fields=a,b` keeps only those top-level keys
 * (`include_fields=false` drops them instead).
 */
export function projectFields<T extends Record<string, unknown>>(
  item: T,
  query: Record<string, string>,
): Partial<T> {
  if (!query.fields) return item;
  const names = new Set(
    query.fields
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
  );
  const include = query.include_fields !== 'false';
  return Object.fromEntries(Object.entries(item).filter(([key]) => names.has(key) === include)) as Partial<T>;
}
