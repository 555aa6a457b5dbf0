import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { createAuth0Emulator } from '../../src/emulators/auth0/index.js';
import { createSalesforceEmulator } from '../../src/emulators/salesforce/index.js';
import { listJobs, openDatabase } from '../../src/store/index.js';
import { startChildService } from '../support/child-service.js';
import { AUTHORIZATION, harnessConfig, TENANT } from '../support/harness.js';
import { waitFor } from '../support/wait-for.js';

describe('a service killed with SIGKILL between acknowledgement and the Salesforce write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'concord-crash-'));
  const sf = createSalesforceEmulator();
  const auth0 = createAuth0Emulator({ tenant: TENANT });
  let servers: { close(): Promise<void> }[] = [];
  let configPath = '';

  before(async () => {
    const sfServer = await sf.listen(0);
    const auth0Server = await auth0.listen(0);
    servers = [sfServer, auth0Server];
    const config = harnessConfig({
      dir,
      sfUrl: sfServer.url,
      auth0Url: auth0Server.url,
      auth0Domain: auth0.domain,
    });
    config.logging.level = 'info';
    configPath = join(dir, 'concord.yaml');
    writeFileSync(configPath, stringify(config));
  });
  after(async () => {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliver = (url: string, record: unknown) =>
    fetch(`${url}/hooks/auth0/${TENANT}/logs`, {
      method: 'POST',
      headers: { authorization: AUTHORIZATION, 'content-type': 'application/json' },
      body: JSON.stringify([record]),
    });
  const leadsOf = (userId: string) => sf.admin.all('Lead').filter((r) => r['Auth0_User_Id__c'] === userId);
  const lastSignup = () => {
    const log = [...auth0.admin.logs()].reverse().find((l) => l.type === 'ss')!;
    return { log_id: log.log_id, data: log };
  };

  test('killed while Salesforce was failing: the restarted service writes the Lead once', async () => {
    sf.admin.faults.inject({
      match: { kind: 'collections.upsert' },
      status: 503,
      errorCode: 'SERVER_UNAVAILABLE',
      message: 'down',
    });
    const user = auth0.admin.signup({ email: 'crash-one@example.com', family_name: 'One' });
    const first = await startChildService(configPath);
    const response = await deliver(first.url, lastSignup());
    assert.equal(response.status, 200, 'acknowledged: the event is committed');
    await waitFor(() => sf.admin.requests().some((r) => r.kind === 'collections.upsert'), 'a write attempt');
    await first.kill();
    sf.admin.faults.clear();
    assert.equal(leadsOf(user.user_id).length, 0);

    const second = await startChildService(configPath);
    await waitFor(() => leadsOf(user.user_id).length === 1, 'the Lead after restart');
    await second.stop();
    assert.equal(leadsOf(user.user_id).length, 1);
  });

  test('killed right after its lookups, with the write slowed down in flight: still exactly one Lead', async () => {
    sf.admin.faults.inject({ match: { kind: 'collections.upsert' }, latencyMs: 1500, times: 1 });
    const user = auth0.admin.signup({ email: 'crash-two@example.com', family_name: 'Two' });
    const queriesBefore = sf.admin.counters().byKind['query'] ?? 0;
    const first = await startChildService(configPath);
    assert.equal((await deliver(first.url, lastSignup())).status, 200);
    // external id (Contact, Lead) and email (Contact, Lead) lookups are answered; the write is next
    await waitFor(() => (sf.admin.counters().byKind['query'] ?? 0) >= queriesBefore + 4, 'the lookups');
    await first.kill();

    const second = await startChildService(configPath);
    await waitFor(() => leadsOf(user.user_id).length === 1, 'the Lead after restart');
    await waitFor(async () => {
      const db = await openDatabase({ driver: 'sqlite', path: join(dir, 'concord.db') });
      try {
        const jobs = await listJobs(db, { pipeline: 'signups', limit: 100 });
        return jobs.length === 2 && jobs.every((j) => j.outcome === 'applied');
      } finally {
        await db.close();
      }
    }, 'both events applied');
    await second.stop();
    assert.equal(leadsOf(user.user_id).length, 1);
  });
});
