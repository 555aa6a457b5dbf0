/**
 * `concord backfill` end to end: the CLI as a child process against both emulators over real HTTP, a SQLite
 * store in a temp dir. Users come from an Auth0 users-export job (or the paged listing), rows go through Bulk
 * API 2.0 upsert jobs; identity links and the checkpoint land in the store.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCsvRecords } from '../../src/connectors/salesforce/bulk-csv.js';
import type { Auth0Emulator } from '../../src/emulators/auth0/index.js';
import { listLinks, openDatabase } from '../../src/store/index.js';
import { startEmulators, TENANT } from '../support/harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const EXT = 'Auth0_User_Id__c';

async function setup(t: TestContext, pipelines: { name: string; params?: Record<string, unknown> }[]) {
  const { dir, sf, auth0, config, sfUrl, close } = await startEmulators('concord-backfill-', {
    auth0: { tenant: TENANT, rateLimit: false },
    pipelines: pipelines.map((p) => ({ ...p, template: 'signup-to-lead' })),
  });
  const configPath = join(dir, 'concord.yaml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  t.after(close);
  // The CLI's own temp folder (the downloaded export goes there), to check what it leaves behind.
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);

  const spawnBackfill = (pipeline: string, extra: string[] = []): ChildProcess =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'backfill',
        '--pipeline',
        pipeline,
        '--config',
        configPath,
        '--poll-ms',
        '1',
        ...extra,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } },
    );
  async function backfill(pipeline: string, extra: string[] = []) {
    const child = spawnBackfill(pipeline, extra);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stdout, stderr };
  }
  async function links() {
    const db = await openDatabase({ driver: 'sqlite', path: join(dir, 'concord.db') });
    try {
      return await listLinks(db, { tenant: TENANT, limit: 100_000 });
    } finally {
      await db.close();
    }
  }
  const uploads = () => sf.admin.requests().filter((r) => r.kind === 'bulk2.ingest.upload');
  return {
    sf,
    auth0,
    dir,
    configPath,
    backfill,
    spawnBackfill,
    links,
    uploads,
    sfUrl,
    leftInTmp: () => readdirSync(tmp).filter((f) => f.startsWith('concord-')),
  };
}

function seedUsers(auth0: Auth0Emulator, count: number, from = 0) {
  const users = [];
  for (let i = from; i < from + count; i += 1) {
    users.push(
      auth0.admin.seedUser({
        email: `user${i}@example.com`,
        given_name: `Given${i}`,
        ...(i % 10 === 0 ? {} : { family_name: `Family${i}` }),
        user_metadata: { company: `Co ${i % 7}, "Ltd"\nEU` },
      }),
    );
  }
  return users;
}

/** Every JobComplete ingest job's successful rows, by external id, read over the Bulk API itself. */
async function processedRows(sfUrl: string) {
  const token = (await (
    await fetch(`${sfUrl}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'concord-sandbox',
        client_secret: 'sandbox-secret',
      }),
    })
  ).json()) as { access_token: string };
  const base = `${sfUrl}/services/data/v60.0/jobs/ingest`;
  const headers = { authorization: `Bearer ${token.access_token}` };
  const list = (await (await fetch(base, { headers })).json()) as {
    records: { id: string; state: string; numberRecordsProcessed: number }[];
  };
  const seen = new Map<string, number>();
  for (const job of list.records) {
    const response = await fetch(`${base}/${job.id}/successfulResults`, { headers });
    for await (const row of readCsvRecords(response.body!)) {
      seen.set(row[EXT]!, (seen.get(row[EXT]!) ?? 0) + 1);
    }
  }
  return { jobs: list.records, seen };
}

describe('concord backfill (signup-to-lead, Bulk API 2.0)', () => {
  test('2,500 users become Leads with mapped fields and identity links', async (t) => {
    const h = await setup(t, [{ name: 'signups' }]);
    const users = seedUsers(h.auth0, 2500);
    const run = await h.backfill('signups', ['--chunk-size', '1000']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /2500 created, 0 updated, 0 failed/);
    assert.equal(h.uploads().length, 3, 'one upload per chunk of 1,000');

    const leads = h.sf.admin.all('Lead');
    assert.equal(leads.length, 2500);
    const byUser = new Map(leads.map((l) => [l[EXT] as string, l]));
    const u3 = byUser.get(users[3]!.user_id)!;
    assert.deepEqual(
      [u3['FirstName'], u3['LastName'], u3['Email'], u3['Company'], u3['LeadSource']],
      ['Given3', 'Family3', 'user3@example.com', 'Co 3, "Ltd"\nEU', 'Auth0 Signup'],
    );
    assert.equal(byUser.get(users[10]!.user_id)!['LastName'], '[not provided]');

    const links = await h.links();
    assert.equal(links.length, 2500);
    for (const link of links) {
      assert.equal(link.matched_by, 'backfill');
      assert.equal(link.object, 'Lead');
      assert.equal(byUser.get(link.auth0_user_id)?.['Id'], link.record_id);
    }
    assert.doesNotMatch(run.stderr, /@example\.com/, 'no email addresses on stderr');
  });

  test('existing Contacts are updated by external id, not duplicated', async (t) => {
    const h = await setup(t, [{ name: 'contacts', params: { object: 'Contact' } }]);
    const users = seedUsers(h.auth0, 40);
    const existing = h.sf.admin.seed(
      'Contact',
      users.slice(0, 5).map((u) => ({ LastName: 'Old', [EXT]: u.user_id })),
    );
    const run = await h.backfill('contacts');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /35 created, 5 updated, 0 failed/);
    const contacts = h.sf.admin.all('Contact');
    assert.equal(contacts.length, 40);
    assert.equal(new Set(contacts.map((c) => c[EXT])).size, 40);
    for (const [i, id] of existing.entries()) {
      const c = h.sf.admin.get('Contact', id)!;
      assert.equal(c[EXT], users[i]!.user_id);
      assert.equal(c['FirstName'], `Given${i}`);
    }
  });

  test('a row Salesforce rejects is reported with its error; the others are written', async (t) => {
    const h = await setup(t, [{ name: 'signups' }]);
    const users = seedUsers(h.auth0, 12);
    const [leadId] = h.sf.admin.seed('Lead', [
      { LastName: 'Converted', Company: 'X', [EXT]: users[4]!.user_id },
    ]);
    h.sf.admin.convertLead(leadId!);
    const run = await h.backfill('signups');
    assert.equal(run.code, 3, 'exit code 3: some rows failed');
    assert.match(run.stdout, /11 created, 0 updated, 1 failed/);
    assert.match(
      run.stderr,
      new RegExp(`row failed: ${users[4]!.user_id.replace('|', '\\|')} CANNOT_UPDATE_CONVERTED_LEAD`),
    );
    assert.equal(h.uploads().length, 1, 'a non-retryable failure is not sent again');
    assert.equal((await h.links()).length, 11);
  });

  test('an interrupted backfill resumes without re-sending finished rows', async (t) => {
    const h = await setup(t, [{ name: 'signups' }]);
    seedUsers(h.auth0, 3000);
    // Job 1 needs two status reads (InProgress, JobComplete); the first read of job 2 is held: by then job 2
    // is uploaded, closed and recorded as in flight, and job 1's rows and links are committed.
    h.sf.admin.faults.inject({ match: { kind: 'bulk2.ingest.status' }, times: 2 });
    h.sf.admin.faults.inject({ match: { kind: 'bulk2.ingest.status' }, times: 1, hold: true });
    const first = h.spawnBackfill('signups', ['--chunk-size', '1000']);
    const exited = once(first, 'exit');
    await h.sf.admin.faults.whenHeld(1);
    first.kill('SIGKILL');
    await exited;
    h.sf.admin.faults.release();
    assert.equal(h.uploads().length, 2, 'killed with job 2 in flight');
    assert.equal(h.sf.admin.all('Lead').length, 1000, 'only job 1 was applied');
    assert.deepEqual(h.leftInTmp(), [], 'no copy of the exported users is left on disk');

    const second = await h.backfill('signups', ['--chunk-size', '1000']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /resumed run/);
    assert.match(second.stdout, /3000 created, 0 updated, 0 failed/);
    assert.equal(h.uploads().length, 3, 'only the unsent chunk was uploaded by the second run');

    const { jobs, seen } = await processedRows(h.sfUrl);
    assert.deepEqual(
      jobs.map((j) => j.state),
      ['JobComplete', 'JobComplete', 'JobComplete'],
    );
    assert.equal(seen.size, 3000);
    assert.ok(
      [...seen.values()].every((n) => n === 1),
      'every row processed exactly once',
    );
    assert.equal(h.sf.admin.all('Lead').length, 3000);
    assert.equal((await h.links()).length, 3000);
    assert.deepEqual(h.leftInTmp(), []);
  });

  test('falls back to the paged listing when the export job is not permitted', async (t) => {
    const h = await setup(t, [{ name: 'signups' }]);
    seedUsers(h.auth0, 150);
    h.auth0.admin.faults.inject({
      match: { method: 'POST', path: '/api/v2/jobs/users-exports' },
      status: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'Insufficient scope, expected any of: read:users',
        errorCode: 'insufficient_scope',
      },
    });
    const run = await h.backfill('signups');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /using the paged listing/);
    assert.match(run.stdout, /150 created, 0 updated, 0 failed/);
    assert.equal(h.sf.admin.all('Lead').length, 150);
  });
});
