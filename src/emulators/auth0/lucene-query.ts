import { badRequest } from './api-error.js';

/**
 * A useful subset of Auth0's Lucene search (users `search_engine=v3`, logs `q`): `field:value` or `field:"value"`
 * terms joined by spaces or `AND`, a trailing `*` as a prefix wildcard, dotted paths into metadata
 * (`app_metadata.plan:"pro"`), `identities.connection`, and `_exists_:field`.
 */
export function compileQuery(q: string | undefined): (item: Record<string, unknown>) => boolean {
  if (!q || q.trim() === '') return () => true;
  const terms = [...q.matchAll(/(\S+?):("([^"]*)"|\S+)/g)].map((m) => ({
    field: m[1]!,
    value: m[3] ?? m[2]!,
  }));
  const leftover = q
    .replace(/(\S+?):("([^"]*)"|\S+)/g, '')
    .replace(/\bAND\b/g, '')
    .trim();
  if (terms.length === 0 || leftover !== '')
    throw badRequest(`Query validation error: '${q}' is not supported.`, 'invalid_query_string');
  const predicates = terms.map(({ field, value }) => {
    if (field === '_exists_') return (u: Record<string, unknown>) => valuesAt(u, value).length > 0;
    const wanted = value.toLowerCase();
    const matches = wanted.endsWith('*')
      ? (v: string) => v.startsWith(wanted.slice(0, -1))
      : (v: string) => v === wanted;
    return (u: Record<string, unknown>) => valuesAt(u, field).some((v) => matches(String(v).toLowerCase()));
  });
  return (item) => predicates.every((p) => p(item));
}

function valuesAt(item: Record<string, unknown>, path: string): unknown[] {
  let current: unknown[] = [item];
  for (const key of path.split('.')) {
    current = current.flatMap((value) => {
      const inner = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
      return Array.isArray(inner) ? inner : inner === undefined || inner === null ? [] : [inner];
    });
  }
  return current;
}
