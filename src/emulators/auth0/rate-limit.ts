import type { RateLimitConfig, RateLimitPreset } from './types.js';

/** Auth0's documented Management API buckets (reference §2.4). */
export const RATE_LIMIT_PRESETS: Record<RateLimitPreset, RateLimitConfig> = {
  free: { perSecond: 2, burst: 10 },
  enterprise: { perSecond: 50, burst: 50 },
};

export const DEFAULT_RATE_LIMIT: RateLimitConfig = { perSecond: 50, burst: 50 };

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds: when the next token is available (429) or the bucket is full again. */
  reset: number;
}

/** A token bucket per tenant: `burst` tokens, refilled at `perSecond`. */
export function createTokenBucket(config: RateLimitConfig, now: () => number) {
  let tokens = config.burst;
  let last = now();
  const perMs = config.perSecond / 1000;

  function refill(at: number) {
    tokens = Math.min(config.burst, tokens + Math.max(0, at - last) * perMs);
    last = Math.max(last, at);
  }

  return {
    take(): RateLimitDecision {
      const at = now();
      refill(at);
      const allowed = tokens >= 1;
      if (allowed) tokens -= 1;
      const msUntil = allowed ? (config.burst - tokens) / perMs : (1 - tokens) / perMs;
      return {
        allowed,
        limit: config.burst,
        remaining: Math.floor(tokens),
        reset: Math.ceil((at + msUntil) / 1000),
      };
    },
    reset() {
      tokens = config.burst;
      last = now();
    },
  };
}

export type TokenBucket = ReturnType<typeof createTokenBucket>;

export function resolveRateLimit(option: RateLimitConfig | RateLimitPreset | false | undefined) {
  if (option === false) return undefined;
  if (option === undefined) return DEFAULT_RATE_LIMIT;
  return typeof option === 'string' ? RATE_LIMIT_PRESETS[option] : option;
}
