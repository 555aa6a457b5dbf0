import type { Command } from 'commander';
import { runSandbox } from '../sandbox/run-sandbox.js';
import { onShutdown } from './shared.js';

export function registerSandboxCommand(program: Command) {
  program
    .command('sandbox')
    .description('run Concord with both emulators, SQLite and seeded data (what `npm start` does)')
    .option('--dir <dir>', 'where the sandbox keeps its database and generated config', '.concord/sandbox')
    .option('--port <port>', 'Concord HTTP port', '8080')
    .option('--salesforce-port <port>', 'Salesforce emulator port', '4010')
    .option('--auth0-port <port>', 'Auth0 emulator port', '4011')
    .option('--every <seconds>', 'seconds between simulated signups after the scripted ones (0 = none)', '5')
    .action(
      async (opts: {
        dir: string;
        port: string;
        salesforcePort: string;
        auth0Port: string;
        every: string;
      }) => {
        const sandbox = await runSandbox({
          dir: opts.dir,
          port: Number(opts.port),
          salesforcePort: Number(opts.salesforcePort),
          auth0Port: Number(opts.auth0Port),
          every: Number(opts.every),
        });
        onShutdown(() => sandbox.stop());
      },
    );
}
