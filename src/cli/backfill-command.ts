import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { Auth0TenantConfig, SalesforceOrgConfig } from '../config/index.js';
import { createAuth0UserSource } from '../connectors/auth0/index.js';
import { salesforceAuthFromConfig } from '../server/salesforce-auth.js';
import { createSalesforceConnector } from '../connectors/salesforce/index.js';
import { ConfigError, toConcordError } from '../core/errors.js';
import { maskText } from '../core/mask.js';
import { createAuth0RateGovernor } from '../pipeline/auth0-rate-governor.js';
import { createSalesforceBudget, governSalesforce } from '../pipeline/salesforce-governor.js';
import type { SignupToLeadParams } from '../templates/signup-to-lead/params.js';
import { CONFIG_OPTION, withStore } from './shared.js';

interface BackfillFlags {
  config: string;
  pipeline: string;
  chunkSize: string;
  restart?: boolean;
  source: 'auto' | 'export' | 'list';
  pollMs: string;
}

/** Salesforce error texts may quote a value: mask email addresses in them (ids stay readable). */
const maskEmails = (text: string) => (text.includes('@') ? maskText(text) : text);

/** Runs `call`, waiting out and retrying what the budget or the vendor says is transient. */
const patiently =
  (before: () => Promise<void>, failed: (error: unknown) => void) =>
  async <T>(call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await before();
        return await call();
      } catch (error) {
        failed(error);
        const e = toConcordError(error);
        if (!e.retryable || attempt >= 6) throw e;
        await new Promise((r) => setTimeout(r, e.retryAfterMs ?? 1000 * attempt));
      }
    }
  };

function salesforceFor(org: SalesforceOrgConfig) {
  return createSalesforceConnector({
    loginUrl: org.loginUrl,
    apiVersion: org.apiVersion,
    auth: salesforceAuthFromConfig(org),
  });
}

export function registerBackfillCommand(program: Command) {
  program
    .command('backfill')
    .description('load every existing Auth0 user of a signup-to-lead pipeline into Salesforce (Bulk API 2.0)')
    .option(...CONFIG_OPTION)
    .requiredOption('-p, --pipeline <name>', 'the pipeline to backfill')
    .option('--chunk-size <n>', 'users per Bulk job', '10000')
    .option('--restart', 'forget an interrupted run and start over')
    .option('--source <kind>', 'auto (export job, else paged listing), export or list', 'auto')
    .option('--poll-ms <ms>', 'first wait between job status reads', '200')
    .action((flags: BackfillFlags) =>
      withStore(flags.config, async (db, loaded) => {
        // Loaded on use, like every command's own machinery that `concord start` does not need (see main.ts).
        const { createBulkIngest } = await import('../connectors/salesforce/bulk-ingest.js');
        const { createBackfillState, progressLine, runBackfill, signupRowMapper, summaryLines } =
          await import('../pipeline/backfill/index.js');
        const pipeline = loaded.pipelines.find((p) => p.name === flags.pipeline);
        if (!pipeline) throw new ConfigError(`no pipeline named "${flags.pipeline}" in ${flags.config}`);
        if (pipeline.template !== 'signup-to-lead')
          throw new ConfigError(
            `backfill supports signup-to-lead pipelines; "${pipeline.name}" is ${pipeline.template}`,
          );
        if (pipeline.mode === 'dry-run') {
          throw new ConfigError(
            `pipeline "${pipeline.name}" is in dry-run mode, and a backfill writes; set its mode to live first`,
          );
        }
        const params = pipeline.params as SignupToLeadParams;
        const tenant: Auth0TenantConfig = loaded.config.auth0[pipeline.tenant]!;
        const org: SalesforceOrgConfig = loaded.config.salesforce[pipeline.org]!;
        const chunkSize = Number(flags.chunkSize);
        if (!Number.isInteger(chunkSize) || chunkSize < 1)
          throw new ConfigError('--chunk-size must be a positive integer');
        const stderr = (line: string) => process.stderr.write(`${line}\n`);

        const connector = salesforceFor(org);
        const budget = createSalesforceBudget({
          org: pipeline.org,
          ...org.budget,
          now: Date.now,
          probe: async () => {
            const { dailyApiRequests: d } = await connector.limits();
            return { used: d.max - d.remaining, limit: d.max };
          },
          onProbeFailed: (error) =>
            stderr(
              `GET /limits failed (${(error as Error).message}); going by Sforce-Limit-Info on responses`,
            ),
        });
        const salesforce = governSalesforce(connector, budget);
        const bulk = createBulkIngest({
          request: connector.rawRequest,
          guard: async (call) => {
            await budget.acquire();
            try {
              return await call();
            } catch (error) {
              budget.failed(error);
              throw error;
            } finally {
              budget.observe(connector.apiUsage());
            }
          },
          pollIntervalMs: Number(flags.pollMs),
        });
        const rate = createAuth0RateGovernor({ tenant: pipeline.tenant, ...tenant.rateLimit, now: Date.now });
        const source = createAuth0UserSource({
          domain: tenant.domain,
          baseUrl: tenant.baseUrl,
          clientId: tenant.clientId,
          clientSecret: tenant.clientSecret,
          audience: tenant.audience,
          mode: flags.source,
          pollIntervalMs: Number(flags.pollMs),
          guard: patiently(rate.acquire, rate.failed),
          onFallback: (reason) => stderr(`note: ${reason}`),
        });

        const described = await salesforce.describe(params.object);
        const createable = new Set(described.fields.filter((f) => f.createable).map((f) => f.name));
        if (!described.fields.some((f) => f.name === params.externalIdField && f.externalId)) {
          throw new ConfigError(
            `${params.object}.${params.externalIdField} is not an external-id field in org "${pipeline.org}"`,
          );
        }

        const tty = process.stderr.isTTY === true;
        let lastDraw = 0;
        const startedAt = Date.now();
        const summary = await runBackfill({
          object: params.object,
          externalIdField: params.externalIdField,
          toRow: signupRowMapper(params, createable),
          source,
          bulk,
          state: createBackfillState({
            db,
            pipeline: pipeline.name,
            tenant: pipeline.tenant,
            org: pipeline.org,
            object: params.object,
            now: Date.now,
          }),
          chunkSize,
          restart: flags.restart === true,
          now: Date.now,
          newRunId: randomUUID,
          onProgress: (totals) => {
            if (!tty) return stderr(progressLine(totals));
            if (Date.now() - lastDraw < 100) return;
            lastDraw = Date.now();
            process.stderr.write(`\r\x1b[2K${progressLine(totals, { bar: true })}`);
          },
          onFailure: (f) =>
            stderr(`${tty ? '\r\x1b[2K' : ''}row failed: ${f.externalId} ${f.code}: ${maskEmails(f.error)}`),
          onNotice: (message) => stderr(`note: ${message}`),
        });
        if (tty) process.stderr.write(`\r\x1b[2K${progressLine(summary.totals, { bar: true })}\n`);
        if (summary.resumed) process.stdout.write(`resumed run ${summary.runId}\n`);
        for (const line of summaryLines(summary.totals, (Date.now() - startedAt) / 1000))
          process.stdout.write(`${line}\n`);
        if (summary.totals.failed > 0) process.exitCode = 3;
      }),
    );
}
