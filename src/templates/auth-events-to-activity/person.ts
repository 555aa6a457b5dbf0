import { normaliseEmail } from '../../core/identity/email.js';
import { matchSalesforcePerson } from '../../core/identity/match-salesforce.js';
import type { DomainEvent } from '../../core/events.js';
import type { Auth0User, SfRecord } from '../../core/ports.js';
import type { MatchCandidate, PlanContext } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import type { AuthEventsToActivityParams } from './params.js';

/**
 * The Salesforce person an auth event is about, and where its Tasks go. Records without a user id
 * (`limit_wc`, `pwd_leak`, `fu`) name the attempted email: it is looked up in Auth0 first, so a known
 * user's link still decides; the email itself is only matched in Salesforce when `matchByEmail` is on.
 */
export interface Person {
  object: 'Contact' | 'Lead';
  id: string;
  record: SfRecord;
  /** The Auth0 user it belongs to, when there is one. */
  auth0UserId?: string;
  /** The Contact's Account (never set for a Lead: Salesforce rejects a WhatId next to a Lead WhoId). */
  accountId?: string;
  /** A User id to own the Tasks (queues cannot own Tasks). */
  ownerId?: string;
  why: string;
}

export type PersonLookup =
  | { kind: 'found'; person: Person }
  | {
      kind: 'none';
      reason: string;
      /** An Auth0 user exists, so the person may still appear in Salesforce (signup-to-lead catching up). */
      auth0User: boolean;
    }
  | { kind: 'ambiguous'; reason: string; candidates: MatchCandidate[] };

type Ctx = PlanContext<AuthEventsToActivityParams>;

export async function findPerson(
  event: DomainEvent,
  ctx: Ctx,
  options: {
    extraFields: readonly string[];
    user: () => Promise<Auth0User | null>;
    /** Whether Tasks will be created, so their owner is needed (a field update alone needs no Account read). */
    ownerNeeded: boolean;
  },
): Promise<PersonLookup> {
  const { params, pipeline } = ctx;
  const searchable: ('Contact' | 'Lead')[] = [];
  const readable = new Map<string, string[]>();
  for (const object of ['Contact', 'Lead'] as const) {
    const described = await describeFields(ctx.salesforce, pipeline.org, object);
    if (described.all.has(params.externalIdField)) searchable.push(object);
    readable.set(
      object,
      ['AccountId', 'OwnerId', ...options.extraFields].filter((f) => described.all.has(f)),
    );
  }
  if (searchable.length === 0) {
    return { kind: 'none', reason: `no person object has ${params.externalIdField}`, auth0User: false };
  }

  const attemptedEmail = normaliseEmail(event.details['userName']);
  const userIds: string[] = [];
  if (event.auth0UserId) userIds.push(event.auth0UserId);
  else if (attemptedEmail) {
    for (const u of await ctx.auth0.getUsersByEmail(attemptedEmail)) userIds.push(u.user_id);
  }

  const match = async (auth0UserId: string, email: string | undefined) =>
    matchSalesforcePerson(
      {
        tenant: pipeline.tenant,
        org: pipeline.org,
        auth0UserId,
        email: params.matchByEmail ? email : undefined,
        externalIdField: params.externalIdField,
        readFields: (object) => readable.get(object) ?? [],
        resolution: ctx.resolution,
        order: ['email'],
        objects: searchable,
      },
      ctx,
    );

  const reasons: string[] = [];
  for (const auth0UserId of userIds) {
    const email =
      params.matchByEmail && auth0UserId === event.auth0UserId
        ? normaliseEmail((await options.user())?.email)
        : attemptedEmail;
    const result = await match(auth0UserId, email);
    if (result.kind === 'ambiguous') return result;
    if (result.kind === 'matched') {
      return { kind: 'found', person: await withOwner(result, auth0UserId, ctx, options.ownerNeeded) };
    }
    reasons.push(result.reason);
  }
  if (userIds.length === 0) {
    if (params.matchByEmail && attemptedEmail) {
      // Nobody in Auth0 has this email (`fu`): the attempted email is the only clue. The subject stands in
      // for a user id, so no link or external id can match it by accident.
      const result = await match(event.subject, attemptedEmail);
      if (result.kind === 'ambiguous') return result;
      if (result.kind === 'matched')
        return { kind: 'found', person: await withOwner(result, undefined, ctx, options.ownerNeeded) };
      return {
        kind: 'none',
        reason: `no Auth0 user has the attempted email; ${result.reason}`,
        auth0User: false,
      };
    }
    return {
      kind: 'none',
      reason: `no Auth0 user has the ${event.sourceType} record's login name`,
      auth0User: false,
    };
  }
  // A user deleted since (its signup was filtered for that) never gets a person: nothing to wait for.
  const exists = event.auth0UserId === undefined || (await options.user()) !== null;
  return {
    kind: 'none',
    reason: exists ? reasons.join('; ') : `${reasons.join('; ')}; the Auth0 user no longer exists`,
    auth0User: exists,
  };
}

async function withOwner(
  match: { object: string; id: string; record: SfRecord; by: string; reason: string },
  auth0UserId: string | undefined,
  ctx: Ctx,
  ownerNeeded: boolean,
): Promise<Person> {
  const object = match.object === 'Lead' ? 'Lead' : 'Contact';
  const record = match.record;
  const ownUser = (id: unknown) => (typeof id === 'string' && id.startsWith('005') ? id : undefined);
  let accountId: string | undefined;
  let ownerId = ownUser(record['OwnerId']);
  if (object === 'Contact' && typeof record['AccountId'] === 'string' && record['AccountId']) {
    accountId = record['AccountId'];
    if (ownerNeeded && ctx.params.assignTo === 'account_owner') {
      const [account] = await ctx.salesforce.retrieve('Account', [accountId], ['Id', 'OwnerId']);
      ownerId = ownUser(account?.['OwnerId']) ?? ownerId;
    }
  }
  return {
    object,
    id: match.id,
    record,
    auth0UserId,
    accountId,
    ownerId,
    why: `${object} ${match.id} matched by ${match.by}: ${match.reason}`,
  };
}
