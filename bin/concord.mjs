#!/usr/bin/env node
// Runs the compiled CLI (`npm run build` → dist/) when it is current, otherwise the TypeScript sources through
// tsx, so development and tests need no build step. The compiled path does not load tsx at all: its loader
// thread and compiled-source cache cost about 35–40 MiB of a long-lived `concord start`.
// CONCORD_RUN_FROM=dist|src forces one (dist fails if there is no build).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const compiled = new URL('dist/cli/main.js', root);
// Written by `npm run build` at its start and renamed into place when tsc has finished, so its mtime is when
// the build read the sources and it exists only for a complete build.
const stamp = new URL('dist/.build-stamp', root);

/** True when any non-test `.ts` under `dir` was modified after `since` (ms). About 200 stats: a few milliseconds. */
function newerSource(dir, since) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false; // no src/ (an install that ships only dist/)
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (newerSource(path, since)) return true;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      if (statSync(path).mtimeMs > since) return true;
    }
  }
  return false;
}

function distIsCurrent() {
  if (!existsSync(compiled)) return false;
  let built;
  try {
    built = statSync(stamp).mtimeMs;
  } catch {
    return false;
  }
  return !newerSource(fileURLToPath(new URL('src', root)), built);
}

const from = process.env.CONCORD_RUN_FROM || undefined;
if (from !== undefined && from !== 'src' && from !== 'dist') {
  process.stderr.write(`concord: CONCORD_RUN_FROM must be "src" or "dist", not "${from}"\n`);
  process.exit(2);
}
if (from === 'dist' || (from === undefined && distIsCurrent())) {
  if (!existsSync(compiled)) {
    process.stderr.write(
      'concord: CONCORD_RUN_FROM=dist but dist/cli/main.js is missing; run `npm run build`\n',
    );
    process.exit(2);
  }
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/cli/main.ts', root).href);
}
