import { z } from 'zod';
import { TEMPLATES, TEMPLATE_IDS } from '../templates/index.js';

const NAME = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'use lowercase letters, digits, "-" or "_" (it appears in webhook URLs)',
  );

const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'an http(s) URL such as https://example.my.salesforce.com',
});

export const auth0TenantSchema = z
  .object({
    /** The tenant's domain, e.g. `acme.eu.auth0.com` or a custom domain. */
    domain: z.string().min(3),
    /** Overrides `https://{domain}` for the Management API and token endpoint (emulators, proxies). */
    baseUrl: httpUrl.optional(),
    /** Machine-to-machine application authorised for the Management API. */
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    audience: z.string().optional(),
    logStream: z
      .object({
        /** The exact `Authorization` header value configured on the Auth0 log stream. */
        authorization: z
          .string()
          .min(16, 'use a random value of at least 16 characters (e.g. `Bearer <32 random bytes>`)'),
      })
      .strict(),
    /**
     * Reads `/api/v2/logs` in checkpoint mode besides the log stream: backfills gaps and downtime, recovers a
     * silent stream. Shares the stream's dedupe, so records are never handled twice. Needs `read:logs`.
     */
    /** Management API requests Concord may send (Free tenants: 2/s with bursts of 10; Enterprise: 50/s). */
    rateLimit: z
      .object({
        requestsPerSecond: z.number().gt(0).max(1000).default(2),
        burst: z.number().int().min(1).max(1000).default(10),
      })
      .strict()
      .prefault({}),
    /** Auth0 Event Streams (Enterprise, Early Access) webhook destination: the header it sends and its exact value. */
    eventStream: z
      .object({
        header: z.string().default('authorization'),
        value: z.string().min(16, 'use a random value of at least 16 characters'),
      })
      .strict()
      .optional(),
    logPoll: z
      .object({
        enabled: z.boolean().default(true),
        intervalMs: z.number().int().min(1000).default(60_000),
        /** Warn that the stream looks silent when the poller recovers records and the stream sent nothing for this long. */
        silentAfterMs: z
          .number()
          .int()
          .min(1000)
          .default(15 * 60_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const clientCredentials = z
  .object({
    flow: z.literal('client_credentials'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  })
  .strict();
const jwtBearer = z
  .object({
    flow: z.literal('jwt_bearer'),
    clientId: z.string().min(1),
    username: z.string().min(3),
    /** PEM text of the private key, or use `privateKeyPath`. */
    privateKey: z.string().optional(),
    privateKeyPath: z.string().optional(),
    audience: z.string().optional(),
  })
  .strict()
  .refine((v) => Boolean(v.privateKey) !== Boolean(v.privateKeyPath), {
    message: 'give exactly one of privateKey (PEM text) or privateKeyPath (a file)',
  });

export const salesforceOrgSchema = z
  .object({
    /** Token endpoint base: `https://login.salesforce.com`, `https://test.salesforce.com` or your My Domain. */
    loginUrl: httpUrl,
    apiVersion: z
      .string()
      .regex(/^\d{2,3}\.0$/, 'a version such as "60.0"')
      .refine((v) => Number(v) >= 60, 'Concord needs API version 60.0 or later')
      .default('60.0'),
    auth: z.discriminatedUnion('flow', [clientCredentials, jwtBearer]),
    /** Concord's share of the org's daily API allocation (shared by every pipeline and instance using the org). */
    budget: z
      .object({
        share: z.number().gt(0).max(1).default(0.5),
        /** While paused at the limit, how often one `/limits` call checks for room. */
        probeIntervalMs: z
          .number()
          .int()
          .min(1000)
          .default(5 * 60_000),
      })
      .strict()
      .prefault({}),
    /**
     * The outbox batcher: writes of every job in flight for this org leave together, one sObject Collections
     * call per object and operation (≤ 200 records), and lookups of the same shape become one `IN` query.
     */
    batching: z
      .object({
        /** How long the first write of a batch waits for more (latency traded for fewer API calls). */
        lingerMs: z.number().int().min(0).max(10_000).default(250),
        /** The same for lookups; short, because each job waits on its lookups before it can plan. */
        readLingerMs: z.number().int().min(0).max(1_000).default(100),
        /** Records per Collections call; 200 is Salesforce's maximum, 1 turns batching of writes off. */
        maxRecords: z.number().int().min(1).max(200).default(200),
      })
      .strict()
      .prefault({}),
    /**
     * Change events (CDC-shaped, over a streaming HTTP endpoint) as an early trigger for the pollers. Off by
     * default: SOQL polling works against every org and stays the source of the records either way.
     */
    changeFeed: z
      .object({
        enabled: z.boolean().default(false),
        /** Path of the stream on the instance URL (default: the Concord Salesforce emulator's). */
        streamPath: z.string().startsWith('/').optional(),
      })
      .strict()
      .prefault({}),
    /** SOQL polling on SystemModstamp for the objects Salesforce → Auth0 pipelines watch. */
    poll: z
      .object({
        intervalMs: z.number().int().min(1000).default(30_000),
        /** Each poll re-reads this far back (late commits carry earlier stamps); repeats are deduplicated. */
        overlapMs: z.number().int().min(0).default(60_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const pipelineSchema = z
  .object({
    name: NAME,
    auth0: NAME.describe('a tenant name from `auth0:`'),
    salesforce: NAME.describe('an org name from `salesforce:`'),
    template: z.enum(TEMPLATE_IDS as [string, ...string[]], {
      error: `one of: ${TEMPLATE_IDS.join(', ')}`,
    }),
    /** `dry-run` records and shows intents but writes nothing. */
    mode: z.enum(['live', 'dry-run']).default('live'),
    enabled: z.boolean().default(true),
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Larger webhook bodies are refused with 413. */
        maxBodyBytes: z
          .number()
          .int()
          .min(1024)
          .default(5 * 1024 * 1024),
        /** Bearer token for the admin API (`/admin/...`); the admin API is off without it. */
        adminToken: z.string().min(16).optional(),
      })
      .strict()
      .prefault({}),
    store: z
      .discriminatedUnion('driver', [
        z.object({ driver: z.literal('sqlite'), path: z.string().default('concord.db') }).strict(),
        z
          .object({
            driver: z.literal('postgres'),
            url: z.string().min(1),
            poolSize: z.number().int().min(1).max(100).default(10),
          })
          .strict(),
      ])
      .default({ driver: 'sqlite', path: 'concord.db' }),
    /**
     * How long the store keeps what it no longer needs. An inbox row (the raw record as received, personal data
     * included) goes with its jobs and intents once every job of the row is done; audit entries go by age.
     * `null` keeps them forever.
     */
    retention: z
      .object({
        days: z
          .number()
          .int()
          .min(
            31,
            'keep rows at least 31 days: Auth0 keeps logs for 30 days at most, so no record older than that can be delivered again and go unrecognised',
          )
          .nullable()
          .default(90),
        auditDays: z.number().int().min(31, 'keep the audit trail at least 31 days').nullable().default(400),
        /** How often the service prunes (it also does at start). */
        intervalMinutes: z.number().int().min(1).max(1440).default(60),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .strict()
      .prefault({}),
    worker: z
      .object({
        /**
         * Jobs in flight at once per instance. Many in flight is what lets their Salesforce calls share
         * batches; each job still runs its event's steps in order, and one subject's jobs never overlap.
         */
        concurrency: z.number().int().min(1).max(5000).default(1000),
        /** Attempts before a retryable failure is dead-lettered. */
        maxAttempts: z.number().int().min(1).max(100).default(12),
        backoff: z
          .object({
            initialMs: z.number().int().min(1).default(1000),
            maxMs: z
              .number()
              .int()
              .min(1)
              .default(10 * 60_000),
          })
          .strict()
          .prefault({}),
        /**
         * How long a claimed job stays claimed without word from its worker, which extends the leases of its
         * running jobs every third of this; then another worker or instance may take the job over.
         */
        leaseMs: z.number().int().min(1000).default(120_000),
        /** How often idle workers look for new work (new webhooks wake them at once). */
        pollIntervalMs: z.number().int().min(10).default(500),
      })
      .strict()
      .prefault({}),
    auth0: z.record(NAME, auth0TenantSchema).default({}),
    salesforce: z.record(NAME, salesforceOrgSchema).default({}),
    pipelines: z.array(pipelineSchema).default([]),
  })
  .strict()
  .strict();

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Checks between sections (pipelines → tenants, orgs, template parameters). Runs on the raw document even
 * when other parts are invalid, so one run of `config validate` reports every problem.
 */
export function crossCheck(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const doc = (raw ?? {}) as Record<string, unknown>;
  const keys = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  const tenants = keys(doc['auth0']);
  const orgs = keys(doc['salesforce']);
  const pipelines = Array.isArray(doc['pipelines']) ? doc['pipelines'] : [];
  const seen = new Set<string>();
  pipelines.forEach((item: unknown, index) => {
    if (!item || typeof item !== 'object') return;
    const p = item as Record<string, unknown>;
    if (typeof p['name'] === 'string') {
      if (seen.has(p['name']))
        issues.push({
          path: ['pipelines', index, 'name'],
          message: `duplicate pipeline name "${p['name']}"`,
        });
      seen.add(p['name']);
    }
    if (typeof p['auth0'] === 'string' && !tenants.includes(p['auth0'])) {
      issues.push({
        path: ['pipelines', index, 'auth0'],
        message: `no Auth0 tenant "${p['auth0']}" under \`auth0:\` (known: ${tenants.join(', ') || 'none'})`,
      });
    }
    if (typeof p['salesforce'] === 'string' && !orgs.includes(p['salesforce'])) {
      issues.push({
        path: ['pipelines', index, 'salesforce'],
        message: `no Salesforce org "${p['salesforce']}" under \`salesforce:\` (known: ${orgs.join(', ') || 'none'})`,
      });
    }
    const template = typeof p['template'] === 'string' ? TEMPLATES[p['template']] : undefined;
    if (!template) return;
    const parsed = template.params.safeParse(p['params'] ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        issues.push({
          path: [
            'pipelines',
            index,
            'params',
            ...issue.path.map((k) => (typeof k === 'number' ? k : String(k))),
          ],
          message: issue.message,
        });
      }
    }
  });
  return issues;
}

export type ConcordConfig = z.infer<typeof configSchema>;
export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type Auth0TenantConfig = z.infer<typeof auth0TenantSchema>;
export type SalesforceOrgConfig = z.infer<typeof salesforceOrgSchema>;
