import { normaliseEmail } from '../../core/identity/email.js';
import type { Auth0User } from '../../core/ports.js';
import type { MatchCandidate, PlanContext } from '../../core/template.js';
import type { ClosedWonToAuth0UserParams } from './params.js';

export type UserMatch =
  | { kind: 'found'; user: Auth0User; by: string; why: string }
  | { kind: 'none'; why: string }
  | { kind: 'ambiguous'; why: string; candidates: MatchCandidate[] };

/**
 * The Auth0 user of a Contact, most certain first: a manual resolution, the id the Contact carries, an
 * identity link, then the Contact's email (one user → that one; several → the one Concord provisioned for
 * this Contact, else ambiguous). Ids that name a deleted user are passed over.
 */
export async function findUserForContact(
  contact: Record<string, unknown> & { Id: string },
  ctx: PlanContext<ClosedWonToAuth0UserParams>,
): Promise<UserMatch> {
  const { params, pipeline, resolution } = ctx;
  if (resolution?.action === 'link') {
    const user = await ctx.auth0.getUser(resolution.recordId);
    if (user) return { kind: 'found', user, by: 'resolution', why: 'chosen by hand from quarantine' };
  }
  if (resolution?.action === 'create')
    return { kind: 'none', why: 'creation chosen by hand from quarantine' };

  const carried = contact[params.externalIdField];
  if (typeof carried === 'string' && carried !== '') {
    const user = await ctx.auth0.getUser(carried);
    if (user) return { kind: 'found', user, by: 'external_id', why: `Contact.${params.externalIdField}` };
  }

  const links = (await ctx.links.findByRecord(pipeline.org, contact.Id)).filter(
    (l) => l.tenant === pipeline.tenant,
  );
  for (const link of links) {
    const user = await ctx.auth0.getUser(link.auth0UserId);
    if (user) return { kind: 'found', user, by: 'link', why: `identity link (${link.matchedBy})` };
  }

  const email = normaliseEmail(contact[params.emailField]);
  if (!email) return { kind: 'none', why: `the Contact has no usable ${params.emailField}` };
  const users = await ctx.auth0.getUsersByEmail(email);
  if (users.length === 1) {
    return { kind: 'found', user: users[0]!, by: 'email', why: 'the only Auth0 user with its email' };
  }
  if (users.length > 1) {
    const ours = users.filter((u) => u.app_metadata?.['salesforce_contact_id'] === contact.Id);
    if (ours.length === 1) {
      return {
        kind: 'found',
        user: ours[0]!,
        by: 'email',
        why: 'the Auth0 user with its email that Concord provisioned for this Contact',
      };
    }
    return {
      kind: 'ambiguous',
      why: `${users.length} Auth0 users have the email of Contact ${contact.Id}`,
      candidates: users.map((u) => ({
        object: 'Auth0 user',
        id: u.user_id,
        why: `same email (${u.identities?.[0]?.connection ?? 'unknown connection'})`,
      })),
    };
  }
  return { kind: 'none', why: 'no Auth0 user has its email' };
}
