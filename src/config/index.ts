export { configJsonSchema, loadConfigFile, parseConfigObject, parseConfigText } from './load.js';
export type { LoadedConfig, ResolvedPipeline } from './load.js';
export type { Auth0TenantConfig, ConcordConfig, PipelineConfig, SalesforceOrgConfig } from './schema.js';
import type { ConcordConfig } from './schema.js';

/** The port the service listens on: `PORT` from the environment wins over `server.port`. */
export function configuredPort(server: ConcordConfig['server']): number {
  return Number(process.env.PORT ?? server.port);
}
