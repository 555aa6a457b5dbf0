import { z } from 'zod';

/** Wire schemas for the Auth0 responses Concord depends on. Tolerant: unknown fields pass through. */

export const auth0IdentitySchema = z.looseObject({
  connection: z.string(),
  user_id: z.union([z.string(), z.number()]).transform(String),
  provider: z.string(),
  isSocial: z.boolean(),
});

export const auth0UserSchema = z.looseObject({
  user_id: z.string(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  phone_number: z.string().optional(),
  name: z.string().optional(),
  nickname: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  picture: z.string().optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
  last_login: z.string().optional(),
  logins_count: z.number().optional(),
  blocked: z.boolean().optional(),
  identities: z.array(auth0IdentitySchema).optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});

export const auth0UserListSchema = z.array(auth0UserSchema);

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
  scope: z.string().optional(),
});

/** Management API error bodies (`{statusCode, error, message, errorCode}`) and OAuth ones (`{error, error_description}`). */
export const auth0ErrorBodySchema = z.looseObject({
  statusCode: z.number().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
  errorCode: z.string().optional(),
  error_description: z.string().optional(),
});
export type Auth0ErrorBody = z.infer<typeof auth0ErrorBodySchema>;

/**
 * A tenant log record (`/api/v2/logs`, log streams). Only `log_id`, `type` and `date` are required;
 * any other field may be absent or `""`, `scope` may be a string or an array, and new types keep appearing.
 */
export const auth0LogRecordSchema = z.looseObject({
  log_id: z.string().min(1),
  type: z.string().min(1),
  date: z.string().min(1),
  _id: z.string().optional(),
  description: z.string().nullish(),
  tenant_name: z.string().optional(),
  client_id: z.string().nullish(),
  client_name: z.string().nullish(),
  ip: z.string().nullish(),
  user_agent: z.string().nullish(),
  hostname: z.string().nullish(),
  user_id: z.string().nullish(),
  user_name: z.string().nullish(),
  connection: z.string().nullish(),
  connection_id: z.string().nullish(),
  strategy: z.string().nullish(),
  strategy_type: z.string().nullish(),
  audience: z.string().nullish(),
  scope: z.union([z.string(), z.array(z.string())]).nullish(),
  isMobile: z.boolean().optional(),
  details: z.record(z.string(), z.unknown()).nullish(),
});
export type Auth0LogRecord = z.infer<typeof auth0LogRecordSchema>;

/** One record as a log stream delivers it. */
export const logStreamWrapperSchema = z.looseObject({
  log_id: z.string().min(1),
  data: auth0LogRecordSchema,
});
export type LogStreamWrapper = z.infer<typeof logStreamWrapperSchema>;
