/**
 * CSV as Bulk API 2.0 speaks it: RFC 4180 quoting, a job-chosen delimiter and line ending. The emulator
 * writes every field quoted (so `auth0|abc` survives jsforce's multi-delimiter result parsing).
 */
export const DELIMITERS = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
} as const;
export type ColumnDelimiter = keyof typeof DELIMITERS;

/** Parses CSV text into rows of strings; quoted fields may contain delimiters, quotes ("") and newlines. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i += 1;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

const quote = (value: unknown) =>
  `"${value === null || value === undefined ? '' : String(value).replace(/"/g, '""')}"`;

/** Writes rows with every field quoted. */
export function writeCsv(
  header: readonly string[],
  rows: readonly unknown[][],
  delimiter = ',',
  eol = '\n',
): string {
  return [header, ...rows].map((r) => r.map(quote).join(delimiter)).join(eol) + eol;
}
