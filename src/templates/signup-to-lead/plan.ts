import { normaliseEmail } from '../../core/identity/email.js';
import { linkedIdentityIds } from '../../core/identity/linked-ids.js';
import { matchSalesforcePerson } from '../../core/identity/match-salesforce.js';
import { toE164 } from '../../core/identity/phone.js';
import { ConcordError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import type { LinkEffect } from '../../core/intents.js';
import { applyMapping, mergeMappings } from '../../core/mapping.js';
import type { PlanContext, Plan } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import { type SignupToLeadParams, defaultMapping } from './params.js';

/**
 * New Auth0 user → one Salesforce Lead or Contact. Decisions are made on the user as Auth0 has it now
 * (re-read), never on the log record alone, and the write is keyed so that replays cannot duplicate it:
 * a new record is an upsert by the external-id field, a matched record an update by Id.
 */
export async function planSignup(event: DomainEvent, ctx: PlanContext<SignupToLeadParams>): Promise<Plan> {
  const { params, pipeline } = ctx;
  const userId = event.auth0UserId;
  if (!userId) return { outcome: 'filtered', reason: `${event.sourceType} record names no user` };

  const user = await ctx.auth0.getUser(userId);
  if (!user) return { outcome: 'filtered', reason: 'the user no longer exists in Auth0' };

  const mapping = mergeMappings(defaultMapping(params), params.fields);
  const mappedFields = Object.keys(mapping);
  const email = normaliseEmail(user.email);
  const emailUsable = email && (params.emailMatch === 'any' || user.email_verified === true);
  const phone = toE164(user.phone_number, params.defaultCountry);

  const objectFields = async (object: string) => describeFields(ctx.salesforce, pipeline.org, object);
  const target = await objectFields(params.object);
  if (!target.all.has(params.externalIdField)) {
    throw missingExternalIdField(pipeline.org, params.object, params.externalIdField);
  }
  const fieldsByObject = new Map<string, string[]>();
  const searchable: ('Contact' | 'Lead')[] = [];
  for (const object of ['Contact', 'Lead'] as const) {
    const described = await objectFields(object);
    fieldsByObject.set(
      object,
      mappedFields.filter((f) => described.all.has(f)),
    );
    if (described.all.has(params.externalIdField)) searchable.push(object);
  }

  const match = await matchSalesforcePerson(
    {
      tenant: pipeline.tenant,
      org: pipeline.org,
      linkedIds: linkedIdentityIds(user),
      auth0UserId: userId,
      email: params.matchBy.includes('email') && emailUsable ? email : undefined,
      phone: params.matchBy.includes('phone') ? phone : undefined,
      defaultCountry: params.defaultCountry,
      externalIdField: params.externalIdField,
      readFields: (object) => fieldsByObject.get(object) ?? [],
      resolution: ctx.resolution,
      order: params.matchBy,
      objects: searchable,
    },
    ctx,
  );

  if (match.kind === 'ambiguous') {
    return {
      outcome: 'quarantined',
      reason: `identity is ambiguous (${match.by}): ${match.reason}`,
      candidates: match.candidates,
    };
  }

  const link = (object: string, matchedBy: string, reason: string): LinkEffect => ({
    tenant: pipeline.tenant,
    auth0UserId: userId,
    org: pipeline.org,
    object,
    matchedBy,
    reason,
  });

  if (match.kind === 'none') {
    const fields = await applyMapping(mapping, user, { mode: 'create', allowedFields: target.createable });
    return {
      outcome: 'write',
      reason: `new ${params.object}: ${match.reason}`,
      intents: [
        {
          kind: 'salesforce.upsert',
          object: params.object,
          externalIdField: params.externalIdField,
          externalId: userId,
          fields,
          link: link(params.object, 'created', match.reason),
        },
      ],
    };
  }

  const described = await objectFields(match.object);
  const fields = await applyMapping(mapping, user, {
    mode: 'update',
    current: match.record,
    allowedFields: described.updateable,
  });
  if (match.record[params.externalIdField] !== userId) fields[params.externalIdField] = userId;
  const why = `${match.object} ${match.id} matched by ${match.by}: ${match.reason}`;
  if (Object.keys(fields).length === 0) {
    return { outcome: 'in_sync', reason: `${why}; Salesforce already holds these values, nothing sent` };
  }
  return {
    outcome: 'write',
    reason: why,
    intents: [
      {
        kind: 'salesforce.update',
        object: match.object,
        id: match.id,
        fields,
        link: link(match.object, match.by, match.reason),
      },
    ],
  };
}

function missingExternalIdField(org: string, object: string, field: string) {
  return new ConcordError(
    `Salesforce org "${org}" has no field ${object}.${field} visible to the integration user. ` +
      `Create it as Text(255), External ID, Unique on Lead and Contact and grant field-level access ` +
      `(docs/setup-salesforce.md), or set the pipeline's params.externalIdField.`,
    { code: 'config', retryable: false },
  );
}
