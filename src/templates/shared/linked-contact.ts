import { matchSalesforcePerson } from '../../core/identity/match-salesforce.js';
import type { SfRecord } from '../../core/ports.js';
import type { PlanContext } from '../../core/template.js';

export type LinkedContact =
  | { found: true; contact: SfRecord; by: 'link' | 'external_id'; reason: string }
  | { found: false; reason: string };

/**
 * The Contact an Auth0 user is linked to, by the first two rungs of the identity ladder only (a recorded
 * link, then the external-id field): flows that act on an existing customer never guess by email or phone.
 * A link to a Lead that was converted stands for its Contact; a link to an unconverted Lead falls through to
 * the external-id rung on Contact. `fields` are read on the Contact (Id and the external id always are).
 */
export async function findLinkedContact(
  ctx: Pick<PlanContext<unknown>, 'salesforce' | 'links' | 'pipeline'>,
  auth0UserId: string,
  externalIdField: string,
  fields: readonly string[],
): Promise<LinkedContact> {
  const match = await matchSalesforcePerson(
    {
      tenant: ctx.pipeline.tenant,
      org: ctx.pipeline.org,
      auth0UserId,
      externalIdField,
      readFields: (object) => (object === 'Contact' ? fields : []),
      objects: ['Contact'],
      order: [],
    },
    { salesforce: ctx.salesforce, links: ctx.links },
  );
  if (
    match.kind === 'matched' &&
    match.object === 'Contact' &&
    (match.by === 'link' || match.by === 'external_id')
  ) {
    return { found: true, contact: match.record, by: match.by, reason: match.reason };
  }
  if (match.kind === 'matched' && match.by === 'link') {
    // Linked to a Lead (not converted): a Contact may still carry the id.
    const [contact] = await ctx.salesforce.find({
      object: 'Contact',
      fields: [...new Set(['Id', externalIdField, ...fields])],
      where: [{ field: externalIdField, op: '=', value: auth0UserId }],
      limit: 1,
    });
    if (contact) {
      return {
        found: true,
        contact,
        by: 'external_id',
        reason: `Contact.${externalIdField} holds the Auth0 user id (the link points at ${match.object} ${match.id})`,
      };
    }
    return { found: false, reason: `the user is linked to ${match.object} ${match.id}, not to a Contact` };
  }
  return { found: false, reason: 'no Contact is linked to the user (by link or external id)' };
}
