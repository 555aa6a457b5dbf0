export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter over the upper half: attempt 1 waits about `initialMs`, then doubling,
 * capped at `maxMs`. A vendor's own hint (`Retry-After`, `x-ratelimit-reset`) wins when it is longer.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  hintMs?: number,
  random = Math.random,
): number {
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, hintMs ?? 0));
}
