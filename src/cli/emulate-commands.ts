import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { z } from 'zod';
import { onShutdown } from './shared.js';

const salesforceSeedSchema = z
  .object({ records: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).default({}) })
  .strict();
const auth0SeedSchema = z
  .object({
    users: z.array(z.object({ email: z.string() }).passthrough()).default([]),
    roles: z.array(z.object({ name: z.string(), description: z.string().optional() })).default([]),
  })
  .strict();

function readSeed<T>(path: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (!path) return undefined;
  const parsed = schema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export function registerEmulateCommands(program: Command) {
  const emulate = program.command('emulate').description('run one vendor emulator alone');
  emulate
    .command('salesforce')
    .description(
      'a Salesforce org emulator (OAuth, REST, SOQL, Collections) with an admin API at /__emulator',
    )
    .option('--port <port>', 'port', '4010')
    .option('--host <host>', 'interface', '127.0.0.1')
    .option('--seed <file>', 'YAML/JSON: { records: { Contact: [ {...} ], Lead: [...] } }')
    .option('--query-batch-size <n>', 'records per query page (to exercise paging)')
    .action(async (opts: { port: string; host: string; seed?: string; queryBatchSize?: string }) => {
      const seed = readSeed(opts.seed, salesforceSeedSchema);
      const { createSalesforceEmulator } = await import('../emulators/salesforce/index.js');
      const emulator = createSalesforceEmulator({
        queryBatchSize: opts.queryBatchSize ? Number(opts.queryBatchSize) : undefined,
      });
      for (const [object, records] of Object.entries(seed?.records ?? {}))
        emulator.admin.seed(object, records);
      const server = await emulator.listen(Number(opts.port), opts.host);
      process.stdout.write(
        `Salesforce emulator listening on ${server.url} (client id concord-sandbox, secret sandbox-secret)\n`,
      );
      onShutdown(() => server.close());
    });
  emulate
    .command('auth0')
    .description(
      'an Auth0 tenant emulator (token, Management API, logs, log streams) with an admin API at /__emulator',
    )
    .option('--port <port>', 'port', '4011')
    .option('--host <host>', 'interface', '127.0.0.1')
    .option('--tenant <name>', 'tenant name', 'acme')
    .option('--seed <file>', 'YAML/JSON: { users: [ { email, ... } ], roles: [ { name } ] }')
    .option('--log-stream <url>', 'deliver log records to this webhook (custom-webhook log stream)')
    .option(
      '--log-stream-authorization <value>',
      'the Authorization header value the log stream sends verbatim',
    )
    .option('--log-stream-format <format>', 'JSONARRAY, JSONLINES or JSONOBJECT', 'JSONARRAY')
    .option('--event-stream <url>', 'deliver user.* CloudEvents to this webhook')
    .option('--event-stream-token <token>', 'bearer token the event stream sends')
    .option('--simulate-rate <perSecond>', 'run the activity simulator at this many activities per second')
    .option('--simulate-seed <seed>', 'seed of the activity simulator (same seed, same activity)', '1')
    .action(
      async (opts: {
        port: string;
        host: string;
        tenant: string;
        seed?: string;
        logStream?: string;
        logStreamAuthorization?: string;
        logStreamFormat: string;
        eventStream?: string;
        eventStreamToken?: string;
        simulateRate?: string;
        simulateSeed: string;
      }) => {
        const seed = readSeed(opts.seed, auth0SeedSchema);
        const format = opts.logStreamFormat.toUpperCase();
        if (!['JSONARRAY', 'JSONLINES', 'JSONOBJECT'].includes(format)) {
          throw new Error('--log-stream-format is JSONARRAY, JSONLINES or JSONOBJECT');
        }
        const { createAuth0Emulator } = await import('../emulators/auth0/index.js');
        const emulator = createAuth0Emulator({ tenant: opts.tenant });
        for (const role of seed?.roles ?? []) emulator.admin.createRole(role.name, role.description);
        for (const user of seed?.users ?? []) emulator.admin.seedUser(user);
        if (opts.logStream) {
          emulator.admin.addLogStream({
            url: opts.logStream,
            format: format as 'JSONARRAY',
            ...(opts.logStreamAuthorization ? { authorization: opts.logStreamAuthorization } : {}),
          });
        }
        if (opts.eventStream) {
          emulator.admin.addEventStream({
            url: opts.eventStream,
            ...(opts.eventStreamToken ? { auth: { method: 'bearer', token: opts.eventStreamToken } } : {}),
          });
        }
        const server = await emulator.listen(Number(opts.port), opts.host);
        process.stdout.write(
          `Auth0 emulator for ${emulator.domain} listening on ${server.url} (client id concord-sandbox, secret sandbox-secret)\n`,
        );
        const simulation = opts.simulateRate
          ? emulator.admin.simulate({ seed: opts.simulateSeed, ratePerSecond: Number(opts.simulateRate) })
          : undefined;
        if (simulation)
          process.stdout.write(`simulating ${opts.simulateRate} activities/s (seed ${opts.simulateSeed})\n`);
        onShutdown(async () => {
          simulation?.stop();
          await server.close();
        });
      },
    );
}
