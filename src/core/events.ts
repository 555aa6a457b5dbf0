import { z } from 'zod';

/**
 * Domain events: what happened, in vendor-neutral words. Connectors' normalisers turn vendor records
 * (Auth0 log records, CloudEvents, Salesforce change rows) into these; templates only see these.
 */
export const DOMAIN_EVENT_KINDS = [
  'user.signed_up',
  'user.logged_in',
  'user.login_failed',
  'user.mfa',
  'user.profile_changed',
  'user.roles_changed',
  'user.blocked',
  'user.unblocked',
  'user.deleted',
  'security.account_locked',
  'security.breached_password',
  'salesforce.record_changed',
  'unknown',
] as const;
export type DomainEventKind = (typeof DOMAIN_EVENT_KINDS)[number];

export const domainEventSchema = z.object({
  kind: z.enum(DOMAIN_EVENT_KINDS),
  /** Where it came from: `auth0.logs`, `auth0.events`, `salesforce.poll`. */
  source: z.string(),
  /** The tenant or org name from the config. */
  connection: z.string(),
  /** The vendor's id of the record (`log_id`, CloudEvent `id`). */
  sourceId: z.string(),
  /** The vendor's type code (`ss`, `sapi`, `user.created`), for audit and filters. */
  sourceType: z.string(),
  occurredAt: z.string(),
  /** Ordering key: events of one subject are applied in order. */
  subject: z.string(),
  auth0UserId: z.string().optional(),
  /** The acting client (Auth0 `client_id`), used to recognise Concord's own writes. */
  actorClientId: z.string().optional(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type DomainEvent = z.infer<typeof domainEventSchema>;
