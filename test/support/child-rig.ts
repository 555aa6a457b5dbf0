import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createAuth0Emulator } from '../../src/emulators/auth0/index.js';
import { createSalesforceEmulator } from '../../src/emulators/salesforce/index.js';
import { type HarnessPipeline, harnessConfig, TENANT } from './harness.js';

/**
 * Both emulators in the test process and a config file for a Concord that runs as a child process (the
 * crash tests kill it with SIGKILL and start it again on the same SQLite file).
 */
export async function startChildRig(options: { pipelines?: HarnessPipeline[] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'concord-child-'));
  const sf = createSalesforceEmulator();
  const auth0 = createAuth0Emulator({ tenant: TENANT });
  const sfServer = await sf.listen(0);
  const auth0Server = await auth0.listen(0);
  const config = harnessConfig({
    dir,
    sfUrl: sfServer.url,
    auth0Url: auth0Server.url,
    auth0Domain: auth0.domain,
    ...options,
  });
  config.logging.level = 'info'; // the child prints where it listens
  const configPath = join(dir, 'concord.yaml');
  writeFileSync(configPath, stringify(config));
  return {
    dir,
    sf,
    auth0,
    configPath,
    async close() {
      await sfServer.close();
      await auth0Server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
