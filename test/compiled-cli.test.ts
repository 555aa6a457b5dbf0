/**
 * The compiled CLI (`npm run build` → dist/), what operators run in production. CI builds before `npm test`;
 * elsewhere these tests skip when there is no build, since development and tests run the sources through tsx.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const built = existsSync(new URL('../dist/cli/main.js', import.meta.url));
const NO_BUILD = 'no dist/cli/main.js: run `npm run build`';

async function node(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('node dist/cli/main.js --help lists the commands, without tsx', async (t) => {
  if (!built) return t.skip(NO_BUILD);
  const result = await node(['dist/cli/main.js', '--help']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Usage: concord /);
  for (const command of ['start', 'sandbox', 'status', 'backfill', 'emulate'])
    assert.match(result.stdout, new RegExp(`^  ${command}\\b`, 'm'));
});

test('bin/concord.mjs runs the build when CONCORD_RUN_FROM=dist', async (t) => {
  if (!built) return t.skip(NO_BUILD);
  const result = await node(['bin/concord.mjs', 'config', 'validate', '--config', 'concord.example.yaml'], {
    CONCORD_RUN_FROM: 'dist',
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /is valid: 1 Auth0 tenant\(s\), 1 Salesforce org\(s\), 1 pipeline\(s\)/);
});

test('bin/concord.mjs rejects an unknown CONCORD_RUN_FROM', async () => {
  const result = await node(['bin/concord.mjs', '--help'], { CONCORD_RUN_FROM: 'build' });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /CONCORD_RUN_FROM must be "src" or "dist"/);
});
