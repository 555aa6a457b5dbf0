import { matchSalesforcePerson } from '../../core/identity/match-salesforce.js';
import type { SfRecord } from '../../core/ports.js';
import type { MatchCandidate, PlanContext } from '../../core/template.js';

export type ContactLookup =
  | { kind: 'found'; contact: SfRecord; why: string }
  | { kind: 'missing'; reason: string }
  | { kind: 'ambiguous'; reason: string; candidates: MatchCandidate[] };

/**
 * The user's Contact by a recorded link, then the external-id field — never by email or phone: a deleted
 * Auth0 user cannot be re-read, and a churn signal must not land on a Contact found by guesswork. A link to
 * a converted Lead stands for its Contact; a link to an unconverted Lead falls back to a Contact carrying
 * the external id. A Contact in the recycle bin counts as missing (the ladder reads only live records).
 */
export async function findContact(
  ctx: PlanContext<unknown>,
  auth0UserId: string,
  externalIdField: string,
  fields: readonly string[],
  leadsSearchable: boolean,
): Promise<ContactLookup> {
  const read = [...new Set(['Id', externalIdField, ...fields])];
  const match = await matchSalesforcePerson(
    {
      tenant: ctx.pipeline.tenant,
      org: ctx.pipeline.org,
      auth0UserId,
      externalIdField,
      readFields: (object) => (object === 'Contact' ? read : []),
      resolution: ctx.resolution?.action === 'link' ? ctx.resolution : undefined,
      order: [],
      objects: leadsSearchable ? ['Contact', 'Lead'] : ['Contact'],
    },
    ctx,
  );
  if (match.kind === 'ambiguous')
    return { kind: 'ambiguous', reason: match.reason, candidates: match.candidates };
  if (match.kind === 'none') return { kind: 'missing', reason: match.reason };
  const why = `Contact ${match.id} matched by ${match.by}: ${match.reason}`;
  if (match.object === 'Contact') return { kind: 'found', contact: match.record, why };

  const [contact] = await ctx.salesforce.find({
    object: 'Contact',
    fields: read,
    where: [{ field: externalIdField, op: '=', value: auth0UserId }],
    limit: 1,
  });
  if (contact) {
    return {
      kind: 'found',
      contact,
      why: `Contact ${contact.Id}.${externalIdField} holds the Auth0 user id (the user is linked to unconverted ${match.object} ${match.id})`,
    };
  }
  return {
    kind: 'missing',
    reason: `the user is linked to ${match.object} ${match.id}, which is not converted to a Contact`,
  };
}
