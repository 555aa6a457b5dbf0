import { ConcordError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import type { Intent } from '../../core/intents.js';
import type { Auth0Role, SfRecord } from '../../core/ports.js';
import type { Plan, PlanContext } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import {
  desiredRoleNames,
  entitlementsHash,
  managedRoleNames,
  readEntitlements,
  resolveRoleIds,
} from './entitlements.js';
import type { EntitlementsToRolesParams } from './params.js';

type Ctx = PlanContext<EntitlementsToRolesParams>;

export const stateKey = (accountId: string) => `account:${accountId}:entitlements`;

/**
 * An Account changed → every linked user's *managed* roles. The change record is only a hint: the Account and
 * its Contacts are re-read, desired roles are computed from the entitlements as they are now and compared
 * with each user's current Auth0 roles; only the difference among managed roles is written.
 */
export async function planEntitlements(event: DomainEvent, ctx: Ctx): Promise<Plan> {
  const { params, pipeline } = ctx;
  const object = event.details['object'];
  const recordId = typeof event.details['id'] === 'string' ? event.details['id'] : '';
  const changed = (event.details['record'] ?? {}) as Record<string, unknown>;
  const extraState: Record<string, unknown> = {};
  let accountId = recordId;
  if (object === 'Contact') {
    // A Contact joined or left an Account, or got (or lost) its Auth0 id: that Account's seats are recounted.
    // Any other Contact edit — Concord's own profile updates included — needs no reads at all.
    const linkKey = `${String(changed['AccountId'] ?? '')}|${String(changed[params.externalIdField] ?? '')}`;
    const key = `contact:${recordId}:seat`;
    if ((await ctx.state.get<string>(key)) === linkKey) {
      return { outcome: 'filtered', reason: `Contact ${recordId}: its Account and Auth0 link are unchanged` };
    }
    extraState[key] = linkKey;
    accountId = typeof changed['AccountId'] === 'string' ? changed['AccountId'] : '';
    if (accountId === '')
      return { outcome: 'filtered', reason: `Contact ${recordId} has no Account`, state: extraState };
  } else if (object !== 'Account' || accountId === '') {
    return { outcome: 'filtered', reason: `${event.sourceType} changes are not entitlement changes` };
  }
  const managed = managedRoleNames(params);
  if (managed.size === 0) {
    return { outcome: 'filtered', reason: 'params.roleMap names no roles: this pipeline manages nothing' };
  }

  // Concord's own write to the Account (say, flow 4's tier field) moved SystemModstamp: when the entitlement
  // fields are what the last plan saw, the users cannot need anything new; skip the reads.
  const record = event.details['record'];
  const seen =
    record && typeof record === 'object'
      ? readEntitlements(record as Record<string, unknown>, params)
      : undefined;
  const integrationUser = ctx.salesforceUserId();
  if (
    object === 'Account' &&
    seen &&
    integrationUser &&
    event.details['lastModifiedById'] === integrationUser
  ) {
    const stored = await ctx.state.get<string>(stateKey(accountId));
    if (stored === entitlementsHash(seen)) {
      return {
        outcome: 'suppressed',
        reason: `Concord's own Salesforce write to Account ${accountId}: entitlements unchanged since the last plan`,
      };
    }
  }

  await requireFields(ctx);
  const [account] = await ctx.salesforce.retrieve(
    'Account',
    [accountId],
    ['Id', params.seatsField, params.flagsField, params.contractTierField],
  );
  if (!account) return { outcome: 'filtered', reason: `Account ${accountId} no longer exists` };
  const entitlements = readEntitlements(account, params);
  const hash = entitlementsHash(entitlements);
  const state = { ...extraState, [stateKey(accountId)]: hash };

  const roleIds = resolveRoleIds(managed, await ctx.auth0.listRoles(), pipeline.tenant);
  const managedIds = new Set(roleIds.values());
  const desiredIds = new Set([...desiredRoleNames(entitlements, params)].map((n) => roleIds.get(n)!));

  const contacts = await linkedContacts(ctx, accountId);
  if (contacts.length > params.maxLinkedUsers) {
    return {
      outcome: 'filtered',
      reason: `Account ${accountId} has more than ${params.maxLinkedUsers} linked users (params.maxLinkedUsers): nothing changed`,
    };
  }
  const userIds = contacts.map((c) => c[params.externalIdField] as string);
  const seats = entitlements.seats === 'unlimited' ? userIds.length : entitlements.seats;
  const over = userIds.length > seats;
  const seated = over && params.overSeats === 'none' ? 0 : Math.min(seats, userIds.length);
  const leftOut = userIds.slice(seated);

  const intents: Intent[] = [];
  const gone: string[] = [];
  for (const [index, userId] of userIds.entries()) {
    const current = await rolesOrNull(ctx, userId);
    if (current === null) {
      gone.push(userId);
      continue;
    }
    const want = index < seated ? desiredIds : new Set<string>();
    const have = new Set(current.map((r) => r.id).filter((id) => managedIds.has(id)));
    const assign = [...want].filter((id) => !have.has(id)).sort();
    const remove = [...have].filter((id) => !want.has(id)).sort();
    if (assign.length > 0) intents.push({ kind: 'auth0.assign_roles', userId, roleIds: assign });
    if (remove.length > 0) intents.push({ kind: 'auth0.remove_roles', userId, roleIds: remove });
  }

  const parts = [
    `Account ${accountId}: ${userIds.length} linked user(s), seats ${entitlements.seats}, ` +
      `${desiredIds.size} of ${managedIds.size} managed role(s) entitled`,
  ];
  if (over) {
    parts.push(
      `over seats (params.overSeats ${params.overSeats}): left without managed roles: ${leftOut.join(', ')}`,
    );
  }
  if (gone.length > 0) parts.push(`skipped users no longer in Auth0: ${gone.join(', ')}`);
  if (intents.length === 0) {
    return {
      outcome: 'in_sync',
      reason: `${parts.join('; ')}; every user already holds the managed roles due`,
      state,
    };
  }
  return { outcome: 'write', reason: parts.join('; '), intents, state };
}

async function requireFields(ctx: Ctx) {
  const { params, pipeline } = ctx;
  const account = await describeFields(ctx.salesforce, pipeline.org, 'Account');
  const contact = await describeFields(ctx.salesforce, pipeline.org, 'Contact');
  const missing = [
    ...(['seatsField', 'flagsField', 'contractTierField'] as const)
      .filter((p) => !account.all.has(params[p]))
      .map((p) => `Account.${params[p]} (params.${p})`),
    ...(contact.all.has(params.externalIdField)
      ? []
      : [`Contact.${params.externalIdField} (params.externalIdField)`]),
  ];
  if (missing.length > 0) {
    throw new ConcordError(
      `Salesforce org "${pipeline.org}" has no field ${missing.join(', ')} visible to the integration user. ` +
        'Create it and grant field-level access (docs/setup-salesforce.md), or set the parameter.',
      { code: 'config', retryable: false },
    );
  }
}

/** Contacts of the Account carrying an Auth0 id, in seat order: CreatedDate, then Id; one per Auth0 user. */
async function linkedContacts(ctx: Ctx, accountId: string): Promise<SfRecord[]> {
  const { params } = ctx;
  const found = await ctx.salesforce.find({
    object: 'Contact',
    fields: ['Id', 'CreatedDate', params.externalIdField],
    where: [
      { field: 'AccountId', op: '=', value: accountId },
      { field: params.externalIdField, op: '!=', value: null },
    ],
    orderBy: 'CreatedDate',
    limit: params.maxLinkedUsers + 1,
  });
  const sorted = found
    .filter((c) => typeof c[params.externalIdField] === 'string' && c[params.externalIdField] !== '')
    .sort((a, b) => {
      const byDate = String(a['CreatedDate'] ?? '').localeCompare(String(b['CreatedDate'] ?? ''));
      return byDate !== 0 ? byDate : a.Id.localeCompare(b.Id);
    });
  const seen = new Set<string>();
  return sorted.filter((c) => {
    const id = c[params.externalIdField] as string;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

async function rolesOrNull(ctx: Ctx, userId: string): Promise<Auth0Role[] | null> {
  try {
    return await ctx.auth0.getUserRoles(userId);
  } catch (error) {
    if (error instanceof ConcordError && error.code === 'not_found') return null;
    throw error;
  }
}
