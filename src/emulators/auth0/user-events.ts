import type { Auth0User } from '../../core/ports.js';
import { randomAlphanumeric } from './ids.js';
import { type EmulatorState, isoNow } from './state.js';
import type { UserEvent, UserEventType } from './types.js';

/**
 * Records a user change for Event Streams. Every path that changes a user (Management API, dashboard,
 * end-user actions, the simulator) goes through `users.ts`, which calls this; seeding does not.
 */
export function emitUserEvent(state: EmulatorState, type: UserEventType, user: Auth0User): UserEvent {
  const event = { id: `evt_${randomAlphanumeric(16)}`, type, time: isoNow(state), user };
  state.events.push(event);
  return event;
}

/** The CloudEvents 1.0 body Auth0 POSTs, one per request (reference §5). */
export function cloudEvent(state: EmulatorState, streamId: string, event: UserEvent) {
  return {
    id: event.id,
    source: `urn:auth0:${state.domain}`,
    specversion: '1.0',
    type: event.type,
    time: event.time,
    data: { object: event.user },
    a0tenant: state.tenant,
    a0stream: streamId,
  };
}
