/**
 * The one SOQL builder: field names are checked against an identifier pattern and every literal is escaped,
 * so callers never build SOQL strings.
 */
import type { SfCondition, SfFindRequest } from '../../core/ports.js';

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/;
const ORDER_BY = /^[A-Za-z][A-Za-z0-9_.]*(?:\s+(?:ASC|DESC))?(?:\s+NULLS\s+(?:FIRST|LAST))?$/i;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new TypeError(`not a SOQL field or object name: ${JSON.stringify(name)}`);
  return name;
}

/** A SOQL literal: strings quoted with `\` and `'` escaped (plus control characters), numbers and booleans bare. */
export function soqlLiteral(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a SOQL number: ${value}`);
    return String(value);
  }
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `'${escaped}'`;
}

function condition(c: SfCondition): string {
  const field = identifier(c.field);
  switch (c.op) {
    case '=':
    case '!=':
      return `${field} ${c.op} ${soqlLiteral(c.value)}`;
    case 'like':
      return `${field} LIKE ${soqlLiteral(c.value)}`;
    case 'in':
      if (c.values.length === 0) throw new TypeError(`empty IN list for ${field}`);
      return `${field} IN (${c.values.map(soqlLiteral).join(', ')})`;
  }
}

/** Builds `SELECT ... FROM ... WHERE a AND b ORDER BY ... LIMIT n`; chunking of long IN lists is the caller's. */
export function buildSoql(request: SfFindRequest): string {
  if (request.fields.length === 0) throw new TypeError('a SOQL query needs at least one field');
  const children = (request.children ?? []).map(
    (child) =>
      `(${buildSoql({ ...child, object: child.relationship, where: child.where ?? [], children: undefined })})`,
  );
  const select = [...request.fields.map(identifier), ...children].join(', ');
  let soql = `SELECT ${select} FROM ${identifier(request.object)}`;
  const all = request.where.map(condition);
  if (request.anyOf && request.anyOf.length > 0) {
    const either = request.anyOf.map(condition);
    all.push(either.length === 1 ? either[0]! : `(${either.join(' OR ')})`);
  }
  if (all.length > 0) soql += ` WHERE ${all.join(' AND ')}`;
  if (request.orderBy) {
    if (!ORDER_BY.test(request.orderBy.trim()))
      throw new TypeError(`not a SOQL ORDER BY: ${request.orderBy}`);
    soql += ` ORDER BY ${request.orderBy.trim()}`;
  }
  if (request.limit !== undefined) {
    if (!Number.isInteger(request.limit) || request.limit < 0)
      throw new TypeError(`bad LIMIT ${request.limit}`);
    soql += ` LIMIT ${request.limit}`;
  }
  return soql;
}

/** Encoded-length budget for one query URL; Salesforce answers 414 above 16,384 bytes. */
export const MAX_QUERY_URL_BYTES = 12_000;

/**
 * Splits a request whose `in` condition makes the URL too long into several requests with smaller `in`
 * lists (the longest list is split). The results are meant to be concatenated, so a `limit` is not
 * supported on a split request.
 */
export function splitForUrl(request: SfFindRequest, maxBytes = MAX_QUERY_URL_BYTES): SfFindRequest[] {
  const size = (r: SfFindRequest) => Buffer.byteLength(encodeURIComponent(buildSoql(r)));
  if (size(request) <= maxBytes) return [request];
  let longest = -1;
  request.where.forEach((c, i) => {
    if (c.op !== 'in') return;
    const current = request.where[longest];
    if (longest < 0 || (current?.op === 'in' && c.values.length > current.values.length)) longest = i;
  });
  const target = request.where[longest];
  if (target?.op !== 'in' || target.values.length < 2) {
    throw new TypeError(`SOQL query too long for one request (${size(request)} bytes encoded)`);
  }
  if (request.limit !== undefined) throw new TypeError('cannot split a SOQL query that has a LIMIT');
  const half = Math.ceil(target.values.length / 2);
  const withValues = (values: readonly (string | number)[]): SfFindRequest => ({
    ...request,
    where: request.where.map((c, i) => (i === longest ? { ...target, values } : c)),
  });
  return [
    ...splitForUrl(withValues(target.values.slice(0, half)), maxBytes),
    ...splitForUrl(withValues(target.values.slice(half)), maxBytes),
  ];
}
