import type { Command } from 'commander';
import { createLogger, createService } from '../server/service.js';
import { preflight } from '../server/preflight.js';
import { CONFIG_OPTION, loadConfig } from './shared.js';

export function registerCheckCommand(program: Command) {
  program
    .command('check')
    .description(
      'check credentials and the Salesforce fields the pipelines need, against the real tenant and org',
    )
    .option(...CONFIG_OPTION)
    .action(async (opts: { config: string }) => {
      const service = await createService({
        loaded: loadConfig(opts.config),
        logger: createLogger('silent'),
      });
      const results = await preflight(service);
      for (const r of results)
        process.stdout.write(`${r.ok ? '✓' : '✗'} ${r.path}: ${r.what} — ${r.detail}\n`);
      const failed = results.filter((r) => !r.ok).length;
      process.stdout.write(failed === 0 ? 'all checks passed\n' : `${failed} check(s) failed\n`);
      if (failed > 0) process.exitCode = 3;
    });
}
