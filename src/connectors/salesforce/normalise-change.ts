import type { DomainEvent } from '../../core/events.js';

/**
 * A changed Salesforce record (from SOQL polling or a change event) → a `salesforce.record_changed` event.
 * The record is a hint: planners re-read current state. Records of one Account share a subject, so that an
 * Account's entitlement changes and its Opportunities are handled in order.
 */
export function normaliseSalesforceChange(
  org: string,
  sourceId: string,
  object: string,
  record: Record<string, unknown>,
): DomainEvent {
  const id = String(record['Id'] ?? '');
  const accountId =
    object === 'Account'
      ? id
      : typeof record['AccountId'] === 'string' && record['AccountId']
        ? (record['AccountId'] as string)
        : undefined;
  const modstamp =
    typeof record['SystemModstamp'] === 'string'
      ? (record['SystemModstamp'] as string)
      : new Date(0).toISOString();
  return {
    kind: 'salesforce.record_changed',
    source: 'salesforce.poll',
    connection: org,
    sourceId,
    sourceType: object,
    occurredAt: modstamp,
    subject: accountId ? `account:${accountId}` : `record:${id}`,
    details: {
      object,
      id,
      lastModifiedById: record['LastModifiedById'],
      record,
    },
  };
}
