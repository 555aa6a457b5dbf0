import type { Command } from 'commander';
import { configJsonSchema } from '../config/index.js';
import { CONFIG_OPTION, loadConfig } from './shared.js';

export function registerConfigCommands(program: Command) {
  const config = program.command('config').description('check the config file or print its JSON Schema');
  config
    .command('validate')
    .description('validate a config file; names each bad path and what to do')
    .option(...CONFIG_OPTION)
    .action((opts: { config: string }) => {
      const { config: parsed, pipelines } = loadConfig(opts.config);
      process.stdout.write(
        `${opts.config} is valid: ${Object.keys(parsed.auth0).length} Auth0 tenant(s), ` +
          `${Object.keys(parsed.salesforce).length} Salesforce org(s), ${pipelines.length} pipeline(s)\n`,
      );
      for (const p of pipelines) {
        process.stdout.write(
          `  ${p.name}: ${p.template} (${p.tenant} → ${p.org}, ${p.mode}${p.enabled ? '' : ', disabled'})\n`,
        );
      }
    });
  config
    .command('schema')
    .description('print the JSON Schema of the config file (for editor completion)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
}
