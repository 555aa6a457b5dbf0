import type { Auth0User } from '../ports.js';

/** The full ids (`provider|user_id`) of an Auth0 user's identities, the primary one excluded. */
export function linkedIdentityIds(user: Pick<Auth0User, 'user_id' | 'identities'>): string[] {
  return (user.identities ?? [])
    .map((identity) => `${identity.provider}|${identity.user_id}`)
    .filter((id) => id !== user.user_id);
}
