/** SOQL tokenizer: identifiers (with dots), literals, operators and punctuation, each with its column. */
import { malformedQuery } from '../errors.js';

export type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'datetime'; value: string; pos: number }
  | { kind: 'date'; value: string; pos: number }
  | { kind: 'op'; text: '=' | '!=' | '<' | '>' | '<=' | '>='; pos: number }
  | { kind: 'punct'; text: '(' | ')' | ','; pos: number }
  | { kind: 'eof'; pos: number };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(?:\.\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*/;
const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  _: '\\_',
  '%': '\\%',
};

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    if (c === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        const ch = source[j];
        if (ch === undefined) throw malformedQuery(`unterminated string literal at column ${i + 1}`);
        if (ch === "'") break;
        if (ch === '\\') {
          const next = source[j + 1];
          const escaped = next === undefined ? undefined : ESCAPES[next];
          if (escaped === undefined) throw malformedQuery(`Invalid string literal escape at column ${j + 1}`);
          // \_ and \% stay escaped so LIKE can tell a literal % from a wildcard.
          value += escaped;
          j += 2;
          continue;
        }
        value += ch;
        j++;
      }
      tokens.push({ kind: 'string', value, pos: i });
      i = j + 1;
      continue;
    }
    const dt = DATETIME.exec(rest);
    if (dt) {
      tokens.push({ kind: 'datetime', value: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const d = DATE.exec(rest);
    if (d) {
      tokens.push({ kind: 'date', value: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const n = NUMBER.exec(rest);
    if (n) {
      tokens.push({ kind: 'number', value: Number(n[0]), pos: i });
      i += n[0].length;
      continue;
    }
    const id = IDENT.exec(rest);
    if (id) {
      tokens.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const two = rest.slice(0, 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', text: two === '<>' ? '!=' : two, pos: i });
      i += 2;
      continue;
    }
    if (c === '=' || c === '<' || c === '>') {
      tokens.push({ kind: 'op', text: c, pos: i });
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    throw malformedQuery(`unexpected token: '${c}' at column ${i + 1}`);
  }
  tokens.push({ kind: 'eof', pos: source.length });
  return tokens;
}
