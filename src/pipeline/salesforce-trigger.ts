import type { Logger } from 'pino';
import { type PollCursor, pollChanges, type SoqlQueryPort } from '../connectors/salesforce/index.js';
import type { SalesforceTrigger } from '../core/template.js';
import { type Db, getCheckpoint, insertInbox, setCheckpoint } from '../store/index.js';
import type { createSignal } from './signal.js';

export interface SalesforceTriggerOptions {
  db: Db;
  org: string;
  port: SoqlQueryPort;
  triggers: readonly SalesforceTrigger[];
  intervalMs: number;
  overlapMs: number;
  now: () => number;
  logger: Logger;
  onCommitted: () => void;
  signal: ReturnType<typeof createSignal>;
  isRunning: () => boolean;
}

/** Merges the triggers of all pipelines on one org: one poll per object with the union of their fields. */
export function mergeTriggers(triggers: readonly SalesforceTrigger[]): SalesforceTrigger[] {
  const byObject = new Map<string, Set<string>>();
  for (const t of triggers) {
    const fields = byObject.get(t.object) ?? new Set(['Id', 'SystemModstamp', 'LastModifiedById']);
    for (const f of t.fields) fields.add(f);
    byObject.set(t.object, fields);
  }
  return [...byObject].map(([object, fields]) => ({ object, fields: [...fields] }));
}

/**
 * Polls one object of one org on `SystemModstamp` (the trigger that works on every org) and commits each
 * changed record to the inbox as `salesforce.poll` (`Id@SystemModstamp` dedupes the overlap window). A new
 * deployment starts from now: history is a backfill, not a trigger.
 */
export async function pollObjectOnce(
  options: SalesforceTriggerOptions,
  trigger: SalesforceTrigger,
): Promise<{ stored: number; hasMore: boolean }> {
  const name = `salesforce:${options.org}:${trigger.object}`;
  const saved = await getCheckpoint(options.db, name);
  const cursor: PollCursor = saved
    ? (JSON.parse(saved) as PollCursor)
    : { modstamp: new Date(options.now()).toISOString(), ids: [] };
  const result = await pollChanges({
    port: options.port,
    object: trigger.object,
    fields: trigger.fields,
    since: cursor,
    overlapMs: options.overlapMs,
  });
  const { inserted } = await insertInbox(
    options.db,
    result.records.map((record) => ({
      source: 'salesforce.poll',
      connection: options.org,
      sourceId: `${trigger.object}:${record.Id}@${record['SystemModstamp']}`,
      sourceType: trigger.object,
      payload: JSON.stringify(record),
    })),
    options.now(),
  );
  await setCheckpoint(options.db, name, JSON.stringify(result.cursor), options.now());
  if (inserted > 0) options.onCommitted();
  return { stored: inserted, hasMore: result.hasMore };
}

export async function runSalesforceTrigger(options: SalesforceTriggerOptions) {
  const triggers = mergeTriggers(options.triggers);
  while (options.isRunning()) {
    let more = false;
    for (const trigger of triggers) {
      try {
        const { hasMore } = await pollObjectOnce(options, trigger);
        more ||= hasMore;
      } catch (error) {
        options.logger.warn(
          { err: error, org: options.org, object: trigger.object },
          'Salesforce poll failed; will retry',
        );
      }
    }
    if (!more) await options.signal.wait(options.intervalMs);
  }
}
