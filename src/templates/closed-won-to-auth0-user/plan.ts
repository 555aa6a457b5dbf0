import { ConcordError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import type { Intent, LinkEffect } from '../../core/intents.js';
import type { Auth0User } from '../../core/ports.js';
import type { Plan, PlanContext, StateWrites } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import { findUserForContact } from './find-user.js';
import type { ClosedWonToAuth0UserParams } from './params.js';
import { pickContact } from './pick-contact.js';
import { readOpportunity, type WonOpportunity } from './read-opportunity.js';
import { roleIds, rolesFromAccountTier, rolesFromLineItems, type WantedRole } from './tier-roles.js';

type Ctx = PlanContext<ClosedWonToAuth0UserParams>;

/** `ctx.state` key remembering that a user was sent an invitation (with `app_metadata.concord_invited_at`). */
export const invitedKey = (userId: string) => `invited:${userId}`;

/**
 * A won Opportunity → its contact's Auth0 user, found or created, with the purchased tier's roles, an
 * invitation for a user Concord created, and the Auth0 id written back to the Contact. Decisions are made on
 * the Opportunity as Salesforce has it now (`IsWon`, never the stage label); winning again, or winning a
 * second Opportunity of the same contact, finds the same user with the roles in place and sends nothing.
 */
export async function planClosedWon(event: DomainEvent, ctx: Ctx): Promise<Plan> {
  const { params, pipeline } = ctx;
  const id = typeof event.details['id'] === 'string' ? event.details['id'] : '';
  if (!id) return { outcome: 'filtered', reason: 'the change names no Opportunity' };
  // A change recorded as not won cannot be the win: a later win has a later SystemModstamp and its own event.
  const hint = event.details['record'] as Record<string, unknown> | undefined;
  if (hint?.['IsWon'] === false) {
    return { outcome: 'filtered', reason: `Opportunity ${id} is not won (IsWon false in this change)` };
  }

  const opportunity = await readOpportunity(ctx.salesforce, id);
  if (!opportunity) return { outcome: 'filtered', reason: `Opportunity ${id} no longer exists` };
  if (!opportunity.isWon) {
    return { outcome: 'filtered', reason: `Opportunity ${id} is not won now (IsWon false on re-read)` };
  }

  const choice = pickContact(opportunity, params.contactFallbacks);
  if (!choice.contactId) return { outcome: 'filtered', reason: choice.why };
  const contactFields = await describeFields(ctx.salesforce, pipeline.org, 'Contact');
  for (const [param, field] of [
    ['externalIdField', params.externalIdField],
    ['emailField', params.emailField],
  ] as const) {
    if (!contactFields.all.has(field)) throw missingField(pipeline.org, 'Contact', field, param);
  }
  const wanted = ['Id', 'FirstName', 'LastName', params.emailField, params.externalIdField];
  const [contact] = await ctx.salesforce.retrieve('Contact', [choice.contactId], [...new Set(wanted)]);
  if (!contact) {
    return {
      outcome: 'filtered',
      reason: `Contact ${choice.contactId} (${choice.why} of Opportunity ${id}) no longer exists`,
    };
  }

  const tier = await tierOf(opportunity, ctx);
  const desiredRoleIds =
    tier.roles.length > 0 ? roleIds(tier.roles, await ctx.auth0.listRoles(), pipeline.tenant) : [];

  const match = await findUserForContact(contact, ctx);
  const about = `Opportunity ${id} won; Contact ${contact.Id} (${choice.why}); ${tier.tier}`;
  if (match.kind === 'ambiguous') {
    return { outcome: 'quarantined', reason: `${about}: ${match.why}`, candidates: match.candidates };
  }

  const link = (auth0UserId: string, matchedBy: string, reason: string): LinkEffect => ({
    tenant: pipeline.tenant,
    auth0UserId,
    org: pipeline.org,
    object: 'Contact',
    matchedBy,
    reason,
  });
  const writeBack = (userId: string, matchedBy: string, reason: string): Intent => ({
    kind: 'salesforce.update',
    object: 'Contact',
    id: contact.Id,
    fields: { [params.externalIdField]: userId },
    link: link(userId, matchedBy, reason),
  });
  const now = new Date(ctx.clock.now()).toISOString();
  const invitation = (userId: string, email: string): Intent[] => [
    {
      kind: 'auth0.invitation_email',
      userId,
      email,
      connection: params.connection,
      clientId: params.inviteClientId ?? ctx.auth0.clientId,
    },
    { kind: 'auth0.update_user', userId, patch: { app_metadata: { concord_invited_at: now } } },
  ];

  if (match.kind === 'none') {
    const email = contact[params.emailField];
    if (typeof email !== 'string' || !email.includes('@')) {
      return { outcome: 'filtered', reason: `${about}: ${match.why}; cannot create an Auth0 user` };
    }
    const names = {
      ...(typeof contact['FirstName'] === 'string' ? { given_name: contact['FirstName'] } : {}),
      ...(typeof contact['LastName'] === 'string' ? { family_name: contact['LastName'] } : {}),
    };
    const fullName = [names.given_name, names.family_name].filter(Boolean).join(' ');
    const intents: Intent[] = [
      {
        kind: 'auth0.create_user',
        ref: 'user',
        user: {
          connection: params.connection,
          email: email.trim(),
          ...names,
          ...(fullName ? { name: fullName } : {}),
          email_verified: false,
          app_metadata: { salesforce_contact_id: contact.Id, provisioned_by: 'concord' },
        },
      },
    ];
    if (desiredRoleIds.length > 0) {
      intents.push({ kind: 'auth0.assign_roles', userId: '@{user}', roleIds: desiredRoleIds });
    }
    if (params.invite) intents.push(...invitation('@{user}', email.trim()));
    intents.push(writeBack('@{user}', 'created', `created for ${about}`));
    return {
      outcome: 'write',
      reason: `${about}: ${match.why}, creating one in ${params.connection}`,
      intents,
    };
  }

  return planForExistingUser(match.user, `${about}; user ${match.user.user_id} by ${match.why}`, {
    ctx,
    desiredRoleIds,
    carried: contact[params.externalIdField],
    writeBack: () => writeBack(match.user.user_id, match.by, match.why),
    invitation,
    now,
  });
}

async function planForExistingUser(
  user: Auth0User,
  about: string,
  input: {
    ctx: Ctx;
    desiredRoleIds: string[];
    carried: unknown;
    writeBack: () => Intent;
    invitation: (userId: string, email: string) => Intent[];
    now: string;
  },
): Promise<Plan> {
  const { ctx } = input;
  const intents: Intent[] = [];
  const state: StateWrites = {};
  const done: string[] = [];

  const current = new Set((await ctx.auth0.getUserRoles(user.user_id)).map((r) => r.id));
  const missing = input.desiredRoleIds.filter((r) => !current.has(r));
  if (missing.length > 0)
    intents.push({ kind: 'auth0.assign_roles', userId: user.user_id, roleIds: missing });
  else done.push('has the roles');

  // Only users Concord created get an invitation (others already have a way in), and only once.
  const createdByUs = user.app_metadata?.['provisioned_by'] === 'concord';
  if (ctx.params.invite && createdByUs) {
    const invited =
      typeof user.app_metadata?.['concord_invited_at'] === 'string' ||
      (await ctx.state.get(invitedKey(user.user_id))) !== undefined;
    if (invited) done.push('was invited');
    else if (!user.email) done.push('has no email to invite');
    else {
      intents.push(...input.invitation(user.user_id, user.email));
      state[invitedKey(user.user_id)] = input.now;
    }
  }

  if (input.carried !== user.user_id) intents.push(input.writeBack());
  else done.push('the Contact carries its id');

  if (intents.length === 0) {
    return { outcome: 'in_sync', reason: `${about}: already provisioned (${done.join(', ')}), nothing sent` };
  }
  return {
    outcome: 'write',
    reason: about,
    intents,
    ...(Object.keys(state).length > 0 ? { state } : {}),
  };
}

async function tierOf(opportunity: WonOpportunity, ctx: Ctx): Promise<{ roles: WantedRole[]; tier: string }> {
  const { params, pipeline } = ctx;
  if (params.tierFrom === 'line_items') return rolesFromLineItems(opportunity.lineItems, params.productTiers);
  if (!opportunity.accountId) return { roles: [], tier: 'the Opportunity has no Account' };
  const accountFields = await describeFields(ctx.salesforce, pipeline.org, 'Account');
  if (!accountFields.all.has(params.accountTierField)) {
    throw missingField(pipeline.org, 'Account', params.accountTierField, 'accountTierField');
  }
  const [account] = await ctx.salesforce.retrieve(
    'Account',
    [opportunity.accountId],
    [params.accountTierField],
  );
  return rolesFromAccountTier(account?.[params.accountTierField], params.tierRoles);
}

function missingField(org: string, object: string, field: string, param: string) {
  return new ConcordError(
    `Salesforce org "${org}" has no field ${object}.${field} visible to the integration user ` +
      `(params.${param}). Create it and grant field-level access, or set the pipeline's params.${param}.`,
    { code: 'config', retryable: false },
  );
}
