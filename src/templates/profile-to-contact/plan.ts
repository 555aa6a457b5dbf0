import { toE164 } from '../../core/identity/phone.js';
import type { DomainEvent } from '../../core/events.js';
import type { Intent } from '../../core/intents.js';
import { applyMapping, type FieldMapping, mergeMappings } from '../../core/mapping.js';
import type { SfRecord } from '../../core/ports.js';
import type { Plan, PlanContext } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import { linkFor, matchAuth0User, quarantineAmbiguous } from '../shared/match-user.js';
import { defaultPersonMapping, type ProfileToContactParams } from './params.js';

/**
 * Auth0 profile change → the linked Contact (or unconverted Lead) and, when mapped, its Account. The user is
 * re-read (the event is only a trigger, and may be stale or reordered), the record is found by the identity
 * ladder, and only mapped fields whose values differ from the record as it is now are sent.
 */
export async function planProfileChange(
  event: DomainEvent,
  ctx: PlanContext<ProfileToContactParams>,
): Promise<Plan> {
  const { params, pipeline } = ctx;
  const userId = event.auth0UserId;
  if (!userId) return { outcome: 'filtered', reason: `${event.sourceType} record names no user` };

  const user = await ctx.auth0.getUser(userId);
  if (!user) return { outcome: 'filtered', reason: 'the user no longer exists in Auth0; nothing to update' };

  const mapping = mergeMappings(defaultPersonMapping(params), params.fields);
  const accountMapping = mergeMappings({}, params.accountFields);
  const describe = (object: string) => describeFields(ctx.salesforce, pipeline.org, object);
  const contact = await describe('Contact');
  const match = await matchAuth0User(ctx as PlanContext<unknown>, user, {
    ...params,
    readFields: Object.keys(mapping),
    extraReadFields: { Contact: ['AccountId'] },
    requiredOn: 'Contact',
  });
  if (match.kind === 'ambiguous') return quarantineAmbiguous(match);
  const link = linkFor(pipeline, userId);

  if (match.kind === 'none') {
    if (!params.createIfMissing) {
      return {
        outcome: 'filtered',
        reason: `no linked Contact to update: ${match.reason} (createIfMissing is off)`,
      };
    }
    const fields = await applyMapping(mapping, user, { mode: 'create', allowedFields: contact.createable });
    return {
      outcome: 'write',
      reason: `new Contact: ${match.reason}`,
      intents: [
        {
          kind: 'salesforce.upsert',
          object: 'Contact',
          externalIdField: params.externalIdField,
          externalId: userId,
          fields,
          link: link('Contact', 'created', match.reason),
        },
      ],
    };
  }

  const why = `${match.object} ${match.id} matched by ${match.by}: ${match.reason}`;
  if (match.object === 'Lead' && !params.updateLeads) {
    return { outcome: 'filtered', reason: `${why}; it is an unconverted Lead and updateLeads is off` };
  }

  const described = await describe(match.object);
  const fields = withoutReformattedPhones(
    await applyMapping(mapping, user, {
      mode: 'update',
      current: match.record,
      allowedFields: described.updateable,
    }),
    match.record,
    params.defaultCountry,
  );
  const intents: Intent[] = [];
  const notes: string[] = [];
  const adopt = match.record[params.externalIdField] !== userId;
  if (adopt) fields[params.externalIdField] = userId;
  if (Object.keys(fields).length > 0) {
    intents.push({
      kind: 'salesforce.update',
      object: match.object,
      id: match.id,
      fields,
      link: adopt || match.by !== 'link' ? link(match.object, match.by, match.reason) : undefined,
    });
  }

  if (Object.keys(accountMapping).length > 0) {
    const account = await planAccount(ctx, match.object, match.record, accountMapping, user);
    if (account.intent) intents.push(account.intent);
    notes.push(account.note);
  }

  const suffix = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  if (intents.length === 0) {
    return {
      outcome: 'in_sync',
      reason: `${why}; Salesforce already holds these values, nothing sent${suffix}`,
    };
  }
  return { outcome: 'write', reason: `${why}${suffix}`, intents };
}

/** The Contact's Account fields, only when mapped, only what changed; Accounts are never created here. */
async function planAccount(
  ctx: PlanContext<ProfileToContactParams>,
  object: string,
  person: SfRecord,
  mapping: FieldMapping,
  user: unknown,
): Promise<{ intent?: Intent; note: string }> {
  const accountId = person['AccountId'];
  if (object !== 'Contact' || typeof accountId !== 'string' || accountId === '') {
    return { note: `${object} ${person.Id} has no Account; account fields not written` };
  }
  const described = await describeFields(ctx.salesforce, ctx.pipeline.org, 'Account');
  const readable = Object.keys(mapping).filter((f) => described.all.has(f));
  const [account] = await ctx.salesforce.retrieve('Account', [accountId], readable);
  if (!account) return { note: `Account ${accountId} no longer exists; account fields not written` };
  const fields = await applyMapping(mapping, user, {
    mode: 'update',
    current: account,
    allowedFields: described.updateable,
  });
  if (Object.keys(fields).length === 0)
    return { note: `Account ${accountId} already holds the mapped values` };
  return {
    intent: { kind: 'salesforce.update', object: 'Account', id: accountId, fields },
    note: `Account ${accountId} updated`,
  };
}

const PHONE_LIKE = /^\+?[\d\s().-]{6,}$/;

/** A number stored as "(415) 555-0100" is the same as "+14155550100": rewriting only its format is noise. */
function withoutReformattedPhones(
  fields: Record<string, unknown>,
  current: SfRecord,
  defaultCountry: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    const before = current[field];
    if (
      typeof value === 'string' &&
      typeof before === 'string' &&
      PHONE_LIKE.test(value) &&
      PHONE_LIKE.test(before)
    ) {
      const a = toE164(value, defaultCountry);
      if (a !== undefined && a === toE164(before, defaultCountry)) continue;
    }
    out[field] = value;
  }
  return out;
}
