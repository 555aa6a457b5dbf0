import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  type ClaimOrder,
  claimJobs,
  type Db,
  type JobRow,
  releaseRunningJobs,
  renewLeases,
  routeAtIngest,
} from '../store/index.js';
import type { BackoffOptions } from './backoff.js';
import type { FlightDeck } from './flight-deck.js';
import { jobsForRow, type RoutablePipeline, routeBatch } from './router.js';
import { type OutcomeReport, type RunJobDependencies, type RuntimePipeline, runJob } from './run-job.js';
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
  /** Shared with the Salesforce batchers, so their batches can leave once every job in flight waits. */
  deck?: FlightDeck;
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
 * Jobs claimed per transaction, at most, where the claim is SQL with the ids in an `IN` list (PostgreSQL). On
 * SQLite a claim reads the jobs in flight and walks the queue once whatever it takes, so a whole wave is claimed
 * in one transaction.
 */
const CLAIM_BATCH = 200;

/**
 * The asynchronous half of the service: a router loop (inbox → jobs) and a dispatcher keeping up to N jobs in flight. Loops sleep until
 * woken by new events, a retry falling due, or the poll interval; `stop()` lets running jobs finish.
 */
export function createWorker(options: WorkerOptions) {
  const { db, logger } = options;
  const events = new EventEmitter<WorkerEvents>();
  const signal = createSignal();
  const triggerSignal = createSignal();
  /** Wakes the dispatcher: jobs were routed, a job finished, or the service stops. */
  const dispatch = createSignal();
  /** Counts those wakes, so one that comes while the dispatcher is busy claiming is not lost. */
  let generation = 0;
  const notify = () => {
    generation += 1;
    dispatch.wake();
  };
  const byName = new Map(options.pipelines.map((p) => [p.name, p]));
  const routable: readonly RoutablePipeline[] = options.pipelines;
  const order = claimOrder(options.pipelines);
  /**
   * Pipelines whose org or tenant takes no calls now (a paused budget, a long rate-limit block): their jobs are
   * not claimed until it does, so they neither hold places in flight nor churn through retries meanwhile.
   */
  const paused = () => new Set(options.pipelines.filter((p) => p.holds?.()).map((p) => p.name));
  let running = false;
  let loops: Promise<void>[] = [];
  /** The jobs this instance runs now: id → its run. */
  const inFlight = new Map<number, Promise<void>>();
  const leaseSignal = createSignal();

  async function routerLoop() {
    while (running) {
      try {
        const routed = await routeBatch(db, routable, options.now());
        if (routed.rows > 0) {
          notify();
          continue;
        }
      } catch (error) {
        logger.error({ err: error }, 'routing failed; will try again');
      }
      await signal.wait(options.pollIntervalMs);
    }
  }

  const outcomes = outcomeLogger(logger);
  const report: Pick<RunJobDependencies, 'onOutcome' | 'onRetry'> = {
    onOutcome: (outcome) => {
      outcomes.info(
        {
          job: outcome.jobId,
          pipeline: outcome.pipeline,
          outcome: outcome.outcome,
          event: outcome.sourceType,
        },
        outcome.reason,
      );
      events.emit('outcome', outcome);
    },
    onRetry: (r) =>
      logger.warn(
        { job: r.jobId, pipeline: r.pipeline, attempt: r.attempt, delayMs: r.delayMs, code: r.error.code },
        'retry scheduled',
      ),
  };

  /**
   * A claim holds a job for `leaseMs`, after which another worker may take it over as if this one had died. A
   * job may rightly wait longer than that in flight (its turn at a tenant's rate limit, a long write batch), so
   * the leases of every job still running here are extended every third of a lease.
   */
  async function leaseLoop() {
    const every = Math.max(100, Math.floor(options.leaseMs / 3));
    // Also while stopping: the jobs in flight then run to their end.
    while (running || inFlight.size > 0) {
      await leaseSignal.wait(every);
      if (inFlight.size === 0) continue;
      try {
        await renewLeases(db, [...inFlight.keys()], options.now() + options.leaseMs);
      } catch (error) {
        logger.error({ err: error }, 'extending the leases of running jobs failed; will try again');
      }
    }
  }

  /**
   * Keeps up to `concurrency` jobs in flight, claiming free places in one transaction at a time. Many jobs
   * in flight at once is what lets the Salesforce batcher put their lookups and writes into shared calls.
   */
  async function dispatchLoop() {
    const wave = Math.max(1, Math.floor(options.concurrency / 2));
    const start = (job: JobRow) => {
      options.deck?.jobStarted();
      const run: Promise<void> = runJob(job, {
        db,
        pipelines: byName,
        now: options.now,
        maxAttempts: options.maxAttempts,
        backoff: options.backoff,
        ...report,
      })
        .catch((error: unknown) => logger.error({ err: error, job: job.id }, 'job failed unexpectedly'))
        .finally(() => {
          inFlight.delete(job.id);
          options.deck?.jobFinished();
          notify();
        });
      inFlight.set(job.id, run);
    };
    while (running) {
      const seen = generation;
      let claimed = 0;
      // Claim in waves (at least half the places at once, unless nothing runs), filling every free place: a
      // wave's jobs reach each lookup and write together, so they share calls; claiming one job per finished
      // job would spread them out.
      let room = options.concurrency - inFlight.size;
      if (room >= wave || inFlight.size === 0) {
        try {
          while (room > 0) {
            const asked = db.sqlite ? room : Math.min(room, CLAIM_BATCH);
            const jobs = await claimJobs(db, options.now(), options.leaseMs, asked, order, paused());
            claimed += jobs.length;
            for (const job of jobs) start(job);
            room = options.concurrency - inFlight.size;
            // A short claim: nothing more is runnable now; only new events (or finishing jobs) bring more.
            options.deck?.setBacklog(jobs.length === asked);
            if (jobs.length < asked) break;
          }
        } catch (error) {
          logger.error({ err: error }, 'claiming jobs failed; will try again');
        }
      }
      options.deck?.setFull(options.concurrency - inFlight.size < wave);
      // Claim again at once while there is room and work; otherwise wait for a finished job or new work.
      if ((claimed === 0 || options.concurrency - inFlight.size < wave) && generation === seen) {
        await dispatch.wait(options.pollIntervalMs);
      }
    }
    await Promise.all(inFlight.values());
    leaseSignal.wake();
  }

  return {
    events,
    /** New events were committed (and perhaps routed in the same commit): look now rather than at the next poll. */
    wake: () => {
      signal.wake();
      notify();
    },
    async start() {
      if (running) return;
      // A single-instance store: anything left running belonged to a process that died.
      if (db.dialect === 'sqlite') await releaseRunningJobs(db, options.now());
      running = true;
      // On SQLite, webhook deliveries are routed in the commit that stores them (see `routeAtIngest`); the
      // router loop takes what that leaves (older rows, rows of other paths).
      if (db.sqlite) routeAtIngest(db.sqlite, (row) => jobsForRow(row, routable));
      const control: TriggerControl = {
        signal: triggerSignal,
        isRunning: () => running,
        onCommitted: () => signal.wake(),
      };
      loops = [
        routerLoop(),
        dispatchLoop(),
        leaseLoop(),
        ...(options.triggers ?? []).map((trigger) => trigger(control)),
      ];
    },
    async stop() {
      running = false;
      if (db.sqlite) routeAtIngest(db.sqlite, undefined);
      signal.wake();
      dispatch.wake();
      triggerSignal.wake();
      leaseSignal.wake();
      await Promise.all(loops);
      loops = [];
    },
  };
}

/**
 * The logger for the one line every job's outcome writes: its fields are ids, names and codes, never nested
 * objects, so the service logger's path redaction (`*.email`, …) has nothing to find there, yet it cost more
 * than the rest of the line (8 against 3.7 µs a line, measured with pino 10). This child skips it; every other
 * line keeps it. Reasons carry no personal data in clear (they are what the audit trail stores).
 */
export function outcomeLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

/**
 * The cross-pipeline waits the templates ask for (`runsAfter`): among enabled live pipelines on the same
 * tenant and org, since only those can create what the waiting job looks for; another org's pause never
 * holds a job up.
 */
export function claimOrder(pipelines: readonly RuntimePipeline[]): ClaimOrder {
  const order = new Map<string, string[]>();
  for (const p of pipelines) {
    const wanted = p.template.runsAfter ?? [];
    if (wanted.length === 0) continue;
    const others = pipelines
      .filter(
        (q) =>
          q !== p &&
          q.enabled &&
          q.mode === 'live' &&
          q.tenant === p.tenant &&
          q.org === p.org &&
          wanted.includes(q.template.id),
      )
      .map((q) => q.name);
    if (others.length > 0) order.set(p.name, others);
  }
  return order;
}
