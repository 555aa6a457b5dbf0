import type { createDashboardActions } from '../dashboard-actions.js';
import type { createEndUserActions } from '../end-user-actions.js';
import type { EmulatorState } from '../state.js';
import { type ActivityContext, perform } from './activities.js';
import { type Activity, type ActivityMix, createPicker } from './mix.js';
import { createPopulation } from './population.js';
import { createPrng } from './prng.js';

export { ACTIVITIES, type Activity, type ActivityMix, DEFAULT_MIX } from './mix.js';

export interface SimulateOptions {
  seed: number | string;
  /** Activities per second (each writes one or more log records). */
  ratePerSecond: number;
  /** Stop after this long (wall clock). */
  durationMs?: number;
  /** Stop after this many activities. Without it or `durationMs`, runs until `stop()`. */
  count?: number;
  mix?: ActivityMix;
}

export interface SimulationStats {
  activities: number;
  /** Log records appended while it ran (by anyone). */
  records: number;
  byActivity: Partial<Record<Activity, number>>;
  /** Activities that failed because something else changed the tenant meanwhile. */
  errors: number;
  elapsedMs: number;
}

export interface SimulationHandle {
  stop(): void;
  /** Resolves when the run ends (count reached, duration elapsed, stopped, or the emulator was reset). */
  done: Promise<SimulationStats>;
  /** Progress so far. */
  stats(): SimulationStats;
}

/**
 * Realistic tenant activity, deterministic from a seed: the same seed on the same starting tenant
 * gives the same sequence of activities, users (ids and emails) and record types.
 */
export function createSimulator(
  state: EmulatorState,
  endUser: ReturnType<typeof createEndUserActions>,
  dashboard: ReturnType<typeof createDashboardActions>,
) {
  const running = new Set<SimulationHandle>();

  function session(seed: number | string, mix: ActivityMix | undefined) {
    const ctx: ActivityContext = {
      state,
      endUser,
      dashboard,
      population: createPopulation(state),
      rng: createPrng(seed),
    };
    const pick = createPicker(mix);
    const startRecords = state.logs.length;
    const generation = state.generation;
    const started = performance.now();
    const stats: SimulationStats = { activities: 0, records: 0, byActivity: {}, errors: 0, elapsedMs: 0 };
    return {
      stats,
      generation,
      step() {
        const wanted = pick(ctx.rng);
        try {
          const done = perform(ctx, wanted);
          stats.byActivity[done] = (stats.byActivity[done] ?? 0) + 1;
        } catch {
          stats.errors += 1;
        }
        stats.activities += 1;
      },
      snapshot(): SimulationStats {
        stats.records = state.generation === generation ? state.logs.length - startRecords : stats.records;
        stats.elapsedMs = performance.now() - started;
        return { ...stats, byActivity: { ...stats.byActivity } };
      },
    };
  }

  return {
    /** Produces `count` activities synchronously. */
    generate(count: number, options: { seed: number | string; mix?: ActivityMix }): SimulationStats {
      const run = session(options.seed, options.mix);
      for (let i = 0; i < count; i++) run.step();
      return run.snapshot();
    },
    simulate(options: SimulateOptions): SimulationHandle {
      if (!(options.ratePerSecond > 0)) throw new Error('simulate: ratePerSecond must be positive');
      const run = session(options.seed, options.mix);
      const limit = options.count ?? Number.POSITIVE_INFINITY;
      const started = performance.now();
      const tickMs = Math.max(1, Math.min(50, Math.floor(1000 / options.ratePerSecond)));
      let timer: NodeJS.Timeout | undefined;
      let finish!: (stats: SimulationStats) => void;
      const done = new Promise<SimulationStats>((resolve) => {
        finish = resolve;
      });
      const handle: SimulationHandle = {
        stop() {
          if (timer === undefined) return;
          clearInterval(timer);
          timer = undefined;
          running.delete(handle);
          finish(run.snapshot());
        },
        done,
        stats: () => run.snapshot(),
      };
      const tick = () => {
        const elapsed = performance.now() - started;
        const due = Math.min(limit, Math.floor((elapsed * options.ratePerSecond) / 1000) + 1);
        while (run.stats.activities < due && state.generation === run.generation) run.step();
        const over =
          run.stats.activities >= limit ||
          (options.durationMs !== undefined && elapsed >= options.durationMs) ||
          state.generation !== run.generation;
        if (over) handle.stop();
      };
      timer = setInterval(tick, tickMs);
      // an open-ended run must not keep the process alive; a bounded one must, or `done` never settles
      if (limit === Number.POSITIVE_INFINITY && options.durationMs === undefined) timer.unref();
      running.add(handle);
      queueMicrotask(tick);
      return handle;
    },
    stopAll() {
      for (const handle of [...running]) handle.stop();
    },
  };
}
