/**
 * `concord backfill` of a tenant's existing users: N Auth0 users (100,000 unless `CONCORD_BENCH_BACKFILL_USERS` says
 * otherwise) become Leads through a users-export job and Bulk API 2.0 upsert jobs. The CLI runs compiled, as a
 * child process with the default flags, against both emulators in this process; its peak RSS is read from
 * `/proc/<pid>/status` (`VmHWM`) while it runs. A second run over the same users shows what a re-run costs (every
 * row an update, nothing created twice).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuth0Emulator } from '../src/emulators/auth0/index.js';
import { createSalesforceEmulator } from '../src/emulators/salesforce/index.js';
import type { BenchResult } from './run.js';
import { breakdown, buildOnce, countsSince, memory, ROOT } from './support.js';

const USERS = Number(process.env.CONCORD_BENCH_BACKFILL_USERS ?? 100_000);
const TENANT = 'acme';
const ORG = 'crm';

/** Runs the CLI to its end: exit code, output, wall time, and the highest `VmHWM` seen. */
async function backfill(configPath: string) {
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ['dist/cli/main.js', 'backfill', '--pipeline', 'signups', '--config', configPath],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  let peak = 0;
  const sampling = setInterval(() => {
    try {
      peak = Math.max(peak, memory(child.pid!).peakMiB);
    } catch {
      // exited between two samples
    }
  }, 20);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(sampling);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`concord backfill exited with ${code}:\n${stderr}\n${stdout}`);
  const totals = /backfill complete: (\d+) created, (\d+) updated, (\d+) failed/.exec(stdout);
  const inside = /(\d+(?:\.\d+)?) s, \d+ users\/s/.exec(stdout);
  if (!totals || !inside) throw new Error(`no summary in the backfill's output:\n${stdout}`);
  return {
    seconds,
    insideSeconds: Number(inside[1]),
    created: Number(totals[1]),
    updated: Number(totals[2]),
    failed: Number(totals[3]),
    peakMiB: peak,
  };
}

export async function run(): Promise<BenchResult> {
  await buildOnce();
  const dir = mkdtempSync(join(tmpdir(), 'concord-bench-backfill-'));
  const sf = createSalesforceEmulator({ dailyApiLimit: 1e9 });
  const auth0 = createAuth0Emulator({ tenant: TENANT, rateLimit: false });
  const sfServer = await sf.listen(0, '127.0.0.1');
  const auth0Server = await auth0.listen(0, '127.0.0.1');
  try {
    for (let i = 0; i < USERS; i += 1) {
      auth0.admin.seedUser({
        email: `user${i}@customer${i % 500}.example`,
        given_name: `Given${i}`,
        family_name: `Family${i}`,
        email_verified: true,
        user_metadata: { company: `Customer ${i % 500}` },
      });
    }
    const configPath = join(dir, 'concord.yaml');
    const config = {
      server: { host: '127.0.0.1', port: 0, adminToken: 'bench-admin-token-0123456789' },
      store: { driver: 'sqlite', path: join(dir, 'concord.db') },
      auth0: {
        [TENANT]: {
          domain: auth0.domain,
          baseUrl: auth0Server.url,
          clientId: 'concord-sandbox',
          clientSecret: 'sandbox-secret',
          logStream: { authorization: 'Bearer bench-log-stream-secret-0123456789abcdef' },
          logPoll: { enabled: false },
        },
      },
      salesforce: {
        [ORG]: {
          loginUrl: sfServer.url,
          apiVersion: '60.0',
          auth: { flow: 'client_credentials', clientId: 'concord-sandbox', clientSecret: 'sandbox-secret' },
        },
      },
      pipelines: [
        {
          name: 'signups',
          template: 'signup-to-lead',
          auth0: TENANT,
          salesforce: ORG,
          params: { object: 'Lead' },
        },
      ],
    };
    writeFileSync(configPath, JSON.stringify(config, null, 2)); // JSON is YAML

    const sfBefore = sf.admin.counters();
    const auth0Before = auth0.admin.counters();
    const first = await backfill(configPath);
    const sfCalls = countsSince(sf.admin.counters().byKind, sfBefore.byKind);
    const auth0Calls = countsSince(auth0.admin.counters().byEndpoint, auth0Before.byEndpoint);
    const leads = sf.admin.all('Lead').length;
    console.log(`  [backfill bench] ${USERS} users → ${leads} Leads in ${first.insideSeconds} s`);
    const again = await backfill(configPath);

    return {
      name: 'backfill',
      figures: {
        'users in the Auth0 tenant': USERS,
        'Leads in Salesforce afterwards': leads,
        'first run: created / updated / failed': `${first.created} / ${first.updated} / ${first.failed}`,
        'first run: seconds inside the command': first.insideSeconds,
        'first run: seconds with process start': Number(first.seconds.toFixed(1)),
        'first run: users/s': Math.round(USERS / first.insideSeconds),
        'first run: peak RSS (MiB)': first.peakMiB,
        'first run: Salesforce calls': Object.values(sfCalls).reduce((a, b) => a + b, 0),
        'first run: Salesforce calls by kind': breakdown(sfCalls),
        'first run: Auth0 calls by endpoint': breakdown(auth0Calls),
        're-run: created / updated / failed': `${again.created} / ${again.updated} / ${again.failed}`,
        're-run: seconds inside the command': again.insideSeconds,
        're-run: peak RSS (MiB)': again.peakMiB,
      },
      notes: [
        `the compiled CLI with its default flags (chunks of 10,000 users, export job source); ${USERS} users seeded in the Auth0 emulator; both emulators in the bench process`,
        'peak RSS = the highest VmHWM of the CLI process, sampled every 20 ms',
      ],
    };
  } finally {
    await Promise.all([sfServer.close(), auth0Server.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}
