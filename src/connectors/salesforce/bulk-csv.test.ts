import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCsvParser, readCsvRecords, writeBulkCsv } from './bulk-csv.js';
import { parseRowError } from './bulk-ingest.js';

const tricky = ['auth0|abc', 'a, b', 'say "hi"', 'two\nlines', 'crlf\r\nhere', '', 'pipe|caret^tab\t'];

test('every field is quoted; quotes doubled; missing values are empty cells', () => {
  const csv = writeBulkCsv(['Id__c', 'Name'], [{ Id__c: 'auth0|1', Name: 'say "hi"' }, { Id__c: 'x' }]);
  assert.equal(csv, '"Id__c","Name"\n"auth0|1","say ""hi"""\n"x",""\n');
});

test('the parser reads back what the writer wrote, whatever the chunk boundaries', () => {
  const rows = tricky.map((v, i) => ({ k: String(i), v }));
  const csv = writeBulkCsv(['k', 'v'], rows);
  for (const size of [1, 2, 3, 5, 1024]) {
    const parser = createCsvParser();
    const out: string[][] = [];
    for (let i = 0; i < csv.length; i += size) out.push(...parser.push(csv.slice(i, i + size)));
    out.push(...parser.end());
    assert.deepEqual(out, [['k', 'v'], ...rows.map((r) => [r.k, r.v])], `chunk size ${size}`);
  }
});

test('CRLF records, a CR at a chunk end, unquoted fields and a last line without a break', () => {
  const parser = createCsvParser();
  const out = [...parser.push('a,b\r'), ...parser.push('\n1,"x\r\ny"\r\n2,'), ...parser.end()];
  assert.deepEqual(out, [
    ['a', 'b'],
    ['1', 'x\r\ny'],
    ['2', ''],
  ]);
});

test('readCsvRecords streams objects keyed by the header, multi-byte characters split across chunks', async () => {
  const bytes = new TextEncoder().encode('"sf__Id","Name"\n"003","Zoë ""Z"""\n');
  const chunks = [bytes.slice(0, 22), bytes.slice(22, 23), bytes.slice(23)];
  const out = [];
  for await (const r of readCsvRecords(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push(r);
  assert.deepEqual(out, [{ sf__Id: '003', Name: 'Zoë "Z"' }]);
});

test('sf__Error codes decide retries: row locks yes, validation no', () => {
  assert.deepEqual(parseRowError('UNABLE_TO_LOCK_ROW:unable to obtain exclusive access:-- '), {
    code: 'UNABLE_TO_LOCK_ROW',
    retryable: true,
  });
  assert.equal(
    parseRowError('CANNOT_UPDATE_CONVERTED_LEAD:cannot reference converted lead:--').retryable,
    false,
  );
  assert.equal(parseRowError('garbage').code, 'UNKNOWN_EXCEPTION');
});
