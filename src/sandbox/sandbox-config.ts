import { randomBytes } from 'node:crypto';

/** One Auth0 tenant or Salesforce org of the sandbox, as its emulator runs it. */
export interface SandboxTenant {
  name: string;
  domain: string;
  url: string;
}
export interface SandboxOrg {
  name: string;
  url: string;
}

export const ROLES = ['enterprise-admin', 'enterprise-user', 'pro-user', 'analytics', 'sso'] as const;

/**
 * The sandbox's config: two Auth0 tenants (production and development) and two Salesforce orgs (production and
 * a UAT sandbox), with all seven templates on the production pair and two on the development pair. Written
 * as YAML next to the database so operator commands can be tried against the running sandbox.
 */
export function sandboxConfig(input: {
  prod: SandboxTenant;
  dev: SandboxTenant;
  production: SandboxOrg;
  uat: SandboxOrg;
  databasePath: string;
}) {
  const secret = () => `Bearer ${randomBytes(24).toString('hex')}`;
  const authorizations = { [input.prod.name]: secret(), [input.dev.name]: secret() };
  const adminToken = randomBytes(24).toString('hex');
  const tenant = (t: SandboxTenant) => ({
    domain: t.domain,
    baseUrl: t.url,
    clientId: 'concord-sandbox',
    clientSecret: 'sandbox-secret',
    logStream: { authorization: authorizations[t.name]! },
    logPoll: { enabled: true, intervalMs: 30_000 },
    rateLimit: { requestsPerSecond: 50, burst: 50 },
  });
  const org = (o: SandboxOrg) => ({
    loginUrl: o.url,
    apiVersion: '60.0',
    auth: { flow: 'client_credentials', clientId: 'concord-sandbox', clientSecret: 'sandbox-secret' },
    poll: { intervalMs: 2000, overlapMs: 10_000 },
    budget: { share: 0.8, probeIntervalMs: 60_000 },
  });
  const prod = { auth0: input.prod.name, salesforce: input.production.name };
  const dev = { auth0: input.dev.name, salesforce: input.uat.name };
  return {
    authorizations,
    adminToken,
    config: {
      server: { host: '127.0.0.1', port: 8080, adminToken },
      store: { driver: 'sqlite', path: input.databasePath },
      logging: { level: 'warn' },
      worker: { concurrency: 4, pollIntervalMs: 200, backoff: { initialMs: 500, maxMs: 30_000 } },
      auth0: { [input.prod.name]: tenant(input.prod), [input.dev.name]: tenant(input.dev) },
      salesforce: { [input.production.name]: org(input.production), [input.uat.name]: org(input.uat) },
      pipelines: [
        { name: 'signups', ...prod, template: 'signup-to-lead', params: { object: 'Lead' } },
        { name: 'profiles', ...prod, template: 'profile-to-contact', params: {} },
        { name: 'activity', ...prod, template: 'auth-events-to-activity', params: {} },
        { name: 'tiers', ...prod, template: 'roles-to-account-tier', params: {} },
        { name: 'churn', ...prod, template: 'deactivation-to-churn', params: {} },
        {
          name: 'provisioning',
          ...prod,
          template: 'closed-won-to-auth0-user',
          params: { productTiers: [{ match: { family: 'Pro' }, roles: ['pro-user'] }] },
        },
        {
          name: 'entitlements',
          ...prod,
          template: 'entitlements-to-roles',
          params: {
            roleMap: {
              contractTier: { Gold: ['enterprise-user'] },
              featureFlags: { analytics: ['analytics'], sso: ['sso'] },
            },
          },
        },
        { name: 'uat-signups', ...dev, template: 'signup-to-lead', params: { object: 'Contact' } },
        { name: 'uat-activity', ...dev, template: 'auth-events-to-activity', mode: 'dry-run', params: {} },
      ],
    },
  };
}
