import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'concord-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function concord(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/concord.mjs', ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('config validate names the bad path and exits non-zero', async () => {
  const file = join(dir, 'broken.yaml');
  writeFileSync(
    file,
    'pipelines:\n  - name: Signups!\n    auth0: acme\n    salesforce: prod\n    template: signup-to-leads\n',
  );
  const result = await concord('config', 'validate', '--config', file);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /pipelines\[0\]\.name: use lowercase letters/);
  assert.match(result.stderr, /pipelines\[0\]\.template: one of: signup-to-lead/);
  assert.match(result.stderr, /pipelines\[0\]\.auth0: no Auth0 tenant "acme"/);
});

test('config validate accepts the example config', async () => {
  const result = await concord('config', 'validate', '--config', 'concord.example.yaml');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /is valid: 1 Auth0 tenant\(s\), 1 Salesforce org\(s\), 1 pipeline\(s\)/);
});

test('config schema prints a JSON Schema', async () => {
  const result = await concord('config', 'schema');
  assert.equal(result.code, 0);
  const schema = JSON.parse(result.stdout) as { type: string };
  assert.equal(schema.type, 'object');
});

test('an unreadable config file is a clear error', async () => {
  const result = await concord('status', '--config', join(dir, 'missing.yaml'));
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cannot read config file/);
});
