import { z } from 'zod';
import type { DomainEvent, DomainEventKind } from '../../core/events.js';
import { BadInputError } from '../../core/errors.js';

/** Auth0 Event Streams deliver one structured CloudEvent per request (a JSON array is tolerated too). */
export const cloudEventSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string().optional(),
  specversion: z.string().optional(),
  time: z.string().optional(),
  data: z.looseObject({ object: z.looseObject({ user_id: z.string().optional() }).optional() }).optional(),
});
export type CloudEvent = z.infer<typeof cloudEventSchema>;

export class CloudEventBodyError extends BadInputError {
  override readonly name = 'CloudEventBodyError';
}

export function parseCloudEventBody(text: string): CloudEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CloudEventBodyError(`the body is not valid JSON: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new CloudEventBodyError('the body holds no events');
  return list.map((item, index) => {
    const result = cloudEventSchema.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new CloudEventBodyError(
        `event ${index}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is invalid'}; expected a CloudEvent with id and type`,
      );
    }
    return result.data;
  });
}

const KINDS: Record<string, DomainEventKind> = {
  'user.created': 'user.signed_up',
  'user.updated': 'user.profile_changed',
  'user.deleted': 'user.deleted',
};

/**
 * Auth0's list of event types says `user.created`; its CloudEvent sample spells the same type
 * `com.auth0.user.created`. Both spellings are taken.
 */
const PREFIX = 'com.auth0.';

export function normaliseCloudEvent(tenant: string, event: CloudEvent): DomainEvent {
  const userId = event.data?.object?.user_id;
  const type = event.type.startsWith(PREFIX) ? event.type.slice(PREFIX.length) : event.type;
  const kind = KINDS[type] ?? 'unknown';
  return {
    kind,
    source: 'auth0.events',
    connection: tenant,
    sourceId: event.id,
    sourceType: event.type,
    occurredAt: event.time ?? new Date(0).toISOString(),
    auth0UserId: userId,
    subject: userId ? `user:${userId}` : `event:${event.id}`,
    details: {
      via: 'event_stream',
      updatedAt: (event.data?.object as Record<string, unknown> | undefined)?.['updated_at'],
    },
  };
}
