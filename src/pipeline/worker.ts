import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { claimJob, type Db, releaseRunningJobs } from '../store/index.js';
import type { BackoffOptions } from './backoff.js';
import { type RoutablePipeline, routeBatch } from './router.js';
import { type OutcomeReport, type RuntimePipeline, runJob } from './run-job.js';
import { createSignal } from './signal.js';

export interface WorkerOptions {
  db: Db;
  pipelines: readonly RuntimePipeline[];
  now: () => number;
  logger: Logger;
  concurrency: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  leaseMs: number;
  pollIntervalMs: number;
  /** Trigger loops (pollers) that run beside the router and the job loops until `stop()`. */
  triggers?: ((control: TriggerControl) => Promise<void>)[];
}

export interface TriggerControl {
  signal: ReturnType<typeof createSignal>;
  isRunning: () => boolean;
  /** New events were committed. */
  onCommitted: () => void;
}

export interface WorkerEvents {
  outcome: [OutcomeReport];
}

/**
 * The asynchronous half of the service: a router loop (inbox → jobs) and N job loops. Loops sleep until
 * woken by new events, a retry falling due, or the poll interval; `stop()` lets running jobs finish.
 */
export function createWorker(options: WorkerOptions) {
  const { db, logger } = options;
  const events = new EventEmitter<WorkerEvents>();
  const signal = createSignal();
  const triggerSignal = createSignal();
  const byName = new Map(options.pipelines.map((p) => [p.name, p]));
  const routable: readonly RoutablePipeline[] = options.pipelines;
  let running = false;
  let loops: Promise<void>[] = [];

  async function routerLoop() {
    while (running) {
      try {
        const routed = await routeBatch(db, routable, options.now());
        if (routed.rows > 0) {
          signal.wake();
          continue;
        }
      } catch (error) {
        logger.error({ err: error }, 'routing failed; will try again');
      }
      await signal.wait(options.pollIntervalMs);
    }
  }

  async function jobLoop(index: number) {
    while (running) {
      let worked = false;
      try {
        const job = await claimJob(db, options.now(), options.leaseMs);
        if (job) {
          worked = true;
          await runJob(job, {
            db,
            pipelines: byName,
            now: options.now,
            maxAttempts: options.maxAttempts,
            backoff: options.backoff,
            onOutcome: (report) => {
              logger.info(
                {
                  job: report.jobId,
                  pipeline: report.pipeline,
                  outcome: report.outcome,
                  event: report.sourceType,
                },
                report.reason,
              );
              events.emit('outcome', report);
            },
            onRetry: (r) =>
              logger.warn(
                {
                  job: r.jobId,
                  pipeline: r.pipeline,
                  attempt: r.attempt,
                  delayMs: r.delayMs,
                  code: r.error.code,
                },
                'retry scheduled',
              ),
          });
        }
      } catch (error) {
        logger.error({ err: error, loop: index }, 'job loop error; will try again');
      }
      if (!worked) await signal.wait(options.pollIntervalMs);
    }
  }

  return {
    events,
    /** New events were committed: look now rather than at the next poll. */
    wake: () => signal.wake(),
    async start() {
      if (running) return;
      // A single-instance store: anything left running belonged to a process that died.
      if (db.dialect === 'sqlite') await releaseRunningJobs(db, options.now());
      running = true;
      const control: TriggerControl = {
        signal: triggerSignal,
        isRunning: () => running,
        onCommitted: () => signal.wake(),
      };
      loops = [
        routerLoop(),
        ...Array.from({ length: options.concurrency }, (_, i) => jobLoop(i)),
        ...(options.triggers ?? []).map((trigger) => trigger(control)),
      ];
    },
    async stop() {
      running = false;
      signal.wake();
      triggerSignal.wake();
      await Promise.all(loops);
      loops = [];
    },
  };
}
