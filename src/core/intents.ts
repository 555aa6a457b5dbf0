import { z } from 'zod';

/**
 * Intents are what a flow wants done, as data. Flows return them; the outbox turns them into API calls.
 * This is what makes dry runs, replay, explanations and loop guards possible.
 */

/** What to remember about an identity once a write succeeds. */
export const linkEffectSchema = z.object({
  tenant: z.string(),
  /** May be `@{ref}` of an `auth0.create_user` intent. */
  auth0UserId: z.string(),
  org: z.string(),
  object: z.string(),
  /** Defaults to the id the intent's write returned (Salesforce intents). */
  recordId: z.string().optional(),
  matchedBy: z.string(),
  reason: z.string(),
});
export type LinkEffect = z.infer<typeof linkEffectSchema>;

const fields = z.record(z.string(), z.unknown());

/**
 * Later intents of one plan may use an earlier intent's result: `ref` names an intent, and any string value
 * `@{name}` in a later intent is replaced by that intent's resulting id when it runs (like Composite API).
 */
const ref = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_]*$/)
  .optional();

const newUser = z.object({
  connection: z.string(),
  email: z.string(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  name: z.string().optional(),
  email_verified: z.boolean().optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});

export const intentSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('salesforce.upsert'),
    object: z.string(),
    externalIdField: z.string(),
    externalId: z.string(),
    fields,
    link: linkEffectSchema.optional(),
    ref,
  }),
  z.object({
    kind: z.literal('salesforce.update'),
    object: z.string(),
    id: z.string(),
    fields,
    link: linkEffectSchema.optional(),
    ref,
  }),
  z.object({
    kind: z.literal('salesforce.create'),
    object: z.string(),
    fields,
    /**
     * Idempotency key. When the object has the field `keyField` (External ID, Unique), the create is an
     * upsert on it and cannot duplicate; otherwise it is a plain create (documented as at-least-once).
     */
    key: z.string(),
    keyField: z.string().optional(),
    ref,
  }),
  z.object({
    kind: z.literal('auth0.create_user'),
    user: newUser,
    link: linkEffectSchema.optional(),
    ref,
  }),
  z.object({ kind: z.literal('auth0.update_user'), userId: z.string(), patch: fields, ref }),
  z.object({ kind: z.literal('auth0.assign_roles'), userId: z.string(), roleIds: z.array(z.string()), ref }),
  z.object({ kind: z.literal('auth0.remove_roles'), userId: z.string(), roleIds: z.array(z.string()), ref }),
  /** Auth0 emails the user its "Change Password" template: the invitation of a user Concord created. */
  z.object({
    kind: z.literal('auth0.invitation_email'),
    userId: z.string(),
    email: z.string(),
    connection: z.string(),
    /** The application the emailed link belongs to. */
    clientId: z.string(),
    ref,
  }),
]);
export type Intent = z.infer<typeof intentSchema>;

/** A short human description of an intent, with no field values (they may be personal data). */
export function describeIntent(intent: Intent): string {
  const names = (f: Record<string, unknown>) => Object.keys(f).join(', ') || 'no fields';
  switch (intent.kind) {
    case 'salesforce.upsert':
      return `upsert ${intent.object} by ${intent.externalIdField} (${names(intent.fields)})`;
    case 'salesforce.update':
      return `update ${intent.object} ${intent.id} (${names(intent.fields)})`;
    case 'salesforce.create':
      return `create ${intent.object} (${names(intent.fields)})`;
    case 'auth0.create_user':
      return `create Auth0 user in ${intent.user.connection}`;
    case 'auth0.update_user':
      return `update Auth0 user ${intent.userId} (${names(intent.patch)})`;
    case 'auth0.assign_roles':
      return `assign roles ${intent.roleIds.join(', ')} to ${intent.userId}`;
    case 'auth0.remove_roles':
      return `remove roles ${intent.roleIds.join(', ')} from ${intent.userId}`;
    case 'auth0.invitation_email':
      return `have Auth0 email an invitation (change-password link) to ${intent.userId}`;
  }
}

/** The system an intent writes to. */
export function intentTarget(intent: Intent): 'salesforce' | 'auth0' {
  return intent.kind.startsWith('salesforce.') ? 'salesforce' : 'auth0';
}
