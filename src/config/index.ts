export { configJsonSchema, loadConfigFile, parseConfigObject, parseConfigText } from './load.js';
export type { LoadedConfig, ResolvedPipeline } from './load.js';
export type { Auth0TenantConfig, ConcordConfig, PipelineConfig, SalesforceOrgConfig } from './schema.js';
