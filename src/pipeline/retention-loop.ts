import type { Logger } from 'pino';
import {
  type Db,
  keepsEverything,
  type PruneCounts,
  pruneExpired,
  type RetentionPolicy,
} from '../store/index.js';
import type { TriggerControl } from './worker.js';

export interface RetentionLoopOptions {
  db: Db;
  policy: RetentionPolicy;
  intervalMs: number;
  now: () => number;
  logger: Logger;
}

/** What `/metrics` and `/admin/status` show of the retention loop. */
export interface RetentionSnapshot extends RetentionPolicy {
  /** Passes completed since the service started. */
  passes: number;
  /** When the last pass ended (epoch ms), if any. */
  lastPassAt?: number;
  /** Why the last pass failed, if it did (cleared by the next pass that succeeds). */
  lastError?: string;
  /** Rows deleted since the service started, by table. */
  pruned: PruneCounts;
}

/**
 * Prunes what the retention policy no longer keeps (`pruneExpired`): once at start, then every `intervalMs`,
 * until the worker stops. It keeps its own deadline, so wake-ups meant for the pollers do not make it prune
 * more often. A failed pass is logged and tried again at the next deadline.
 */
export function createRetention(options: RetentionLoopOptions) {
  const { policy, logger } = options;
  const state: RetentionSnapshot = {
    ...policy,
    passes: 0,
    pruned: { inbox: 0, jobs: 0, intents: 0, quarantine: 0, audit: 0 },
  };
  async function pass(now: number) {
    try {
      const pruned = await pruneExpired(options.db, now, policy);
      for (const [table, n] of Object.entries(pruned) as [keyof PruneCounts, number][])
        state.pruned[table] += n;
      state.passes += 1;
      state.lastPassAt = options.now();
      delete state.lastError;
      if (Object.values(pruned).some((n) => n > 0)) {
        logger.info({ pruned, ...policy }, 'pruned what the retention policy no longer keeps');
      }
    } catch (error) {
      state.lastError = (error as Error).message;
      logger.error({ err: error }, 'pruning failed; will try again at the next interval');
    }
  }
  return {
    snapshot: (): RetentionSnapshot => ({ ...state, pruned: { ...state.pruned } }),
    /** The loop, as a worker trigger. */
    trigger: async (control: TriggerControl) => {
      if (keepsEverything(policy)) return;
      let due = options.now();
      while (control.isRunning()) {
        if (options.now() >= due) {
          await pass(options.now());
          due = options.now() + options.intervalMs;
        }
        await control.signal.wait(Math.max(1, due - options.now()));
      }
    },
  };
}
