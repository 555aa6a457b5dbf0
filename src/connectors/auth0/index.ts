export { type Auth0Connector, type Auth0ConnectorOptions, createAuth0Connector } from './connector.js';
export { missingScopes, retryAfterMs } from './errors.js';
export type { Auth0Logger, RateLimitSnapshot } from './management-client.js';
export {
  type Auth0LogRecord,
  auth0LogRecordSchema,
  auth0UserSchema,
  type LogStreamWrapper,
  logStreamWrapperSchema,
} from './schemas.js';
export {
  type Auth0UserSourceOptions,
  createAuth0UserSource,
  DEFAULT_EXPORT_FIELDS,
} from './users-export.js';
