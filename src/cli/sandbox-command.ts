import type { Command } from 'commander';
import { onShutdown } from './shared.js';

export function registerSandboxCommand(program: Command) {
  program
    .command('sandbox')
    .description('run Concord with both emulators, SQLite and seeded data (what `npm start` does)')
    .option('--dir <dir>', 'where the sandbox keeps its database and generated config', '.concord/sandbox')
    .option('--port <port>', 'Concord HTTP port', '8080')
    .option('--emulator-port <port>', 'first of four emulator ports', '4010')
    .option('--rate <perSecond>', 'simulated Auth0 activities per second (0 = none)', '1')
    .option(
      '--every <seconds>',
      "seconds between a simulated salesperson's actions in Salesforce (0 = none)",
      '15',
    )
    .option('--seed <n>', 'seed of the activity simulator', '42')
    .action(
      async (opts: {
        dir: string;
        port: string;
        emulatorPort: string;
        rate: string;
        every: string;
        seed: string;
      }) => {
        // Loaded on use: the emulators and seeding are not part of `concord start` (see main.ts).
        const { runSandbox } = await import('../sandbox/run-sandbox.js');
        const sandbox = await runSandbox({
          dir: opts.dir,
          port: Number(opts.port),
          emulatorPort: Number(opts.emulatorPort),
          rate: Number(opts.rate),
          every: Number(opts.every),
          seed: Number(opts.seed),
        });
        onShutdown(() => sandbox.stop());
      },
    );
}
