import { randomBytes } from 'node:crypto';

export interface SandboxEndpoints {
  salesforceUrl: string;
  auth0Url: string;
  auth0Domain: string;
  databasePath: string;
}

export const SANDBOX_TENANT = 'acme';
export const SANDBOX_ORG = 'sandbox';

/**
 * The sandbox's config, as a plain object and as YAML text (written next to the database so that operator
 * commands — `concord jobs`, `explain`, `quarantine` — can be tried against the running sandbox).
 */
export function sandboxConfig(endpoints: SandboxEndpoints) {
  const authorization = `Bearer ${randomBytes(24).toString('hex')}`;
  const adminToken = randomBytes(24).toString('hex');
  return {
    authorization,
    adminToken,
    config: {
      server: { host: '127.0.0.1', port: 8080, adminToken },
      store: { driver: 'sqlite', path: endpoints.databasePath },
      logging: { level: 'warn' },
      worker: { concurrency: 4, pollIntervalMs: 200, backoff: { initialMs: 500, maxMs: 30_000 } },
      auth0: {
        [SANDBOX_TENANT]: {
          domain: endpoints.auth0Domain,
          baseUrl: endpoints.auth0Url,
          clientId: 'concord-sandbox',
          clientSecret: 'sandbox-secret',
          logStream: { authorization },
        },
      },
      salesforce: {
        [SANDBOX_ORG]: {
          loginUrl: endpoints.salesforceUrl,
          apiVersion: '60.0',
          auth: { flow: 'client_credentials', clientId: 'concord-sandbox', clientSecret: 'sandbox-secret' },
        },
      },
      pipelines: [
        {
          name: 'signups',
          auth0: SANDBOX_TENANT,
          salesforce: SANDBOX_ORG,
          template: 'signup-to-lead',
          params: { object: 'Lead', leadSource: 'Auth0 Signup' },
        },
      ],
    },
  };
}
