/**
 * The org's change event bus: committed changes become Change Data Capture-shaped events with replay ids,
 * kept for the retention window (72 h), readable after a replay id and pushed to live subscribers.
 */
import type { OrgConfig } from '../config.js';
import { type ChangeType, type PendingChange, type Transaction, transactionKey } from '../transaction.js';

export type CdcChangeType = ChangeType | `GAP_${ChangeType}` | 'GAP_OVERFLOW';

export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: CdcChangeType;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
}

export interface CdcEvent {
  replayId: number;
  channel: string;
  payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
}

/** Fields never sent in an event body (the id is in `recordIds`; the modstamp is not a CDC field). */
const HIDDEN = new Set(['Id', 'IsDeleted', 'SystemModstamp']);
/** A safety cap on memory besides the time window. */
const MAX_EVENTS = 200_000;

export interface ChangeLog {
  events: CdcEvent[];
  /** Replay id of the newest event ever published (0 before any). */
  lastReplayId: number;
  commitNumber: number;
  listeners: Set<(events: CdcEvent[]) => void>;
}

export function createChangeLog(): ChangeLog {
  return { events: [], lastReplayId: 0, commitNumber: 0, listeners: new Set() };
}

function body(change: PendingChange): {
  fields: Record<string, unknown>;
  changed: string[];
  nulled: string[];
} {
  const fields: Record<string, unknown> = {};
  const changed: string[] = [];
  const nulled: string[] = [];
  if (change.changeType === 'DELETE') return { fields, changed, nulled };
  for (const [name, value] of Object.entries(change.after)) {
    if (HIDDEN.has(name)) continue;
    if (change.changeType === 'UPDATE') {
      if (change.before?.[name] === value) continue;
      changed.push(name);
      if (value === null) nulled.push(name);
      fields[name] = value;
    } else if (value !== null && value !== undefined) {
      fields[name] = value;
    }
  }
  return { fields, changed, nulled };
}

function append(log: ChangeLog, config: OrgConfig, now: number, events: CdcEvent[]): void {
  log.events.push(...events);
  const cutoff = now - config.cdcRetentionMs;
  let drop = 0;
  while (drop < log.events.length && log.events[drop]!.payload.ChangeEventHeader.commitTimestamp < cutoff)
    drop++;
  drop = Math.max(drop, log.events.length - MAX_EVENTS);
  if (drop > 0) log.events.splice(0, drop);
  if (events.length > 0) for (const listener of log.listeners) listener(events);
}

const enabled = (config: OrgConfig, object: string) => !config.cdcEntities || config.cdcEntities.has(object);

/** Publishes a committed transaction's changes as one commit (shared transactionKey and commitNumber). */
export function publishTransaction(log: ChangeLog, config: OrgConfig, tx: Transaction, now: number): void {
  const changes = tx.changes.filter((c) => enabled(config, c.object));
  tx.changes = [];
  if (changes.length === 0) return;
  const commitNumber = ++log.commitNumber;
  const key = transactionKey(tx);
  const events = changes.map((change, i): CdcEvent => {
    const { fields, changed, nulled } = body(change);
    return {
      replayId: ++log.lastReplayId,
      channel: `/data/${change.object}ChangeEvent`,
      payload: {
        ChangeEventHeader: {
          entityName: change.object,
          recordIds: [change.recordId],
          changeType: change.changeType,
          changedFields: changed,
          nulledFields: nulled,
          diffFields: [],
          changeOrigin: change.origin,
          transactionKey: key,
          sequenceNumber: i + 1,
          commitTimestamp: change.at,
          commitNumber,
          commitUser: change.userId,
        },
        ...fields,
      },
    };
  });
  append(log, config, now, events);
}

/** A gap or overflow event, as Salesforce sends when it cannot produce the real one: no fields, re-read by id. */
export function publishGap(
  log: ChangeLog,
  config: OrgConfig,
  gap: { entity: string; changeType: CdcChangeType; recordIds: string[]; userId: string },
  now: number,
): CdcEvent {
  const event: CdcEvent = {
    replayId: ++log.lastReplayId,
    channel: `/data/${gap.entity}ChangeEvent`,
    payload: {
      ChangeEventHeader: {
        entityName: gap.entity,
        recordIds: gap.recordIds,
        changeType: gap.changeType,
        changedFields: [],
        nulledFields: [],
        diffFields: [],
        changeOrigin: '',
        transactionKey: `gap-${log.lastReplayId}`,
        sequenceNumber: 1,
        commitTimestamp: now,
        commitNumber: ++log.commitNumber,
        commitUser: gap.userId,
      },
    },
  };
  append(log, config, now, [event]);
  return event;
}

/**
 * Events after a replay position: `-1` none yet (only new ones), `-2` everything retained, `N` those after N.
 * Undefined when N is outside what is retained (Salesforce: "The replayId {N} you provided was invalid").
 */
export function eventsAfter(
  log: ChangeLog,
  config: OrgConfig,
  now: number,
  replayId: number,
  entities?: ReadonlySet<string>,
): CdcEvent[] | undefined {
  append(log, config, now, []);
  const first = log.events[0]?.replayId ?? log.lastReplayId + 1;
  let from: number;
  if (replayId === -1) from = log.lastReplayId + 1;
  else if (replayId === -2) from = first;
  else if (replayId >= first - 1 && replayId <= log.lastReplayId) from = replayId + 1;
  else return undefined;
  const start = log.events.findIndex((e) => e.replayId >= from);
  if (start < 0) return [];
  const out = log.events.slice(start);
  return entities ? out.filter((e) => entities.has(e.payload.ChangeEventHeader.entityName)) : out;
}
