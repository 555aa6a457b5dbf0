import type { Command } from 'commander';
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
      onShutdown(() => service.stop());
    });
}
