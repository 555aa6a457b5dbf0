import { ConcordError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/events.js';
import type { Intent } from '../../core/intents.js';
import { sameValue } from '../../core/mapping.js';
import type { SfRecord } from '../../core/ports.js';
import type { Plan, PlanContext } from '../../core/template.js';
import { describeFields } from '../shared/describe-cache.js';
import { erasureFields } from './erasure.js';
import { findContact } from './find-contact.js';
import type { DeactivationToChurnParams } from './params.js';

export type Deactivation = 'blocked' | 'unblocked' | 'deleted';

const DAY_MS = 86_400_000;

/**
 * Block, unblock or deletion of an Auth0 user → the linked Contact's status field, a completed note Task on
 * the Contact, and an open Task for the Account owner (block and delete only); on deletion, optionally the
 * erasure of the Contact's personal fields. Block and unblock are decided on the user as Auth0 has it now
 * (a late block of a user who was unblocked since changes nothing); a deleted user cannot be re-read, so a
 * deletion is acted on when Auth0 no longer has the user. Tasks carry idempotency keys, so duplicated,
 * replayed or doubly-sourced events (log stream and Event Streams) never create a second Task.
 */
export async function planDeactivation(
  event: DomainEvent,
  ctx: PlanContext<DeactivationToChurnParams>,
): Promise<Plan> {
  const { params, pipeline } = ctx;
  const userId = event.auth0UserId;
  if (!userId) return { outcome: 'filtered', reason: `${event.sourceType} record names no user` };

  const said: Deactivation =
    event.kind === 'user.deleted' ? 'deleted' : event.kind === 'user.blocked' ? 'blocked' : 'unblocked';
  const user = await ctx.auth0.getUser(userId);
  let action = said;
  if (said === 'deleted' && user) {
    return { outcome: 'filtered', reason: 'the user still exists in Auth0; the deletion did not happen' };
  }
  if (said !== 'deleted') {
    if (!user) {
      return {
        outcome: 'filtered',
        reason: `the user no longer exists in Auth0; its deletion event sets the status, not this ${said} event`,
      };
    }
    action = user.blocked === true ? 'blocked' : 'unblocked';
  }
  const restated = action !== said ? ` (the event said ${said}; the user is ${action} now)` : '';

  const contactFields = await describeFields(ctx.salesforce, pipeline.org, 'Contact');
  for (const field of [params.externalIdField, params.statusField]) {
    if (!contactFields.all.has(field)) throw missingField(pipeline.org, 'Contact', field);
  }
  const erase = action === 'deleted' && params.erasure.enabled;
  const leadFields = await describeFields(ctx.salesforce, pipeline.org, 'Lead');
  const found = await findContact(
    ctx,
    userId,
    params.externalIdField,
    [
      params.statusField,
      'AccountId',
      'OwnerId',
      ...(erase ? params.erasure.fields.filter((f) => contactFields.all.has(f)) : []),
    ],
    leadFields.all.has(params.externalIdField),
  );
  if (found.kind === 'ambiguous') {
    return {
      outcome: 'quarantined',
      reason: `identity is ambiguous: ${found.reason}`,
      candidates: found.candidates,
    };
  }
  if (found.kind === 'missing') {
    return { outcome: 'filtered', reason: `no linked Contact for the ${action} user: ${found.reason}` };
  }
  const contact = found.contact;
  const why = `${found.why}${restated}`;

  const target =
    action === 'blocked'
      ? params.blockedValue
      : action === 'deleted'
        ? params.deletedValue
        : params.activeValue;
  const update: Record<string, unknown> = {};
  const statusChanges = !sameValue(contact[params.statusField], target);
  if (statusChanges) update[params.statusField] = target;
  const erased = erase ? await erasureFields(ctx.salesforce, contact, params.erasure) : undefined;
  if (erased) Object.assign(update, erased.fields);

  // Deletion happens once per user, whichever source reports it (sapi DELETE, sdu/du, Event Streams):
  // key it by user. Blocks can repeat, so each block event has its own key.
  const base =
    action === 'deleted'
      ? `${pipeline.name}:${userId}:deleted`
      : `${pipeline.name}:${event.sourceId}:${action}`;
  const noteKey = `${base}:note`;
  const taskKey = `${base}:owner-task`;
  const wantNote = action !== 'unblocked' || (params.noteOnUnblock && statusChanges);
  const wantTask = action !== 'unblocked';

  const taskFields = await describeFields(ctx.salesforce, pipeline.org, 'Task');
  const keyed = taskFields.all.has(params.keyField);
  const existing =
    keyed && (wantNote || wantTask)
      ? await existingKeys(ctx, params.keyField, [noteKey, taskKey])
      : new Set<string>();
  // Without the key field, the status is the only memory: once it shows the target, the Tasks were sent
  // (they are written before it), so nothing is repeated.
  const needNote = wantNote && !existing.has(noteKey) && (keyed || statusChanges);
  const needTask = wantTask && !existing.has(taskKey) && (keyed || statusChanges);
  const erasing = erased !== undefined && Object.keys(erased.fields).length > 0;
  const receipt = erased && erasing ? erasureReceipt(contact.Id, erased) : '';

  if (!needNote && !needTask && Object.keys(update).length === 0) {
    return {
      outcome: 'in_sync',
      reason: `${why}; Contact already shows ${params.statusField} = ${target}${
        wantTask ? ' and its Tasks exist' : ''
      }${erase ? '; erasure already applied' : ''}, nothing sent`,
    };
  }

  const today = new Date(ctx.clock.now());
  const day = (offset: number) => new Date(today.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
  const accountId =
    typeof contact['AccountId'] === 'string' && contact['AccountId'] ? contact['AccountId'] : undefined;
  const owner = needTask ? await taskOwner(ctx, contact, accountId) : undefined;
  const description = `Auth0 user ${userId} was ${action} (${event.sourceType} ${event.sourceId} at ${event.occurredAt}).`;
  const intents: Intent[] = [];
  if (needNote) {
    intents.push({
      kind: 'salesforce.create',
      object: 'Task',
      key: noteKey,
      keyField: params.keyField,
      fields: {
        Subject: params.noteSubject[action],
        Status: 'Completed',
        ActivityDate: day(0),
        WhoId: contact.Id,
        ...(accountId ? { WhatId: accountId } : {}),
        Description: description,
      },
    });
  }
  if (needTask && owner && action !== 'unblocked') {
    intents.push({
      kind: 'salesforce.create',
      object: 'Task',
      key: taskKey,
      keyField: params.keyField,
      fields: {
        Subject: params.taskSubject[action],
        Status: 'Not Started',
        Priority: params.taskPriority,
        ActivityDate: day(params.dueInDays),
        WhoId: contact.Id,
        ...(owner.whatId ? { WhatId: owner.whatId } : {}),
        ...(owner.ownerId ? { OwnerId: owner.ownerId } : {}),
        Description: `${description} ${owner.why}`,
      },
    });
  }
  // The status goes last: it marks the work as done for orgs without the Task key field.
  if (Object.keys(update).length > 0) {
    intents.push({ kind: 'salesforce.update', object: 'Contact', id: contact.Id, fields: update });
  }

  const done = [
    statusChanges ? `${params.statusField} → ${target}` : undefined,
    needNote ? 'note' : undefined,
    needTask ? `owner Task (${owner?.why})` : undefined,
  ].filter(Boolean);
  return {
    outcome: 'write',
    reason: `${why}; ${done.join(', ')}${receipt ? `; ${receipt}` : ''}`,
    intents,
    state: erasing
      ? {
          [`erasure:${userId}`]: {
            contactId: contact.Id,
            fields: erased?.names,
            at: today.toISOString(),
            source: `${event.sourceType} ${event.sourceId}`,
          },
        }
      : undefined,
  };
}

async function existingKeys(
  ctx: PlanContext<DeactivationToChurnParams>,
  keyField: string,
  keys: string[],
): Promise<Set<string>> {
  const found = await ctx.salesforce.find({
    object: 'Task',
    fields: ['Id', keyField],
    where: [{ field: keyField, op: 'in', values: keys }],
    limit: keys.length,
  });
  return new Set(found.map((t) => String(t[keyField])));
}

/** The Account owner (WhatId = the Account); without an Account, the Contact's owner and no WhatId. */
async function taskOwner(
  ctx: PlanContext<DeactivationToChurnParams>,
  contact: SfRecord,
  accountId: string | undefined,
): Promise<{ ownerId?: string; whatId?: string; why: string }> {
  const contactOwner = typeof contact['OwnerId'] === 'string' ? contact['OwnerId'] : undefined;
  if (accountId) {
    const [account] = await ctx.salesforce.retrieve('Account', [accountId], ['OwnerId']);
    if (account && typeof account['OwnerId'] === 'string') {
      return { ownerId: account['OwnerId'], whatId: accountId, why: `for the owner of Account ${accountId}` };
    }
    return { ownerId: contactOwner, why: `Account ${accountId} not readable; for the Contact owner` };
  }
  return { ownerId: contactOwner, why: 'the Contact has no Account; for the Contact owner' };
}

/** What the audit trail keeps of an erasure: which fields of which record, never the values. */
function erasureReceipt(contactId: string, erased: { names: string[] }): string {
  return `erasure receipt: anonymised Contact ${contactId} fields ${erased.names.join(', ')} (values not recorded)`;
}

function missingField(org: string, object: string, field: string) {
  return new ConcordError(
    `Salesforce org "${org}" has no field ${object}.${field} visible to the integration user. ` +
      `Create it (docs/templates/deactivation-to-churn.md) and grant field-level access, or set the ` +
      `pipeline's params to the field your org uses.`,
    { code: 'config', retryable: false },
  );
}
