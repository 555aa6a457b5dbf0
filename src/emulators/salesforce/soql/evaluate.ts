/**
 * Runs a parsed SOQL query over the org state: resolves field paths against the schema (INVALID_FIELD,
 * INVALID_TYPE), filters, sorts, pages and shapes records like the REST API (`attributes`, nested parents,
 * child subquery results).
 */
import { sfError } from '../errors.js';
import { normalizeId } from '../ids.js';
import { objectForId } from '../schema.js';
import { type FieldDef, objectSchema, type ObjectSchema } from '../schema.js';
import { lookupUnique, type OrgState, type StoredRecord, tableOf } from '../state.js';
import type { Condition, Literal, SoqlQuery } from './ast.js';

export interface QueryContext {
  state: OrgState;
  /** queryAll: include records in the recycle bin. */
  includeDeleted: boolean;
  /** `/services/data/v60.0`, used in `attributes.url`. */
  apiBase: string;
}

export interface QueryResult {
  totalSize: number;
  records: Record<string, unknown>[];
}

/** A field path checked against the schema: the reference fields walked, then the final field. */
interface ResolvedPath {
  hops: { field: FieldDef; relationshipName: string }[];
  field: FieldDef;
}

const invalidType = (name: string) =>
  sfError(
    400,
    'INVALID_TYPE',
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  );

function targetSchemas(field: FieldDef): ObjectSchema[] {
  return (field.referenceTo ?? []).map((o) => objectSchema(o)).filter((s): s is ObjectSchema => !!s);
}

function resolvePath(root: ObjectSchema, rawPath: string[]): ResolvedPath {
  let path = rawPath;
  if (
    path.length > 1 &&
    path[0]!.toLowerCase() === root.name.toLowerCase() &&
    !root.byRelationship.has(path[0]!.toLowerCase())
  ) {
    path = path.slice(1);
  }
  let schemas: ObjectSchema[] = [root];
  const hops: ResolvedPath['hops'] = [];
  for (const part of path.slice(0, -1)) {
    const ref = schemas.map((s) => s.byRelationship.get(part.toLowerCase())).find((f) => f);
    if (!ref) {
      throw sfError(
        400,
        'INVALID_FIELD',
        `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    hops.push({ field: ref, relationshipName: ref.relationshipName! });
    schemas = targetSchemas(ref);
  }
  const last = path[path.length - 1]!;
  const field = schemas.map((s) => s.byName.get(last.toLowerCase())).find((f) => f);
  if (!field) {
    throw sfError(
      400,
      'INVALID_FIELD',
      `No such column '${last}' on entity '${schemas[0]!.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return { hops, field };
}

function parentOf(state: OrgState, id: unknown): StoredRecord | undefined {
  if (typeof id !== 'string') return undefined;
  const object = objectForId(id);
  return object ? state.tables.get(object)?.byId.get(id) : undefined;
}

function valueAt(state: OrgState, record: StoredRecord, path: ResolvedPath): unknown {
  let current: StoredRecord | undefined = record;
  for (const hop of path.hops) {
    current = parentOf(state, current.fields[hop.field.name]);
    if (!current) return null;
  }
  return current.fields[path.field.name] ?? null;
}

// ───────────── comparisons ─────────────

const STRINGISH = new Set([
  'id',
  'string',
  'email',
  'phone',
  'textarea',
  'picklist',
  'multipicklist',
  'reference',
]);

/** Converts a literal to the field's comparable form, rejecting mismatched types as Salesforce does. */
function literalFor(field: FieldDef, literal: Literal): string | number | boolean | null {
  if (literal.type === 'null') return null;
  const mismatch = () =>
    sfError(
      400,
      'INVALID_FIELD',
      `value of filter criterion for field '${field.name}' must be of type ${field.type} and should${STRINGISH.has(field.type) ? '' : ' not'} be enclosed in quotes`,
    );
  if (STRINGISH.has(field.type)) {
    if (literal.type !== 'string') throw mismatch();
    if (field.type === 'id' || field.type === 'reference') {
      const id = normalizeId(literal.value);
      if (!id) throw sfError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${literal.value}`);
      return id.toLowerCase();
    }
    return literal.value.toLowerCase();
  }
  switch (field.type) {
    case 'boolean':
      if (literal.type !== 'boolean') throw mismatch();
      return literal.value;
    case 'double':
    case 'int':
      if (literal.type !== 'number') throw mismatch();
      return literal.value;
    case 'datetime':
      if (literal.type !== 'datetime') throw mismatch();
      return Date.parse(literal.value);
    case 'date':
      if (literal.type !== 'date') throw mismatch();
      return literal.value;
    default:
      throw mismatch();
  }
}

/** A stored value in comparable form (lower-cased strings, epoch ms for datetimes). */
function comparable(field: FieldDef, value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (field.type === 'datetime') return Date.parse(String(value));
  if (typeof value === 'string') return value.toLowerCase();
  return value as number | boolean;
}

function order(a: string | number | boolean, b: string | number | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[++i];
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

type Predicate = (record: StoredRecord) => boolean;

function compile(state: OrgState, schema: ObjectSchema, condition: Condition): Predicate {
  switch (condition.kind) {
    case 'and': {
      const [l, r] = [compile(state, schema, condition.left), compile(state, schema, condition.right)];
      return (rec) => l(rec) && r(rec);
    }
    case 'or': {
      const [l, r] = [compile(state, schema, condition.left), compile(state, schema, condition.right)];
      return (rec) => l(rec) || r(rec);
    }
    case 'not': {
      const inner = compile(state, schema, condition.operand);
      return (rec) => !inner(rec);
    }
    case 'like': {
      const path = resolvePath(schema, condition.path);
      if (!STRINGISH.has(path.field.type)) {
        throw sfError(400, 'INVALID_FIELD', `invalid operator on field '${path.field.name}': LIKE`);
      }
      const re = likeToRegExp(condition.pattern);
      return (rec) => {
        const v = valueAt(state, rec, path);
        return typeof v === 'string' && re.test(v);
      };
    }
    case 'in': {
      const path = resolvePath(schema, condition.path);
      const values = new Set(condition.values.map((v) => literalFor(path.field, v)));
      return (rec) => values.has(comparable(path.field, valueAt(state, rec, path))) !== condition.negated;
    }
    case 'compare': {
      const path = resolvePath(schema, condition.path);
      const expected = literalFor(path.field, condition.value);
      const op = condition.op;
      return (rec) => {
        const actual = comparable(path.field, valueAt(state, rec, path));
        if (op === '=') return actual === expected;
        if (op === '!=') return actual !== expected;
        if (actual === null || expected === null) return false;
        const c = order(actual, expected);
        return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
      };
    }
  }
}

/** Uses the Id map or a unique index when a top-level AND conjunct pins the field; otherwise every record. */
function candidates(
  state: OrgState,
  schema: ObjectSchema,
  where: Condition | undefined,
): Iterable<StoredRecord> {
  const table = state.tables.get(schema.name)!;
  const conjuncts: Condition[] = [];
  const collect = (c: Condition): void => {
    if (c.kind === 'and') {
      collect(c.left);
      collect(c.right);
    } else conjuncts.push(c);
  };
  if (where) collect(where);
  for (const c of conjuncts) {
    if ((c.kind !== 'compare' || c.op !== '=') && (c.kind !== 'in' || c.negated)) continue;
    if (c.path.length !== 1) continue;
    const field = schema.byName.get(c.path[0]!.toLowerCase());
    if (!field || !(field.name === 'Id' || table.unique.has(field.name))) continue;
    const literals = c.kind === 'compare' ? [c.value] : c.values;
    if (literals.some((l) => l.type !== 'string')) continue;
    const ids = new Set<string>();
    for (const l of literals) {
      const value = (l as { value: string }).value;
      if (field.name === 'Id') {
        const id = normalizeId(value);
        if (id) ids.add(id);
      } else {
        for (const id of lookupUnique(table, field.name, value)) ids.add(id);
      }
    }
    // The full predicate still runs on these, so deleted records and other conjuncts are handled.
    return [...ids].map((id) => table.byId.get(id)).filter((r): r is StoredRecord => !!r);
  }
  return table.byId.values();
}

// ───────────── shaping ─────────────

function attributes(ctx: QueryContext, record: StoredRecord) {
  return { type: record.object, url: `${ctx.apiBase}/sobjects/${record.object}/${record.fields['Id']}` };
}

function project(ctx: QueryContext, record: StoredRecord, paths: ResolvedPath[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: attributes(ctx, record) };
  for (const path of paths) {
    let target = out;
    let current: StoredRecord | undefined = record;
    for (const hop of path.hops) {
      const parent = parentOf(ctx.state, current.fields[hop.field.name]);
      if (!parent) {
        if (!(hop.relationshipName in target)) target[hop.relationshipName] = null;
        current = undefined;
        break;
      }
      let nested = target[hop.relationshipName] as Record<string, unknown> | null | undefined;
      if (!nested) {
        nested = { attributes: attributes(ctx, parent) };
        target[hop.relationshipName] = nested;
      }
      target = nested;
      current = parent;
    }
    if (current) target[path.field.name] = current.fields[path.field.name] ?? null;
  }
  return out;
}

function sortAndSlice(
  state: OrgState,
  schema: ObjectSchema,
  query: SoqlQuery,
  rows: StoredRecord[],
): StoredRecord[] {
  if (query.orderBy.length > 0) {
    const keys = query.orderBy.map((o) => ({ ...o, resolved: resolvePath(schema, o.path) }));
    rows.sort((a, b) => {
      for (const key of keys) {
        const va = comparable(key.resolved.field, valueAt(state, a, key.resolved));
        const vb = comparable(key.resolved.field, valueAt(state, b, key.resolved));
        if (va === vb) continue;
        if (va === null) return key.nulls === 'FIRST' ? -1 : 1;
        if (vb === null) return key.nulls === 'FIRST' ? 1 : -1;
        const c = order(va, vb);
        if (c !== 0) return key.direction === 'ASC' ? c : -c;
      }
      return 0;
    });
  }
  const start = query.offset ?? 0;
  return rows.slice(start, query.limit === undefined ? undefined : start + query.limit);
}

export function runQuery(query: SoqlQuery, ctx: QueryContext): QueryResult {
  const table = tableOf(ctx.state, query.from);
  if (!table) throw invalidType(query.from);
  const schema = table.schema;
  const isCount = query.select.some((s) => s.kind === 'count');
  if (isCount && query.select.length > 1) {
    throw sfError(400, 'MALFORMED_QUERY', 'COUNT() cannot be combined with other fields');
  }
  const paths = query.select.flatMap((s) => (s.kind === 'field' ? [resolvePath(schema, s.path)] : []));
  const subqueries = query.select
    .flatMap((s) => (s.kind === 'subquery' ? [s.query] : []))
    .map((sub) => {
      const child = schema.byChild.get(sub.from.toLowerCase());
      if (!child) {
        throw sfError(
          400,
          'INVALID_TYPE',
          `Didn't understand relationship '${sub.from}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        );
      }
      const childSchema = objectSchema(child.childObject)!;
      return {
        child,
        query: sub,
        schema: childSchema,
        paths: sub.select.flatMap((s) => (s.kind === 'field' ? [resolvePath(childSchema, s.path)] : [])),
        where: sub.where ? compile(ctx.state, childSchema, sub.where) : () => true,
      };
    });
  const where = query.where ? compile(ctx.state, schema, query.where) : () => true;
  const live = (r: StoredRecord) => ctx.includeDeleted || r.fields['IsDeleted'] !== true;
  const rows: StoredRecord[] = [];
  for (const record of candidates(ctx.state, schema, query.where)) {
    if (live(record) && where(record)) rows.push(record);
  }
  if (isCount) return { totalSize: rows.length, records: [] };
  const page = sortAndSlice(ctx.state, schema, query, rows);
  // One pass over each child table groups the children by parent, instead of a scan per parent row.
  const byParent = subqueries.map((sub) => {
    const groups = new Map<unknown, StoredRecord[]>();
    if (page.length === 0) return groups;
    for (const c of ctx.state.tables.get(sub.schema.name)!.byId.values()) {
      const parentId = c.fields[sub.child.field];
      if (parentId === null || parentId === undefined || !live(c) || !sub.where(c)) continue;
      const group = groups.get(parentId);
      if (group) group.push(c);
      else groups.set(parentId, [c]);
    }
    return groups;
  });
  const records = page.map((record) => {
    const out = project(ctx, record, paths);
    for (const [i, sub] of subqueries.entries()) {
      const children = [...(byParent[i]!.get(record.fields['Id']) ?? [])];
      const shown = sortAndSlice(ctx.state, sub.schema, sub.query, children);
      out[sub.child.relationshipName] =
        shown.length === 0
          ? null
          : { totalSize: shown.length, done: true, records: shown.map((c) => project(ctx, c, sub.paths)) };
    }
    return out;
  });
  return { totalSize: records.length, records };
}
