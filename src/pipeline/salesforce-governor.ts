import { ConcordError } from '../core/errors.js';
import type { SalesforcePort } from '../core/ports.js';

export interface SalesforceBudgetOptions {
  org: string;
  /** Fraction of the org's daily API allocation Concord may use (the rest is for people and other tools). */
  share: number;
  /** While paused, how often one `/limits` call checks whether the window has freed up. */
  probeIntervalMs: number;
  now: () => number;
  /** Current usage from `GET /limits`: read once before the first call, then while paused. */
  probe: () => Promise<{ used: number; limit: number }>;
  onChange?: (snapshot: BudgetSnapshot) => void;
  /** `GET /limits` failed for a reason other than the limit itself (the budget goes on without it). */
  onProbeFailed?: (error: unknown) => void;
}

export interface BudgetSnapshot {
  org: string;
  used: number | undefined;
  limit: number | undefined;
  allowed: number | undefined;
  pausedUntil: number | undefined;
  reason: string | undefined;
}

/**
 * Keeps Concord inside its share of an org's rolling 24-hour API allocation. Usage comes from `/limits`
 * before the first call, then from `Sforce-Limit-Info` on every response (org-wide, so every instance sees
 * what all instances spend). Past the share, or on `REQUEST_LIMIT_EXCEEDED`, calls are refused with a
 * retryable `rate_limited` error (jobs wait, nothing is lost) until a `/limits` probe shows room again.
 */
export function createSalesforceBudget(options: SalesforceBudgetOptions) {
  let used: number | undefined;
  let limit: number | undefined;
  let pausedUntil: number | undefined;
  let reason: string | undefined;
  let probing: Promise<void> | undefined;
  let started: Promise<void> | undefined;

  const allowed = () => (limit === undefined ? undefined : Math.floor(limit * options.share));
  const snapshot = (): BudgetSnapshot => ({
    org: options.org,
    used,
    limit,
    allowed: allowed(),
    pausedUntil,
    reason,
  });
  const pause = (why: string) => {
    pausedUntil = options.now() + options.probeIntervalMs;
    reason = why;
    options.onChange?.(snapshot());
  };
  const overShare = () => used !== undefined && allowed() !== undefined && used >= allowed()!;

  /** Reads `/limits`: the usage it shows, a refusal as over the limit (paused), or another failure. */
  async function readLimits(): Promise<'read' | 'refused' | 'failed'> {
    try {
      const usage = await options.probe();
      used = usage.used;
      limit = usage.limit;
      return 'read';
    } catch (error) {
      // Refused as over the limit: the org is exhausted, whatever usage was last seen (responses of
      // concurrent calls may be observed out of order, so that figure can be a call or two behind).
      if (isLimitExceeded(error)) {
        pause(`the /limits probe was refused: ${error.message}`);
        return 'refused';
      }
      // Any other failure (for example a user without "View Setup and Configuration", which `/limits`
      // needs) must not hold the org: the usage last seen decides, and the next call's response tells.
      options.onProbeFailed?.(error);
      return 'failed';
    }
  }

  /** Reads the allocation from `/limits` once; every call waits for that first read. */
  function start(): Promise<void> {
    started ??= readLimits().then((outcome) => {
      if (outcome === 'read') options.onChange?.(snapshot());
    });
    return started;
  }

  async function probe() {
    if ((await readLimits()) === 'refused') return; // still exhausted, paused for another interval
    if (overShare())
      pause(`Concord has used ${used} of its ${allowed()} calls (share ${options.share} of ${limit})`);
    else {
      pausedUntil = undefined;
      reason = undefined;
      options.onChange?.(snapshot());
    }
  }

  return {
    snapshot,
    start,
    /** Paused, with the probe not yet due: calls now would be refused without one going out. */
    holds: () => pausedUntil !== undefined && options.now() < pausedUntil,
    /** Before a call: refuses while paused; probes once the pause has run out. */
    async acquire() {
      await start();
      if (pausedUntil !== undefined && options.now() >= pausedUntil) {
        probing ??= probe().finally(() => {
          probing = undefined;
        });
        await probing;
      }
      if (pausedUntil === undefined && overShare())
        pause(`Concord has used ${used} of its ${allowed()} calls (share ${options.share} of ${limit})`);
      if (pausedUntil !== undefined) {
        throw new ConcordError(`Salesforce org "${options.org}" is paused: ${reason}`, {
          code: 'rate_limited',
          retryable: true,
          retryAfterMs: Math.max(1000, pausedUntil - options.now()),
          details: { budget: true },
        });
      }
    },
    /** After a call: the usage the response reported. */
    observe(usage: { used: number; limit: number } | undefined) {
      if (!usage) return;
      const changed = usage.limit !== limit || Math.floor(usage.used / 100) !== Math.floor((used ?? 0) / 100);
      used = usage.used;
      limit = usage.limit;
      if (changed) options.onChange?.(snapshot());
    },
    /** A call failed: an exhausted org pauses everything for this org. */
    failed(error: unknown) {
      if (isLimitExceeded(error))
        pause(`Salesforce answered ${error.vendorCode ?? 'rate limited'}: ${error.message}`);
    },
  };
}
export type SalesforceBudget = ReturnType<typeof createSalesforceBudget>;

/** Salesforce refused a call as over a limit (not Concord's own budget refusing it before it was sent). */
function isLimitExceeded(error: unknown): error is ConcordError {
  return error instanceof ConcordError && error.code === 'rate_limited' && !error.details?.['budget'];
}

/** The same port, with every call passing through the org's budget. */
export function governSalesforce<T extends SalesforcePort>(port: T, budget: SalesforceBudget): T {
  const guarded =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await budget.acquire();
      try {
        return await fn(...args);
      } catch (error) {
        budget.failed(error);
        throw error;
      } finally {
        budget.observe(port.apiUsage());
      }
    };
  return {
    ...port,
    find: guarded(port.find.bind(port)),
    retrieve: guarded(port.retrieve.bind(port)),
    create: guarded(port.create.bind(port)),
    update: guarded(port.update.bind(port)),
    upsert: guarded(port.upsert.bind(port)),
    describe: guarded(port.describe.bind(port)),
    ...(port.composite ? { composite: guarded(port.composite.bind(port)) } : {}),
    ...('query' in port && typeof port.query === 'function'
      ? { query: guarded((port.query as (s: string) => Promise<unknown>).bind(port)) }
      : {}),
  };
}
