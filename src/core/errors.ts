/**
 * Errors whose meaning is decided at the boundary that saw them. Connectors translate vendor statuses and
 * error codes into these; the core only looks at `code`, `retryable` and `retryAfterMs`.
 */
export const ERROR_CODES = [
  'auth', // credentials rejected or token could not be minted
  'rate_limited', // 429 / REQUEST_LIMIT_EXCEEDED: wait and retry
  'unavailable', // 5xx, network failure, timeout
  'lock', // UNABLE_TO_LOCK_ROW and similar transient contention
  'not_found',
  'conflict', // duplicate value / already exists
  'duplicate_rule', // DUPLICATES_DETECTED
  'invalid_request', // bad field, malformed query, validation rule: retrying will not help
  'permission', // insufficient access / scope
  'config', // misconfiguration found at run time (missing field, unknown object)
  'ambiguous', // identity could not be decided
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ConcordErrorOptions {
  code: ErrorCode;
  retryable?: boolean;
  retryAfterMs?: number;
  /** Vendor's own code (`UNABLE_TO_LOCK_ROW`, `inexistent_user`) for diagnostics; never branch on it in core. */
  vendorCode?: string;
  status?: number;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class ConcordError extends Error {
  override readonly name = 'ConcordError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly vendorCode: string | undefined;
  readonly status: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: ConcordErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable ?? defaultRetryable(options.code);
    this.retryAfterMs = options.retryAfterMs;
    this.vendorCode = options.vendorCode;
    this.status = options.status;
    this.details = options.details;
  }
}

function defaultRetryable(code: ErrorCode): boolean {
  return code === 'rate_limited' || code === 'unavailable' || code === 'lock';
}

/** Anything thrown that is not a ConcordError is treated as a non-retryable internal error. */
export function toConcordError(error: unknown): ConcordError {
  if (error instanceof ConcordError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConcordError(message, { code: 'internal', retryable: false, cause: error });
}

/** A configuration problem: names the config path and what to do about it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/** Input from outside (a webhook body, a file) that cannot be read: answered 400 with the message, never stored. */
export class BadInputError extends Error {
  override readonly name: string = 'BadInputError';
}
