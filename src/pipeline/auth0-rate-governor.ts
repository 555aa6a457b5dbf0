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
  /** Waits longer than this are not slept through: the job is retried later instead. */
  maxWaitMs?: number;
}

export interface RateSnapshot {
  tenant: string;
  tokens: number;
  blockedUntil: number | undefined;
  sent: number;
}

/**
 * A token bucket per Auth0 tenant, also obeying what Auth0 says: `x-ratelimit-remaining: 0` or a 429 blocks
 * until `x-ratelimit-reset`. Callers wait their turn, so the tenant is never sent more than allowed; a long
 * block becomes a retryable `rate_limited` error instead of a sleeping worker.
 */
export function createAuth0RateGovernor(options: Auth0RateOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxWaitMs = options.maxWaitMs ?? 5_000;
  let tokens = options.burst;
  let refilledAt = options.now();
  let blockedUntil: number | undefined;
  let sent = 0;
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

  /** Serialised: each caller waits for the previous one's slot, so the order of grants is fair (FIFO). */
  function acquire(): Promise<void> {
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
    queue = turn.catch(() => undefined);
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
    /** Blocked for longer than a call sleeps through: a job started now would be refused by `ready()`. */
    holds: () => waitLeft() > maxWaitMs,
    snapshot: (): RateSnapshot => ({
      tenant: options.tenant,
      tokens: Math.floor(tokens),
      blockedUntil,
      sent,
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
