import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listJobs } from '../../src/store/index.js';
import { runSandbox } from '../../src/sandbox/run-sandbox.js';
import { waitFor } from '../support/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'concord-sandbox-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the sandbox runs every pipeline over two tenants and two orgs', async () => {
  const lines: string[] = [];
  const sandbox = await runSandbox({
    dir,
    port: 0,
    emulatorPort: 0,
    rate: 8,
    every: 1,
    seed: 7,
    out: (l) => lines.push(l),
  });
  try {
    const expected = [
      'signups',
      'profiles',
      'activity',
      'tiers',
      'churn',
      'provisioning',
      'entitlements',
      'uat-signups',
      'uat-activity',
    ];
    const seen = await waitFor(
      async () => {
        const jobs = await listJobs(sandbox.service.db, { limit: 100_000 });
        const pipelines = new Set(jobs.filter((j) => j.outcome !== null).map((j) => j.pipeline));
        return expected.every((p) => pipelines.has(p)) ? pipelines : undefined;
      },
      'an outcome in every pipeline',
      90_000,
    );
    assert.ok(expected.every((p) => seen.has(p)));
    const jobs = await listJobs(sandbox.service.db, { limit: 100_000 });
    assert.ok(
      jobs.some((j) => j.pipeline === 'provisioning' && j.outcome === 'applied'),
      'a won deal provisioned a user',
    );
    assert.ok(
      jobs.some((j) => j.pipeline === 'uat-activity' && j.outcome === 'dry_run'),
      'the dry-run pipeline writes nothing',
    );
    assert.ok(
      !jobs.some((j) => j.outcome === 'dead_lettered'),
      `no dead letters: ${jobs
        .filter((j) => j.outcome === 'dead_lettered')
        .map((j) => `${j.pipeline}: ${j.reason}`)
        .join('; ')}`,
    );
    assert.ok(lines.some((l) => l.includes('Concord sandbox is running')));
  } finally {
    await sandbox.stop();
  }
});
