import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { waitFor } from './support/wait-for.js';
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

/** Starts a long-running CLI command and resolves with the first URL it prints. */
async function startCommand(args: string[]) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['bin/concord.mjs', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = await waitFor(
    () => /listening on (http:\/\/\S+)/.exec(out)?.[1],
    `${args.join(' ')} to listen`,
  );
  return {
    url,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

test('concord emulate salesforce serves seeded records', async () => {
  const seed = join(dir, 'sf-seed.yaml');
  writeFileSync(seed, 'records:\n  Contact:\n    - { LastName: Seeded, Email: seeded@example.com }\n');
  const emulator = await startCommand(['emulate', 'salesforce', '--port', '0', '--seed', seed]);
  try {
    const contacts = (await (await fetch(`${emulator.url}/__emulator/records/Contact`)).json()) as unknown;
    assert.match(JSON.stringify(contacts), /seeded@example\.com/);
  } finally {
    await emulator.stop();
  }
});

test('concord emulate auth0 simulates activity and delivers it to a log stream', async () => {
  const { createServer } = await import('node:http');
  let records = 0;
  let authorization: string | undefined;
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      authorization = req.headers.authorization;
      records += (JSON.parse(body) as unknown[]).length;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const port = (receiver.address() as { port: number }).port;
  const emulator = await startCommand([
    'emulate',
    'auth0',
    '--port',
    '0',
    '--simulate-rate',
    '200',
    '--simulate-seed',
    '7',
    '--log-stream',
    `http://127.0.0.1:${port}/hook`,
    '--log-stream-authorization',
    'Bearer cli-test-token-123',
  ]);
  try {
    await waitFor(() => records >= 50, 'simulated records at the receiver');
    assert.equal(authorization, 'Bearer cli-test-token-123');
  } finally {
    await emulator.stop();
    receiver.close();
  }
});

test('concord status asks the running service for its budgets', async () => {
  const { ORG, TENANT, startHarness } = await import('./support/harness.js');
  const h = await startHarness();
  try {
    h.auth0.admin.signup({ email: 'status@example.com', family_name: 'Status' });
    assert.equal((await h.post(JSON.stringify([h.lastLog('ss')]))).status, 200);
    await h.settled();
    // The service's own config, listening on all interfaces: the CLI asks it on loopback.
    const port = Number(new URL(h.url).port);
    const file = join(dir, 'running.yaml');
    writeFileSync(
      file,
      JSON.stringify({ ...h.config, server: { ...h.config.server, host: '0.0.0.0', port } }),
    );
    const result = await concord('status', '--config', file);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^done\s+applied\s+1$/m);
    assert.match(result.stdout, new RegExp(`budgets \\(from http://127\\.0\\.0\\.1:${port}\\)`));
    assert.match(
      result.stdout,
      new RegExp(
        `salesforce ${ORG}: \\d+/\\d+ API calls used \\(allowed \\d+\\), not paused, batching: [1-9]\\d* API calls? \\(\\d+ composite\\) carried [1-9]\\d* writes? of 1 record`,
      ),
    );
    assert.match(
      result.stdout,
      new RegExp(
        `auth0 ${TENANT}: \\d+ requests? sent, \\d+ may go now, 0 waiting, 0 calls deferred, not blocked`,
      ),
    );
    assert.match(
      result.stdout,
      /^ {2}retention \(90 days, audit 400 days\): (last pass ended \S+Z|no pass finished yet), 0 inbox rows and 0 audit entries pruned since start$/m,
    );

    // The config says port 0 (chosen at start): --url says where the service is.
    const elsewhere = join(dir, 'elsewhere.yaml');
    writeFileSync(elsewhere, JSON.stringify(h.config));
    const pointed = await concord('status', '--config', elsewhere, '--url', `${h.url}/`);
    assert.equal(pointed.code, 0, pointed.stderr);
    assert.match(pointed.stdout, new RegExp(`salesforce ${ORG}: \\d+/\\d+ API calls used`));
  } finally {
    await h.close();
  }
});

test('concord status without a running service: job counts, one line on budgets, exit 0', async () => {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const file = join(dir, 'stopped.yaml');
  writeFileSync(
    file,
    [
      'server:',
      '  host: 127.0.0.1',
      `  port: ${port}`,
      '  adminToken: stopped-admin-token-0123456789',
      'store:',
      '  driver: sqlite',
      `  path: ${join(dir, 'stopped.db')}`,
      '',
    ].join('\n'),
  );
  const result = await concord('status', '--config', file);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^no events yet$/m);
  const budgetLines = result.stdout.split('\n').filter((l) => l.startsWith('budgets'));
  assert.equal(budgetLines.length, 1, result.stdout);
  assert.match(
    budgetLines[0]!,
    new RegExp(
      `only known to a running Concord service.*none answered at http://127\\.0\\.0\\.1:${port}.*concord start.*--url`,
    ),
  );
});

test('concord prune deletes old rows whose jobs are done, keeps the rest, and says what it did', async () => {
  const { finishJob, insertInbox, listJobs, openDatabase, routeInbox, unroutedInbox } = await import(
    '../src/store/index.js'
  );
  const path = join(dir, 'prune.db');
  const file = join(dir, 'prune.yaml');
  writeFileSync(
    file,
    [
      'store:',
      '  driver: sqlite',
      `  path: ${path}`,
      'retention:',
      '  days: 31',
      '  auditDays: null',
      '',
    ].join('\n'),
  );
  const record = (sourceId: string) => ({
    source: 'auth0.logs',
    connection: 'acme',
    sourceId,
    sourceType: 'ss',
    payload: '{}',
  });
  const db = await openDatabase({ driver: 'sqlite', path });
  try {
    const longAgo = Date.now() - 40 * 86_400_000;
    await insertInbox(db, [record('old-done'), record('old-open')], longAgo);
    await insertInbox(db, [record('recent')], Date.now());
    const rows = await unroutedInbox(db, 10);
    await routeInbox(
      db,
      rows.map((r) => ({
        inboxId: r.id,
        jobs: [{ inboxId: r.id, pipeline: 'p', eventIndex: 0, subject: `user:${r.sourceId}`, event: '{}' }],
      })),
      longAgo,
    );
    const done = (await listJobs(db)).filter((j) => j.subject !== 'user:old-open');
    for (const job of done) await finishJob(db, job.id, 'applied', 'ok', longAgo);
  } finally {
    await db.close();
  }

  const result = await concord('prune', '--config', file);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /more than 31 days ago, all their jobs done: 1 pruned, with 1 jobs, 0 intents/);
  assert.match(result.stdout, /^audit entries: kept \(retention\.auditDays is null\)$/m);
  const after = await openDatabase({ driver: 'sqlite', path });
  try {
    const left = await after.kysely.selectFrom('inbox').select('source_id').orderBy('id').execute();
    assert.deepEqual(
      left.map((r) => r.source_id),
      ['old-open', 'recent'],
    );
  } finally {
    await after.close();
  }
});

test('a retention shorter than Auth0 keeps logs is refused, naming the path', async () => {
  const file = join(dir, 'short-retention.yaml');
  writeFileSync(file, 'retention:\n  days: 7\n');
  const result = await concord('config', 'validate', '--config', file);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /retention\.days: keep rows at least 31 days/);
});
