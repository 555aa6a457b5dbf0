/**
 * Recursive-descent parser for the SOQL subset in `ast.ts`. Anything outside it is MALFORMED_QUERY, as
 * Salesforce answers for syntax it does not accept.
 */
import { malformedQuery } from '../errors.js';
import type { CompareOp, Condition, Literal, OrderItem, SelectItem, SoqlQuery } from './ast.js';
import { type Token, tokenize } from './lexer.js';

const RESERVED = new Set([
  'select',
  'from',
  'where',
  'and',
  'or',
  'not',
  'in',
  'like',
  'order',
  'by',
  'limit',
  'offset',
  'asc',
  'desc',
  'nulls',
  'first',
  'last',
  'null',
  'true',
  'false',
  'group',
  'having',
  'for',
  'with',
  'using',
]);

export function parseSoql(source: string): SoqlQuery {
  const parser = createParser(tokenize(source));
  const query = parser.query();
  parser.expectEof();
  return query;
}

function createParser(tokens: Token[]) {
  let index = 0;
  const peek = (): Token => tokens[index]!;
  const next = (): Token => tokens[index++]!;
  const describe = (t: Token): string =>
    t.kind === 'eof'
      ? '<EOF>'
      : t.kind === 'ident' || t.kind === 'op' || t.kind === 'punct'
        ? t.text
        : t.kind === 'string'
          ? `'${t.value}'`
          : String(t.value);
  const fail = (t: Token = peek()): never => {
    throw malformedQuery(`unexpected token: '${describe(t)}' at column ${t.pos + 1}`);
  };
  const isKeyword = (word: string, t: Token = peek()) => t.kind === 'ident' && t.text.toLowerCase() === word;
  const acceptKeyword = (word: string): boolean => {
    if (!isKeyword(word)) return false;
    index++;
    return true;
  };
  const keyword = (word: string): void => {
    if (!acceptKeyword(word)) fail();
  };
  const isPunct = (p: string, t: Token = peek()) => t.kind === 'punct' && t.text === p;
  const punct = (p: string): void => {
    if (!isPunct(p)) fail();
    index++;
  };
  const path = (): string[] => {
    const t = next();
    if (t.kind !== 'ident' || RESERVED.has(t.text.toLowerCase())) fail(t);
    const parts = (t as { text: string }).text.split('.');
    if (parts.some((p) => p === '')) fail(t);
    return parts;
  };
  const integer = (): number => {
    const t = next();
    if (t.kind !== 'number' || !Number.isInteger(t.value) || t.value < 0) return fail(t);
    return t.value;
  };

  function literal(): Literal {
    const t = next();
    switch (t.kind) {
      case 'string':
        return { type: 'string', value: t.value };
      case 'number':
        return { type: 'number', value: t.value };
      case 'datetime':
        return { type: 'datetime', value: t.value };
      case 'date':
        return { type: 'date', value: t.value };
      case 'ident': {
        const word = t.text.toLowerCase();
        if (word === 'null') return { type: 'null' };
        if (word === 'true' || word === 'false') return { type: 'boolean', value: word === 'true' };
        return fail(t);
      }
      default:
        return fail(t);
    }
  }

  function selectItem(): SelectItem {
    if (isPunct('(')) {
      index++;
      const query = selectQuery(true);
      punct(')');
      return { kind: 'subquery', query };
    }
    if (isKeyword('count') && isPunct('(', tokens[index + 1])) {
      index += 2;
      punct(')');
      return { kind: 'count' };
    }
    const p = path();
    if (isPunct('(')) fail(); // other functions (aggregates, toLabel, FORMAT) are not emulated
    return { kind: 'field', path: p };
  }

  function primary(): Condition {
    if (isPunct('(')) {
      index++;
      const inner = orExpr();
      punct(')');
      return inner;
    }
    if (acceptKeyword('not')) return { kind: 'not', operand: primary() };
    const p = path();
    if (acceptKeyword('like')) {
      const t = next();
      if (t.kind !== 'string') return fail(t);
      return { kind: 'like', path: p, pattern: t.value };
    }
    const negated = acceptKeyword('not');
    if (acceptKeyword('in')) {
      punct('(');
      const values: Literal[] = [literal()];
      while (isPunct(',')) {
        index++;
        values.push(literal());
      }
      punct(')');
      return { kind: 'in', path: p, negated, values };
    }
    if (negated) fail();
    const op = next();
    if (op.kind !== 'op') return fail(op);
    return { kind: 'compare', path: p, op: op.text as CompareOp, value: literal() };
  }

  function andExpr(): Condition {
    let left = primary();
    while (acceptKeyword('and')) left = { kind: 'and', left, right: primary() };
    return left;
  }

  function orExpr(): Condition {
    let left = andExpr();
    while (acceptKeyword('or')) left = { kind: 'or', left, right: andExpr() };
    return left;
  }

  function orderItem(): OrderItem {
    const p = path();
    let direction: 'ASC' | 'DESC' = 'ASC';
    if (acceptKeyword('desc')) direction = 'DESC';
    else acceptKeyword('asc');
    let nulls: 'FIRST' | 'LAST' = direction === 'ASC' ? 'FIRST' : 'LAST';
    if (acceptKeyword('nulls')) {
      if (acceptKeyword('first')) nulls = 'FIRST';
      else if (acceptKeyword('last')) nulls = 'LAST';
      else fail();
    }
    return { path: p, direction, nulls };
  }

  function selectQuery(isSubquery: boolean): SoqlQuery {
    keyword('select');
    const select: SelectItem[] = [selectItem()];
    while (isPunct(',')) {
      index++;
      select.push(selectItem());
    }
    if (isSubquery && select.some((s) => s.kind === 'subquery')) fail();
    keyword('from');
    const fromToken = next();
    if (fromToken.kind !== 'ident' || fromToken.text.includes('.')) return fail(fromToken);
    const where = acceptKeyword('where') ? orExpr() : undefined;
    const orderBy: OrderItem[] = [];
    if (acceptKeyword('order')) {
      keyword('by');
      orderBy.push(orderItem());
      while (isPunct(',')) {
        index++;
        orderBy.push(orderItem());
      }
    }
    const limit = acceptKeyword('limit') ? integer() : undefined;
    const offset = acceptKeyword('offset') ? integer() : undefined;
    return { select, from: fromToken.text, where, orderBy, limit, offset };
  }

  return {
    query: () => selectQuery(false),
    expectEof: () => {
      if (peek().kind !== 'eof') fail();
    },
  };
}
