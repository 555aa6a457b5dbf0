import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogStreamBodyError, parseLogStreamBody } from './log-stream-body.js';

const a = { log_id: '900a', data: { type: 'ss', user_id: 'auth0|1' } };
const b = { log_id: '900b', data: { type: 's', details: { note: 'braces } and "quotes" inside {' } } };

test('JSONARRAY, JSONLINES and JSONOBJECT bodies give the same records', () => {
  const expected = [
    { logId: '900a', type: 'ss', data: a.data },
    { logId: '900b', type: 's', data: b.data },
  ];
  assert.deepEqual(parseLogStreamBody(JSON.stringify([a, b])), expected);
  assert.deepEqual(parseLogStreamBody(`${JSON.stringify(a)}\n${JSON.stringify(b)}\n`), expected);
  assert.deepEqual(parseLogStreamBody(`${JSON.stringify(a)}\r\n\r\n${JSON.stringify(b)}`), expected);
  assert.deepEqual(parseLogStreamBody(`${JSON.stringify(a)}${JSON.stringify(b)}`), expected);
  assert.deepEqual(parseLogStreamBody(JSON.stringify(a)), expected.slice(0, 1));
  assert.deepEqual(parseLogStreamBody(`\uFEFF ${JSON.stringify([a])} `), expected.slice(0, 1));
});

test('records without a type are kept as unknown', () => {
  assert.equal(parseLogStreamBody(JSON.stringify({ log_id: '1', data: {} }))[0]?.type, 'unknown');
});

test('bad bodies are refused with a message that says where', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['hello', /starts with "hello"/],
    ['[{"log_id":"1","data":{}}', /not valid JSON/],
    ['{"log_id":"1","data":{}}\n{"log_id":"2","data":', /line 2 is not closed/],
    ['{"log_id":"1","data":{}}\nnope', /line 2: unexpected "n"/],
    ['{"log_id":"1","data":{}}}', /unbalanced/],
    ['[]', /no records/],
    ['[1]', /record 0 is not an object/],
    ['[{"data":{}}]', /record 0 has no "log_id"/],
    ['[{"log_id":"1","data":{}},{"log_id":"","data":{}}]', /record 1 has no "log_id"/],
    ['[{"log_id":"1","data":[]}]', /log_id 1\) has no "data" object/],
    ['{"a":1}\n[1]', /found an array/],
  ];
  for (const [body, message] of cases) {
    assert.throws(
      () => parseLogStreamBody(body),
      (e: unknown) => e instanceof LogStreamBodyError && message.test(e.message),
      body,
    );
  }
});
