import { ConcordError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import type { Intent } from '../../core/intents.js';
import type { Auth0Role } from '../../core/ports.js';
import type { Plan, PlanContext } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import { findLinkedContact } from '../shared/linked-contact.js';
import type { RolesToAccountTierParams } from './params.js';
import { higher, type TierDecision, tierOf } from './tier-map.js';

type Ctx = PlanContext<RolesToAccountTierParams>;

/**
 * A user's roles changed → the tier of their Account. Decisions use the roles Auth0 holds now (re-read), so
 * duplicated, reordered or stale `sapi` records all converge on the same value, and an Account already at
 * that tier gets no write at all.
 */
export async function planRolesToTier(event: DomainEvent, ctx: Ctx): Promise<Plan> {
  const { params } = ctx;
  const userId = event.auth0UserId;
  if (!userId) return { outcome: 'filtered', reason: `${event.sourceType} record names no user` };

  const roles = await rolesOrNull(ctx, userId);
  if (roles === null) return { outcome: 'filtered', reason: `Auth0 user ${userId} no longer exists` };
  const own = tierOf(
    roles.map((r) => r.name),
    params.tiers,
  );

  const account = await accountOf(ctx, userId);
  if (!account.ok) return { outcome: 'filtered', reason: account.reason };
  const { accountId, current, ownerId, contactId } = account;

  let decision = own;
  const notes: string[] = [];
  if (own.unmapped.length > 0) notes.push(`${own.unmapped.length} role(s) map to no tier and were ignored`);
  if (params.accountTierPolicy === 'highest_of_linked_users' && own.rank !== 0) {
    const others = await otherLinkedUsers(ctx, accountId, userId);
    if (others.tooMany) {
      return {
        outcome: 'filtered',
        reason:
          `Account ${accountId} has more than ${params.maxLinkedUsers} linked users (params.maxLinkedUsers): ` +
          'its highest tier was not recomputed',
      };
    }
    for (const other of others.userIds) {
      const theirs = await rolesOrNull(ctx, other);
      if (theirs === null) continue;
      decision = higher(
        decision,
        tierOf(
          theirs.map((r) => r.name),
          params.tiers,
        ),
      );
      if (decision.rank === 0) break; // nothing beats the top tier: stop spending calls
    }
    notes.push(`highest of ${others.userIds.length + 1} linked user(s)`);
  }

  const desired = decision.tier ?? params.defaultTier;
  const why = explain(userId, contactId, accountId, own, decision, notes);
  if (desired === null) {
    return { outcome: 'filtered', reason: `${why}; no role maps to a tier and params.defaultTier is null` };
  }
  if (current === desired) {
    return { outcome: 'in_sync', reason: `${why}; Account already at ${desired}, nothing sent` };
  }

  const update: Intent = {
    kind: 'salesforce.update',
    object: 'Account',
    id: accountId,
    fields: { [params.tierField]: desired },
  };
  const intents: Intent[] = [];
  const task = params.tierChangeTask;
  // The Task goes first: a retry after a failure in between re-plans, and a tier already written would plan
  // no Task at all. This way the Task is at-least-once instead of possibly lost.
  if (task.enabled) {
    const from = current === null || current === undefined || current === '' ? '(none)' : String(current);
    intents.push({
      kind: 'salesforce.create',
      object: 'Task',
      key: `tier-change:${accountId}:${event.sourceId}`,
      fields: {
        Subject: task.subject.replaceAll('{from}', from).replaceAll('{to}', desired),
        WhatId: accountId,
        ...(contactId ? { WhoId: contactId } : {}),
        ...(ownerId ? { OwnerId: ownerId } : {}),
        Priority: task.priority,
        Status: 'Not Started',
        ...(task.dueInDays !== null
          ? {
              ActivityDate: new Date(ctx.clock.now() + task.dueInDays * 86_400_000)
                .toISOString()
                .slice(0, 10),
            }
          : {}),
        Description: `Concord: Auth0 role change of user ${userId} moved the Account's tier from ${from} to ${desired}.`,
      },
    });
  }
  intents.push(update);
  return { outcome: 'write', reason: `${why}; ${String(current ?? '(none)')} → ${desired}`, intents };
}

async function rolesOrNull(ctx: Ctx, userId: string): Promise<Auth0Role[] | null> {
  try {
    return await ctx.auth0.getUserRoles(userId);
  } catch (error) {
    if (error instanceof ConcordError && error.code === 'not_found') return null;
    throw error;
  }
}

type AccountLookup =
  | { ok: true; accountId: string; current: unknown; ownerId: string | undefined; contactId: string }
  | { ok: false; reason: string };

async function accountOf(ctx: Ctx, userId: string): Promise<AccountLookup> {
  const { params, pipeline } = ctx;
  const fields = await describeFields(ctx.salesforce, pipeline.org, 'Account');
  if (!fields.all.has(params.tierField)) {
    throw new ConcordError(
      `Salesforce org "${pipeline.org}" has no field Account.${params.tierField} visible to the integration ` +
        `user. Create it (a picklist holding the tiers of params.tiers) and grant field-level access, or set ` +
        `the pipeline's params.tierField.`,
      { code: 'config', retryable: false },
    );
  }
  const linked = await findLinkedContact(ctx, userId, params.externalIdField, ['AccountId']);
  if (!linked.found) return { ok: false, reason: `Auth0 user ${userId}: ${linked.reason}` };
  const contactId = linked.contact.Id;
  const accountId = linked.contact['AccountId'];
  if (typeof accountId !== 'string' || accountId === '') {
    return { ok: false, reason: `Contact ${contactId} of Auth0 user ${userId} has no Account` };
  }
  const [account] = await ctx.salesforce.retrieve(
    'Account',
    [accountId],
    ['Id', 'OwnerId', params.tierField],
  );
  if (!account) return { ok: false, reason: `Account ${accountId} of Contact ${contactId} no longer exists` };
  const owner = account['OwnerId'];
  return {
    ok: true,
    accountId,
    contactId,
    current: account[params.tierField] ?? null,
    ownerId: typeof owner === 'string' ? owner : undefined,
  };
}

/** Auth0 ids on the Account's other Contacts (one SOQL query, bounded by `maxLinkedUsers`). */
async function otherLinkedUsers(ctx: Ctx, accountId: string, userId: string) {
  const { params } = ctx;
  const contacts = await ctx.salesforce.find({
    object: 'Contact',
    fields: ['Id', params.externalIdField],
    where: [
      { field: 'AccountId', op: '=', value: accountId },
      { field: params.externalIdField, op: '!=', value: null },
      { field: params.externalIdField, op: '!=', value: userId },
    ],
    orderBy: 'CreatedDate',
    limit: params.maxLinkedUsers + 1,
  });
  const userIds = [
    ...new Set(
      contacts.map((c) => c[params.externalIdField]).filter((v): v is string => typeof v === 'string'),
    ),
  ];
  return { tooMany: contacts.length > params.maxLinkedUsers, userIds };
}

function explain(
  userId: string,
  contactId: string,
  accountId: string,
  own: TierDecision,
  decision: TierDecision,
  notes: string[],
): string {
  const ownTier = own.tier ?? 'no tier';
  const accountTier = decision.tier ?? 'no tier';
  const extra = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return `Auth0 user ${userId} (Contact ${contactId}) maps to ${ownTier}; Account ${accountId} maps to ${accountTier}${extra}`;
}
