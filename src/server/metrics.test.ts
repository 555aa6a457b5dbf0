import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../store/index.js';
import { escapeLabelValue, formatFamilies, renderMetrics } from './metrics.js';

test('label values escape backslash, double quote and line feed; HELP escapes backslash and line feed', () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(
    formatFamilies([
      {
        name: 'x_total',
        type: 'counter',
        help: 'one\\two\nthree "quoted"',
        samples: [{ labels: { org: 'we"ird\\org\n' }, value: 3 }, { value: Number.POSITIVE_INFINITY }],
      },
    ]),
    '# HELP x_total one\\\\two\\nthree "quoted"\n# TYPE x_total counter\n' +
      'x_total{org="we\\"ird\\\\org\\n"} 3\nx_total +Inf\n',
  );
});

test('an org without batching counts and before any API call: budget gauges only, no batcher counters', async () => {
  const db = await openDatabase({ driver: 'sqlite', path: ':memory:' });
  try {
    const text = await renderMetrics(db, {
      salesforce: [
        {
          org: 'crm',
          used: undefined,
          limit: undefined,
          allowed: undefined,
          pausedUntil: 5_000,
          reason: 'x',
        },
      ],
      auth0: [
        { tenant: 'acme', tokens: 0, blockedUntil: Date.now() + 60_000, sent: 12, waiting: 3, deferred: 40 },
      ],
    });
    assert.match(text, /^concord_jobs\{state="queued"\} 0$/m);
    assert.match(text, /^concord_salesforce_paused\{org="crm"\} 1$/m);
    assert.match(text, /^concord_salesforce_paused_until_seconds\{org="crm"\} 5$/m);
    assert.doesNotMatch(text, /^concord_salesforce_api_used\{/m);
    assert.doesNotMatch(text, /^concord_salesforce_batch_calls_total\{/m);
    assert.match(text, /^concord_auth0_blocked\{tenant="acme"\} 1$/m);
    assert.match(text, /^concord_auth0_requests_sent_total\{tenant="acme"\} 12$/m);
    assert.match(text, /^concord_auth0_calls_waiting\{tenant="acme"\} 3$/m);
    assert.match(text, /^concord_auth0_calls_deferred_total\{tenant="acme"\} 40$/m);
  } finally {
    await db.close();
  }
});
