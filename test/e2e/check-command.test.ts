import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { type Harness, startHarness } from '../support/harness.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

async function check(configPath: string) {
  try {
    const { stdout } = await run(process.execPath, ['bin/concord.mjs', 'check', '--config', configPath], {
      cwd: root,
    });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout };
  }
}

describe('concord check', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => h?.close());

  test('passes against a working tenant and org', async () => {
    const path = join(h.dir, 'good.yaml');
    writeFileSync(path, stringify(h.config));
    const result = await check(path);
    assert.equal(result.code, 0, result.stdout);
    assert.match(result.stdout, /✓ auth0\.acme: Management API token/);
    assert.match(result.stdout, /✓ salesforce\.crm: token and API access/);
    assert.match(
      result.stdout,
      /✓ pipelines\[0\]\.params\.externalIdField: Lead\.Auth0_User_Id__c \(signups\) — External ID, Unique/,
    );
    assert.match(result.stdout, /all checks passed/);
  });

  test('names the config path of each problem: wrong secret, missing field', async () => {
    const broken = structuredClone(h.config);
    broken.auth0.acme!.clientSecret = 'wrong-secret';
    broken.pipelines[0]!.params = { externalIdField: 'Missing_Field__c' };
    const path = join(h.dir, 'bad.yaml');
    writeFileSync(path, stringify(broken));
    const result = await check(path);
    assert.equal(result.code, 3);
    assert.match(result.stdout, /✗ auth0\.acme: .*auth/);
    assert.match(
      result.stdout,
      /✗ pipelines\[0\]\.params\.externalIdField: Lead\.Missing_Field__c .*not visible to the integration user/,
    );
    assert.match(result.stdout, /2 check\(s\) failed/);
  });
});
