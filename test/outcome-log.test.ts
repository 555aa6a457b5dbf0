/**
 * The outcome line every job writes goes through a child of the service logger without path redaction (its
 * fields are ids, names and codes); the service logger itself still redacts, before and after the child exists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { outcomeLogger } from '../src/pipeline/worker.js';
import { LOG_REDACT } from '../src/server/service.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info', redact: LOG_REDACT, base: { service: 'concord' } },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

test('an outcome line keeps its fields and message', () => {
  const { logger, lines } = capture();
  outcomeLogger(logger).info(
    { job: 7, pipeline: 'signups', outcome: 'applied', event: 'ss' },
    'Lead 00Q000000000001AAA created',
  );
  assert.equal(lines.length, 1);
  assert.deepEqual(
    { ...lines[0], time: undefined },
    {
      level: 30,
      time: undefined,
      service: 'concord',
      job: 7,
      pipeline: 'signups',
      outcome: 'applied',
      event: 'ss',
      msg: 'Lead 00Q000000000001AAA created',
    },
  );
});

test('the service logger still redacts personal and secret fields once the outcome logger exists', () => {
  const { logger, lines } = capture();
  outcomeLogger(logger);
  logger.info(
    {
      user: { email: 'ada@example.com', phone_number: '+44 20 7946 0958' },
      auth0: { clientSecret: 'shh' },
      req: { headers: { authorization: 'Bearer secret' } },
    },
    'a line with nested personal data',
  );
  assert.deepEqual(lines[0]?.['user'], { email: '[redacted]', phone_number: '[redacted]' });
  assert.deepEqual(lines[0]?.['auth0'], { clientSecret: '[redacted]' });
  assert.deepEqual(lines[0]?.['req'], { headers: { authorization: '[redacted]' } });
  assert.doesNotMatch(JSON.stringify(lines), /ada@example\.com|shh|Bearer secret|7946/);
});
