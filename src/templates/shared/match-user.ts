import { ConcordError } from '../../core/errors.js';
import { normaliseEmail } from '../../core/identity/email.js';
import { linkedIdentityIds } from '../../core/identity/linked-ids.js';
import { type MatchResult, matchSalesforcePerson } from '../../core/identity/match-salesforce.js';
import { toE164 } from '../../core/identity/phone.js';
import type { LinkEffect } from '../../core/intents.js';
import type { Auth0User } from '../../core/ports.js';
import type { Plan, PlanContext } from '../../core/template.js';
import { describeFields } from './describe-cache.js';

export interface UserMatchOptions {
  externalIdField: string;
  /** Rungs after link and external id, in order. */
  matchBy: readonly ('email' | 'phone')[];
  emailMatch: 'any' | 'verified_only';
  defaultCountry: string;
  /** Fields to read on candidates (mapped fields), kept only where the object has them. */
  readFields: readonly string[];
  /** Extra fields to read per object (e.g. the Contact's AccountId). */
  extraReadFields?: Partial<Record<'Contact' | 'Lead', readonly string[]>>;
  /** The object that must carry the external-id field (the template's target). */
  requiredOn: 'Contact' | 'Lead';
}

/**
 * The identity ladder for a re-read Auth0 user: checks the external-id field exists where it must, searches
 * only the person objects that carry it, reads the fields the planner will compare, and honours the
 * email-verification policy and linked identities.
 */
export async function matchAuth0User(
  ctx: PlanContext<unknown>,
  user: Auth0User,
  options: UserMatchOptions,
): Promise<MatchResult> {
  const { pipeline } = ctx;
  const required = await describeFields(ctx.salesforce, pipeline.org, options.requiredOn);
  if (!required.all.has(options.externalIdField)) {
    throw missingExternalIdField(pipeline.org, options.requiredOn, options.externalIdField);
  }
  const readFields = new Map<string, string[]>();
  const searchable: ('Contact' | 'Lead')[] = [];
  for (const object of ['Contact', 'Lead'] as const) {
    const described = await describeFields(ctx.salesforce, pipeline.org, object);
    const wanted = [...options.readFields, ...(options.extraReadFields?.[object] ?? [])];
    readFields.set(
      object,
      wanted.filter((f) => described.all.has(f)),
    );
    if (described.all.has(options.externalIdField)) searchable.push(object);
  }
  const email = normaliseEmail(user.email);
  const emailUsable = email && (options.emailMatch === 'any' || user.email_verified === true);
  return matchSalesforcePerson(
    {
      tenant: pipeline.tenant,
      org: pipeline.org,
      auth0UserId: user.user_id,
      linkedIds: linkedIdentityIds(user),
      email: options.matchBy.includes('email') && emailUsable ? email : undefined,
      phone: options.matchBy.includes('phone')
        ? toE164(user.phone_number, options.defaultCountry)
        : undefined,
      defaultCountry: options.defaultCountry,
      externalIdField: options.externalIdField,
      readFields: (object) => readFields.get(object) ?? [],
      resolution: ctx.resolution,
      order: options.matchBy,
      objects: searchable,
    },
    ctx,
  );
}

/** The plan for an ambiguous match: held for a person to decide, with the candidates. */
export function quarantineAmbiguous(match: Extract<MatchResult, { kind: 'ambiguous' }>): Plan {
  return {
    outcome: 'quarantined',
    reason: `identity is ambiguous (${match.by}): ${match.reason}`,
    candidates: match.candidates,
  };
}

/** A link effect for this pipeline's tenant and org. */
export function linkFor(pipeline: PlanContext<unknown>['pipeline'], auth0UserId: string) {
  return (object: string, matchedBy: string, reason: string): LinkEffect => ({
    tenant: pipeline.tenant,
    auth0UserId,
    org: pipeline.org,
    object,
    matchedBy,
    reason,
  });
}

export function missingExternalIdField(org: string, object: string, field: string) {
  return new ConcordError(
    `Salesforce org "${org}" has no field ${object}.${field} visible to the integration user. ` +
      `Create it as Text(255), External ID, Unique on Lead and Contact and grant field-level access ` +
      `(docs/setup-salesforce.md), or set the pipeline's params.externalIdField.`,
    { code: 'config', retryable: false },
  );
}
