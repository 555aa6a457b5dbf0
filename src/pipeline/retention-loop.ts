import type { Logger } from 'pino';
import { type Db, pruneExpired, type RetentionPolicy } from '../store/index.js';
import type { TriggerControl } from './worker.js';

export interface RetentionLoopOptions {
  db: Db;
  policy: RetentionPolicy;
  intervalMs: number;
  now: () => number;
  logger: Logger;
}

/**
 * Prunes what the retention policy no longer keeps (`pruneExpired`): once at start, then every `intervalMs`,
 * until the worker stops. It keeps its own deadline, so wake-ups meant for the pollers do not make it prune
 * more often. A failed pass is logged and tried again at the next deadline.
 */
export function retentionLoop(options: RetentionLoopOptions) {
  return async (control: TriggerControl) => {
    const { policy, logger } = options;
    if (policy.days === null && policy.auditDays === null) return;
    let due = options.now();
    while (control.isRunning()) {
      const now = options.now();
      if (now >= due) {
        try {
          const pruned = await pruneExpired(options.db, now, policy);
          if (Object.values(pruned).some((n) => n > 0)) {
            logger.info({ pruned, ...policy }, 'pruned what the retention policy no longer keeps');
          }
        } catch (error) {
          logger.error({ err: error }, 'pruning failed; will try again at the next interval');
        }
        due = options.now() + options.intervalMs;
      }
      await control.signal.wait(Math.max(1, due - options.now()));
    }
  };
}
