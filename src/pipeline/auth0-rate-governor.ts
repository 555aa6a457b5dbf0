import { ConcordError } from '../core/errors.js';
import type { Auth0Port } from '../core/ports.js';

export interface Auth0RateOptions {
  tenant: string;
  /** Sustained Management API requests per second Concord may send to this tenant. */
  requestsPerSecond: number;
  /** Requests that may go at once after a quiet spell. */
  burst: number;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * Waits longer than this are not slept through, whether for a block to end or for a turn behind other callers:
   * the job is retried later instead, giving its place in flight back.
   */
  maxWaitMs?: number;
}

export interface RateSnapshot {
  tenant: string;
  tokens: number;
  blockedUntil: number | undefined;
  sent: number;
  /** Callers waiting for their turn now. */
  waiting: number;
  /** Calls refused because their turn was further off than a call waits (each retried later). */
  deferred: number;
}

/**
 * A token bucket per Auth0 tenant, also obeying what Auth0 says: `x-ratelimit-remaining: 0` or a 429 blocks
 * until `x-ratelimit-reset`. Callers wait their turn, so the tenant is never sent more than allowed. A wait
 * longer than `maxWaitMs`, for a block to end or for a turn behind the callers already waiting, becomes a
 * retryable `rate_limited` error instead of a sleeping job: a backlog on a tenant with a low rate then holds
 * no more places in flight than its turns within that time, and the places go to other tenants' jobs. Refused
 * callers are told to come back at successive turns (`retryAfterMs`), so they return spread at the tenant's
 * rate rather than all together.
 */
export function createAuth0RateGovernor(options: Auth0RateOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  let tokens = options.burst;
  let refilledAt = options.now();
  let blockedUntil: number | undefined;
  let sent = 0;
  let waiting = 0;
  let deferred = 0;
  /** The latest return time handed to a refused caller; the next one is told to come a turn later. */
  let promisedAt = 0;
  let queue: Promise<void> = Promise.resolve();

  function refill() {
    const now = options.now();
    tokens = Math.min(options.burst, tokens + ((now - refilledAt) / 1000) * options.requestsPerSecond);
    refilledAt = now;
  }

  const waitLeft = () => (blockedUntil === undefined ? 0 : blockedUntil - options.now());
  const blocked = (wait: number) =>
    new ConcordError(`Auth0 tenant "${options.tenant}" is rate limited for ${Math.ceil(wait / 1000)} s`, {
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: wait,
    });

  /** How long a call asked for now would wait: for a block to end, then for the turns of those ahead of it. */
  function waitForTurn(): number {
    refill();
    const ahead = waiting + 1 - tokens;
    return Math.max(0, waitLeft()) + (ahead > 0 ? (ahead / options.requestsPerSecond) * 1000 : 0);
  }

  /** Serialised: each caller waits for the previous one's slot, so the order of grants is fair (FIFO). */
  function acquire(): Promise<void> {
    const wait = waitForTurn();
    if (wait > maxWaitMs) {
      const now = options.now();
      const at = Math.max(now + wait, promisedAt + 1000 / options.requestsPerSecond);
      promisedAt = at;
      deferred += 1;
      return Promise.reject(blocked(at - now));
    }
    waiting += 1;
    const turn = queue.then(async () => {
      for (;;) {
        const now = options.now();
        if (blockedUntil !== undefined && now < blockedUntil) {
          const wait = blockedUntil - now;
          if (wait > maxWaitMs) throw blocked(wait);
          await sleep(wait);
          continue;
        }
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          sent += 1;
          return;
        }
        await sleep(Math.ceil(((1 - tokens) / options.requestsPerSecond) * 1000));
      }
    });
    queue = turn
      .catch(() => undefined)
      .finally(() => {
        waiting -= 1;
      });
    return turn;
  }

  return {
    acquire,
    /**
     * Throws what a call would meet while the tenant is blocked for longer than a job sleeps through, without
     * taking a turn: a job checks it before it plans, so it does not spend other calls only to be refused here.
     */
    ready() {
      const wait = waitLeft();
      if (wait > maxWaitMs) throw blocked(wait);
    },
    /**
     * A call asked for now would be refused: blocked, or behind more waiting callers than get a turn within a
     * call's wait. The worker then claims no more of this tenant's jobs until the queue has moved on.
     */
    holds: () => waitForTurn() > maxWaitMs,
    snapshot: (): RateSnapshot => ({
      tenant: options.tenant,
      tokens: Math.floor(tokens),
      blockedUntil,
      sent,
      waiting,
      deferred,
    }),
    /** What the last response said (`x-ratelimit-*`). */
    observe(rate: { remaining: number; resetAt: number } | undefined) {
      if (rate && rate.remaining <= 0 && rate.resetAt > options.now()) blockedUntil = rate.resetAt;
    },
    failed(error: unknown) {
      if (error instanceof ConcordError && error.code === 'rate_limited') {
        blockedUntil = options.now() + (error.retryAfterMs ?? 1000);
      }
    },
  };
}
export type Auth0RateGovernor = ReturnType<typeof createAuth0RateGovernor>;

const CALLS = [
  'getUser',
  'getUsersByEmail',
  'createUser',
  'updateUser',
  'getUserRoles',
  'assignRoles',
  'removeRoles',
  'listRoles',
  'getLogs',
] as const;

/**
 * The same port with every Management API call taking a turn from the tenant's governor. The invitation email
 * goes to the Authentication API, whose limits are separate: a 429 there retries that job alone.
 */
export function governAuth0<
  T extends Auth0Port & { rateLimit?: () => { remaining: number; resetAt: number } | undefined },
>(port: T, governor: Auth0RateGovernor): T {
  const out = { ...port } as unknown as Record<string, unknown>;
  for (const name of CALLS) {
    const fn = (port[name] as (...args: unknown[]) => Promise<unknown>).bind(port);
    out[name] = async (...args: unknown[]) => {
      await governor.acquire();
      try {
        return await fn(...args);
      } catch (error) {
        governor.failed(error);
        throw error;
      } finally {
        governor.observe(port.rateLimit?.());
      }
    };
  }
  return out as T;
}
