import { normaliseCloudEvent } from '../connectors/auth0/cloud-events.js';
import { normaliseAuth0Log } from '../connectors/auth0/normalise-log.js';
import { normaliseSalesforceChange } from '../connectors/salesforce/normalise-change.js';
import type { DomainEvent } from '../core/events.js';
import type { TemplateDefinition } from '../core/template.js';
import { type Db, type InboxRow, type NewJob, routeInbox, unroutedInbox } from '../store/index.js';

export interface RoutablePipeline {
  name: string;
  tenant: string;
  org: string;
  enabled: boolean;
  params: unknown;
  template: TemplateDefinition<unknown>;
}

/** Inbox rows → domain events, by the source that stored them. */
export function normaliseInboxRow(row: InboxRow): DomainEvent[] {
  switch (row.source) {
    case 'auth0.logs': {
      const data = JSON.parse(row.payload) as Record<string, unknown>;
      return normaliseAuth0Log(row.connection, row.sourceId, data);
    }
    case 'auth0.events':
      return [normaliseCloudEvent(row.connection, JSON.parse(row.payload))];
    case 'salesforce.poll': {
      const record = JSON.parse(row.payload) as Record<string, unknown>;
      return [normaliseSalesforceChange(row.connection, row.sourceId, row.sourceType, record)];
    }
    default:
      return [
        {
          kind: 'unknown',
          source: row.source,
          connection: row.connection,
          sourceId: row.sourceId,
          sourceType: row.sourceType,
          occurredAt: new Date(row.receivedAt).toISOString(),
          subject: `inbox:${row.id}`,
          details: {},
        },
      ];
  }
}

/** Which pipelines take an event: bound to its tenant, enabled, and their template accepts it. */
export function jobsForRow(row: InboxRow, pipelines: readonly RoutablePipeline[]): NewJob[] {
  let events: DomainEvent[];
  try {
    events = normaliseInboxRow(row);
  } catch (error) {
    const reason = `could not read the stored ${row.source} record: ${(error as Error).message}`;
    return [
      {
        inboxId: row.id,
        pipeline: '',
        eventIndex: 0,
        subject: `inbox:${row.id}`,
        event: '{}',
        outcome: { outcome: 'dead_lettered', reason },
      },
    ];
  }
  const jobs: NewJob[] = [];
  events.forEach((event, eventIndex) => {
    for (const pipeline of pipelines) {
      if (!pipeline.enabled) continue;
      const bound = row.source.startsWith('auth0.') ? pipeline.tenant : pipeline.org;
      if (bound !== row.connection) continue;
      if (!pipeline.template.accepts(event, pipeline.params)) continue;
      jobs.push({
        inboxId: row.id,
        pipeline: pipeline.name,
        eventIndex,
        subject: event.subject,
        event: JSON.stringify(event),
      });
    }
  });
  if (jobs.length === 0) {
    const first = events[0];
    const what =
      first?.kind === 'unknown'
        ? `${row.source} type "${row.sourceType}" is not one Concord acts on`
        : `no enabled pipeline of "${row.connection}" acts on ${first?.kind} (${row.sourceType})`;
    jobs.push({
      inboxId: row.id,
      pipeline: '',
      eventIndex: 0,
      subject: first?.subject ?? `inbox:${row.id}`,
      event: JSON.stringify(first ?? {}),
      outcome: { outcome: 'filtered', reason: what },
    });
  }
  return jobs;
}

/** Routes one batch of unrouted inbox rows; returns how many rows and jobs it routed. */
export async function routeBatch(db: Db, pipelines: readonly RoutablePipeline[], now: number, limit = 500) {
  const rows = await unroutedInbox(db, limit);
  if (rows.length === 0) return { rows: 0, jobs: 0 };
  const routed = rows.map((row) => ({ inboxId: row.id, jobs: jobsForRow(row, pipelines) }));
  await routeInbox(db, routed, now);
  return { rows: rows.length, jobs: routed.reduce((n, r) => n + r.jobs.length, 0) };
}
