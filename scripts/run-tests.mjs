#!/usr/bin/env node
// Finds every *.test.ts under src/ and test/ (or the paths given) and runs them with node's test runner.
// Node 20's `--test` does not expand globs, hence this small launcher.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function collect(path, out) {
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.test.ts')) out.push(path);
    return out;
  }
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    collect(join(path, entry), out);
  }
  return out;
}

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith('--'));
const targets = args.filter((a) => !a.startsWith('--'));
const roots = targets.length > 0 ? targets : ['src', 'test'].map((d) => join(root, d));
const files = roots.flatMap((r) => collect(r, [])).sort();
if (files.length === 0) {
  console.error('no test files found under', roots.map((r) => relative(root, r)).join(', '));
  process.exit(1);
}

const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    `--test-concurrency=${process.env.CONCORD_TEST_CONCURRENCY ?? '2'}`,
    '--test-timeout=120000',
    ...flags,
    ...files,
  ],
  { stdio: 'inherit', cwd: root },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
