import type { DomainEvent } from '../../core/events.js';
import { applyMapping, mergeMappings } from '../../core/mapping.js';
import type { Plan, PlanContext } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import { linkFor, matchAuth0User, quarantineAmbiguous } from '../shared/match-user.js';
import { defaultMapping, type SignupToLeadParams } from './params.js';

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
  const match = await matchAuth0User(ctx as PlanContext<unknown>, user, {
    ...params,
    readFields: Object.keys(mapping),
    requiredOn: params.object,
  });
  if (match.kind === 'ambiguous') return quarantineAmbiguous(match);
  const link = linkFor(pipeline, userId);

  if (match.kind === 'none') {
    const target = await describeFields(ctx.salesforce, pipeline.org, params.object);
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

  const described = await describeFields(ctx.salesforce, pipeline.org, match.object);
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
