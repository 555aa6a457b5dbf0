import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type HarnessPipeline, startEmulators } from './harness.js';

/**
 * Both emulators in the test process and a config file for a Concord that runs as a child process (the
 * crash tests kill it with SIGKILL and start it again on the same SQLite file).
 */
export async function startChildRig(options: { pipelines?: HarnessPipeline[] } = {}) {
  const rig = await startEmulators('concord-child-', options);
  rig.config.logging.level = 'info'; // the child prints where it listens
  const configPath = join(rig.dir, 'concord.yaml');
  writeFileSync(configPath, stringify(rig.config));
  return { dir: rig.dir, sf: rig.sf, auth0: rig.auth0, configPath, close: rig.close };
}
