import type { Logger } from 'pino';
import type { ChangeEvent, ChangeFeedPort } from '../core/change-feed.js';
import { type Db, getCheckpoint, setCheckpoint } from '../store/index.js';
import type { TriggerControl } from './worker.js';

export interface ChangeFeedTriggerOptions {
  db: Db;
  org: string;
  feed: ChangeFeedPort;
  entities: readonly string[];
  /** The `Sforce-Call-Options` client Concord stamps its writes with. */
  ownClient: string;
  now: () => number;
  logger: Logger;
  /** Runs the org's SOQL pollers now. */
  pollNow: () => void;
}

/**
 * Change events as triggers: a change by anyone but Concord (by `changeOrigin`) makes the org's pollers read
 * at once instead of at their next interval. The events are hints only — the poll reads the records as they
 * are now, with the same dedupe — so a missed, repeated or gap event costs nothing but latency, and Concord's
 * own changes do not even wake the pollers.
 */
export async function runChangeFeedTrigger(options: ChangeFeedTriggerOptions, control: TriggerControl) {
  const name = `salesforce-cdc:${options.org}`;
  const abort = new AbortController();
  const stop = setInterval(() => {
    if (!control.isRunning()) abort.abort();
  }, 200);
  try {
    while (control.isRunning()) {
      const from = (await getCheckpoint(options.db, name)) ?? 'latest';
      try {
        await options.feed.subscribe({
          entities: options.entities,
          fromReplayId: from,
          signal: abort.signal,
          onEvents: async (events: readonly ChangeEvent[]) => {
            if (events.some((e) => e.origin.client !== options.ownClient)) options.pollNow();
            const last = events.at(-1);
            if (last) await setCheckpoint(options.db, name, last.replayId, options.now());
          },
        });
      } catch (error) {
        options.logger.warn(
          { err: error, org: options.org },
          'Salesforce change feed failed; polling continues, reconnecting',
        );
        await control.signal.wait(5000);
      }
    }
  } finally {
    clearInterval(stop);
  }
}
