import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { listAudit, listJobs } from '../../src/store/index.js';
import { type Harness, startHarness } from '../support/harness.js';
import { isSalesforceWrite } from '../support/emulator-counts.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

describe('concord replay --dry-run', () => {
  let h: Harness;
  let configPath: string;
  before(async () => {
    h = await startHarness();
    configPath = join(h.dir, 'concord.yaml');
    writeFileSync(configPath, stringify(h.config));
  });
  after(async () => h?.close());

  test('plans a stored event again on current state and writes nothing', async () => {
    const user = h.auth0.admin.signup({ email: 'replay@example.com', given_name: 'Re', family_name: 'Play' });
    await h.post(JSON.stringify([h.lastLog('ss')]));
    await h.settled();
    const [job] = await listJobs(h.service.db, { pipeline: 'signups' });
    assert.equal(job?.outcome, 'applied');

    const inSync = await run(
      process.execPath,
      ['bin/concord.mjs', 'replay', String(job!.id), '--dry-run', '--config', configPath],
      { cwd: root },
    );
    assert.match(inSync.stdout, /dry run of job #\d+ \(signups\): in_sync/);
    assert.match(inSync.stdout, /nothing would be written/);

    h.auth0.admin.updateUser(user.user_id, { family_name: 'Playback' });
    const writesBefore = h.sf.admin.requests().filter(isSalesforceWrite).length;
    const changed = await run(
      process.execPath,
      ['bin/concord.mjs', 'replay', String(job!.id), '--dry-run', '--config', configPath],
      { cwd: root },
    );
    assert.match(changed.stdout, /: write — /);
    assert.match(changed.stdout, /would update Lead \w+ \(LastName\)/);
    assert.equal(h.sf.admin.requests().filter(isSalesforceWrite).length, writesBefore, 'nothing written');
    const lead = h.sf.admin.all('Lead').find((r) => r['Auth0_User_Id__c'] === user.user_id);
    assert.equal(lead?.['LastName'], 'Play');
    const audit = await listAudit(h.service.db, { jobId: job!.id });
    assert.equal(audit.filter((a) => a.action === 'replay.dry_run').length, 2);
    assert.equal(
      (await listJobs(h.service.db, { pipeline: 'signups' }))[0]?.outcome,
      'applied',
      'the job itself is untouched',
    );
  });
});
