import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, ORG, startHarness, TENANT } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text format 0.0.4: every line is a HELP, a TYPE or a sample
 * `name{label="value",…} value`, and every sample belongs to a family whose TYPE came before it.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line feed');
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.match(meta[3]!, /^(counter|gauge|histogram|summary|untyped)$/, line);
        assert.ok(!types.has(meta[2]!), `one TYPE line for ${meta[2]}`);
        types.set(meta[2]!, meta[3]!);
      } else helps.add(meta[2]!);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `a sample line: ${JSON.stringify(line)}`);
    const [, name, rawLabels = '', rawValue] = sample;
    assert.ok(types.has(name!), `${name} has a TYPE line before its samples`);
    assert.ok(helps.has(name!), `${name} has a HELP line`);
    const labels: Record<string, string> = {};
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
    while (labelPattern.lastIndex < rawLabels.length) {
      const m = labelPattern.exec(rawLabels);
      assert.ok(m, `well-formed labels: ${rawLabels}`);
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = Number(rawValue);
    assert.ok(!Number.isNaN(value) || rawValue === 'NaN', `a number: ${rawValue}`);
    samples.push({ name: name!, labels, value });
  }
  return { samples, types };
}

function sampleValue(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const found = samples.filter(
    (s) =>
      s.name === name &&
      Object.keys(s.labels).length === Object.keys(labels).length &&
      Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  assert.ok(found.length <= 1, `one series ${name}${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe('GET /metrics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  test('after a delivered signup: jobs, Salesforce budget and batching, Auth0 governor, process', async () => {
    h.auth0.admin.signup({ email: 'metrics@example.com', given_name: 'Ada', family_name: 'Metrics' });
    assert.equal((await h.post(JSON.stringify([h.lastLog('ss')]))).status, 200);
    await h.settled();
    // The retention pass at start (nothing is old enough here) has ended.
    await waitFor(() => (h.service.budgets().retention?.passes ?? 0) >= 1, 'the first retention pass');

    const response = await fetch(`${h.url}/metrics`, {
      headers: { authorization: `Bearer ${h.config.server.adminToken}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4(;|$)/);
    const { samples, types } = parseExposition(await response.text());

    assert.equal(types.get('concord_jobs'), 'gauge');
    assert.equal(sampleValue(samples, 'concord_jobs', { state: 'done', outcome: 'applied' }), 1);
    assert.equal(sampleValue(samples, 'concord_jobs', { state: 'done', outcome: 'dead_lettered' }), 0);
    assert.equal(sampleValue(samples, 'concord_jobs', { state: 'queued' }), 0);

    const org = { org: ORG };
    assert.ok(
      (sampleValue(samples, 'concord_salesforce_api_used', org) ?? 0) > 0,
      'Salesforce calls counted',
    );
    assert.ok((sampleValue(samples, 'concord_salesforce_api_limit', org) ?? 0) > 0);
    assert.ok((sampleValue(samples, 'concord_salesforce_api_allowed', org) ?? 0) > 0);
    assert.equal(sampleValue(samples, 'concord_salesforce_paused', org), 0);
    assert.equal(types.get('concord_salesforce_batch_calls_total'), 'counter');
    assert.ok(
      (sampleValue(samples, 'concord_salesforce_batch_calls_total', { ...org, kind: 'write' }) ?? 0) >= 1,
      'the Lead went out in a write call',
    );
    assert.ok((sampleValue(samples, 'concord_salesforce_records_written_total', org) ?? 0) >= 1);
    assert.ok(
      (sampleValue(samples, 'concord_salesforce_batcher_api_calls_total', org) ?? 0) >= 1,
      'the batcher counts its API calls',
    );
    assert.notEqual(
      sampleValue(samples, 'concord_salesforce_batch_calls_total', { ...org, kind: 'read' }),
      undefined,
    );
    assert.notEqual(sampleValue(samples, 'concord_salesforce_records_coalesced_total', org), undefined);
    assert.notEqual(sampleValue(samples, 'concord_salesforce_reads_coalesced_total', org), undefined);

    const tenant = { tenant: TENANT };
    assert.equal(types.get('concord_auth0_requests_sent_total'), 'counter');
    assert.ok((sampleValue(samples, 'concord_auth0_requests_sent_total', tenant) ?? -1) >= 0);
    assert.ok((sampleValue(samples, 'concord_auth0_tokens_available', tenant) ?? 0) > 0);
    assert.equal(sampleValue(samples, 'concord_auth0_blocked', tenant), 0);

    assert.equal(types.get('concord_retention_pruned_rows_total'), 'counter');
    for (const table of ['inbox', 'jobs', 'intents', 'quarantine', 'audit']) {
      assert.equal(sampleValue(samples, 'concord_retention_pruned_rows_total', { table }), 0, table);
    }
    const lastPass = sampleValue(samples, 'concord_retention_last_pass_seconds', {}) ?? 0;
    assert.ok(lastPass > Date.now() / 1000 - 600 && lastPass <= Date.now() / 1000, 'the pass at start');
    assert.equal(sampleValue(samples, 'concord_retention_failing', {}), 0);

    assert.ok((sampleValue(samples, 'process_resident_memory_bytes', {}) ?? 0) > 0);
    assert.ok((sampleValue(samples, 'nodejs_heap_size_used_bytes', {}) ?? 0) > 0);
  });

  test('without the admin token: 401, and no metrics', async () => {
    const bare = await fetch(`${h.url}/metrics`);
    assert.equal(bare.status, 401);
    assert.doesNotMatch(await bare.text(), /concord_/);
    const wrong = await fetch(`${h.url}/metrics`, {
      headers: { authorization: 'Bearer not-the-admin-token' },
    });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(await wrong.text(), /concord_/);
  });
});
