import type { Command } from 'commander';
import { preflight } from '../server/preflight.js';
import { createService } from '../server/service.js';
import { CONFIG_OPTION, loadConfig, onShutdown } from './shared.js';

export function registerStartCommand(program: Command) {
  program
    .command('start')
    .description('run Concord against the tenants and orgs in the config')
    .option(...CONFIG_OPTION)
    .option('-p, --port <port>', 'HTTP port (overrides server.port and PORT)')
    .action(async (opts: { config: string; port?: string }) => {
      const service = await createService({ loaded: loadConfig(opts.config) });
      await service.start({ port: opts.port ? Number(opts.port) : undefined });
      // Problems a first event would hit, reported now (the service runs anyway: events wait or dead-letter
      // with the same reason, and can be replayed once fixed).
      for (const r of await preflight(service)) {
        if (r.ok) service.logger.info({ check: r.path }, `${r.what}: ${r.detail}`);
        else
          service.logger.error(
            { check: r.path },
            `${r.what}: ${r.detail} — fix the config or the org, then \`concord check\``,
          );
      }
      onShutdown(() => service.stop());
    });
}
