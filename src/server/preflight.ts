import { toConcordError } from '../core/errors.js';
import type { ConcordService } from './service.js';

export interface PreflightResult {
  ok: boolean;
  /** The config path the check is about. */
  path: string;
  what: string;
  detail: string;
}

/**
 * Checks what a first event would otherwise find out the hard way: the credentials of every tenant and org, and
 * the Salesforce fields the pipelines write (`describe` hides fields the integration user may not see). Reads
 * only; a few API calls per tenant and org.
 */
export async function preflight(service: ConcordService): Promise<PreflightResult[]> {
  const results: PreflightResult[] = [];
  const check = async (path: string, what: string, run: () => Promise<string>) => {
    try {
      results.push({ ok: true, path, what, detail: await run() });
    } catch (error) {
      const e = toConcordError(error);
      results.push({
        ok: false,
        path,
        what,
        detail: `${e.code}${e.vendorCode ? ` (${e.vendorCode})` : ''}: ${e.message}`,
      });
    }
  };
  const tenants = new Map(service.pipelines.map((p) => [p.tenant, p.auth0]));
  for (const [tenant, auth0] of tenants) {
    await check(`auth0.${tenant}`, 'Management API token and read:users', async () => {
      await auth0.getUsersByEmail('concord-preflight@invalid.example');
      return `client ${auth0.clientId} can read users`;
    });
  }
  const orgs = new Map(service.pipelines.map((p) => [p.org, p.salesforce]));
  for (const [org, salesforce] of orgs) {
    await check(`salesforce.${org}`, 'token and API access', async () => {
      await salesforce.describe('Contact');
      const usage = salesforce.apiUsage();
      return usage ? `API usage ${usage.used} of ${usage.limit} today` : 'connected';
    });
  }
  for (const [index, pipeline] of service.pipelines.entries()) {
    const params = pipeline.params as { externalIdField?: unknown; object?: unknown };
    const field = typeof params.externalIdField === 'string' ? params.externalIdField : undefined;
    if (!field) continue;
    const objects = typeof params.object === 'string' ? [params.object] : ['Contact'];
    for (const object of objects) {
      await check(
        `pipelines[${index}].params.externalIdField`,
        `${object}.${field} (${pipeline.name})`,
        async () => {
          const described = await pipeline.salesforce.describe(object);
          const found = described.fields.find((f) => f.name === field);
          if (!found) {
            throw new Error(
              `not visible to the integration user: create it as Text(255), External ID, Unique and grant field-level access (docs/setup-salesforce.md)`,
            );
          }
          if (!found.externalId)
            throw new Error('exists but is not marked External ID: upserts on it will fail');
          return found.unique ? 'External ID, Unique' : 'External ID (not Unique: duplicates are possible)';
        },
      );
    }
  }
  return results;
}
