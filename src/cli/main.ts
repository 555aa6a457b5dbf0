import { Command } from 'commander';
import { registerBackfillCommand } from './backfill-command.js';
import { ConfigError } from '../core/errors.js';
import { registerCheckCommand } from './check-command.js';
import { registerConfigCommands } from './config-commands.js';
import { registerEmulateCommands } from './emulate-commands.js';
import { registerOpsCommands } from './ops-commands.js';
import { registerSandboxCommand } from './sandbox-command.js';
import { registerStartCommand } from './start-command.js';

/**
 * Every command is registered here (so `--help` lists them all), but what only some commands need — the
 * emulators, the sandbox, backfill and replay machinery — each command imports when it runs: `concord start`
 * is a long-lived process and should not keep that code in memory.
 */
const program = new Command()
  .name('concord')
  .description('Keeps Auth0 and Salesforce in agreement.')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

registerStartCommand(program);
registerSandboxCommand(program);
registerConfigCommands(program);
registerCheckCommand(program);
registerEmulateCommands(program);
registerOpsCommands(program);
registerBackfillCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`concord: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`concord: ${(error as Error).message}\n`);
  process.exit(1);
}
