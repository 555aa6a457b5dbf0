/**
 * CSV as Bulk API 2.0 speaks it (RFC 4180, comma, LF). We write every field quoted, and read result files with
 * our own parser: jsforce 3.10.16 splits result CSVs on every candidate delimiter at once, so an unquoted
 * `auth0|…` id breaks its parsing (reference §7).
 */

const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;

/** One CSV line (with its LF) of every field quoted; `"` doubled, commas and newlines kept inside quotes. */
export function csvLine(values: readonly string[]): string {
  return `${values.map(quote).join(',')}\n`;
}

/** A header row plus rows, missing values as empty cells (Bulk leaves such fields unchanged). */
export function writeBulkCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, string>>[],
): string {
  const parts = [csvLine(columns)];
  for (const row of rows) parts.push(csvLine(columns.map((c) => row[c] ?? '')));
  return parts.join('');
}

/**
 * An incremental RFC 4180 parser: feed text as it arrives, get the complete records so far. Quoted fields may
 * hold delimiters, doubled quotes and line breaks; CRLF and LF both end a record; blank lines are skipped.
 * Memory is one partial record, whatever the file size.
 */
export function createCsvParser(delimiter = ',') {
  let field = '';
  let record: string[] = [];
  let quoted = false;
  /** After a closing quote: the next `"` is an escaped quote, not a new quoted section. */
  let afterQuote = false;
  /** A CR was the last character of the previous chunk (its LF may start the next one). */
  let pendingCr = false;

  const endRecord = (out: string[][]) => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '')) out.push(record);
    record = [];
    field = '';
  };

  return {
    push(text: string): string[][] {
      const out: string[][] = [];
      let i = 0;
      if (pendingCr) {
        pendingCr = false;
        if (text[0] === '\n') i = 1;
      }
      for (; i < text.length; i += 1) {
        const c = text[i]!;
        if (quoted) {
          if (c === '"') {
            quoted = false;
            afterQuote = true;
          } else field += c;
          continue;
        }
        if (c === '"') {
          if (afterQuote) field += '"';
          quoted = true;
          afterQuote = false;
          continue;
        }
        afterQuote = false;
        if (c === delimiter) {
          record.push(field);
          field = '';
        } else if (c === '\n') endRecord(out);
        else if (c === '\r') {
          endRecord(out);
          if (i + 1 < text.length) {
            if (text[i + 1] === '\n') i += 1;
          } else pendingCr = true;
        } else field += c;
      }
      return out;
    },
    /** The last record when the text did not end with a line break. */
    end(): string[][] {
      const out: string[][] = [];
      if (quoted) throw new Error('CSV ends inside a quoted field');
      if (field !== '' || record.length > 0) endRecord(out);
      return out;
    },
  };
}

/** Reads a CSV body record by record as objects keyed by the header row, with bounded memory. */
export async function* readCsvRecords(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, string>> {
  const parser = createCsvParser();
  const decoder = new TextDecoder();
  let header: string[] | undefined;
  function* emit(records: string[][]) {
    for (const r of records) {
      if (!header) header = r;
      else yield Object.fromEntries(header.map((h, i) => [h, r[i] ?? '']));
    }
  }
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    yield* emit(parser.push(decoder.decode(chunk, { stream: true })));
  }
  yield* emit(parser.push(decoder.decode()));
  yield* emit(parser.end());
}
