import type { Auth0User } from '../../core/ports.js';

/** A tenant log record as `/api/v2/logs` returns it and log streams wrap it. */
export interface LogRecord {
  log_id: string;
  _id: string;
  date: string;
  type: string;
  description?: string;
  tenant_name?: string;
  $event_schema?: { version: string };
  client_id?: string;
  client_name?: string;
  ip?: string;
  user_agent?: string;
  hostname?: string;
  user_id?: string;
  user_name?: string;
  connection?: string;
  connection_id?: string;
  strategy?: string;
  strategy_type?: string;
  audience?: string;
  scope?: string | string[] | null;
  isMobile?: boolean;
  details?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What a caller may give `appendLog`: any record without the ids the emulator assigns. */
export type LogRecordInput = Partial<Omit<LogRecord, 'log_id' | '_id'>> & { type: string };

export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string[];
}

export interface RateLimitConfig {
  perSecond: number;
  burst: number;
}

export type LogStreamFormat = 'JSONARRAY' | 'JSONLINES' | 'JSONOBJECT';

export interface LogStreamConfig {
  id?: string;
  url: string;
  format: LogStreamFormat;
  /** Sent verbatim as the `Authorization` header (Auth0 adds no `Bearer ` prefix). */
  authorization?: string;
  headers?: Record<string, string>;
  /** Records per request for JSONARRAY/JSONLINES (Auth0's is undocumented). Default 100. */
  batchSize?: number;
  /** Test knob: every Nth record is delivered twice. */
  duplicateEvery?: number;
  /** Test knob: each batch is delivered in reverse order. */
  reorder?: boolean;
  /** Delay before retry n (1-based) is `retryDelayMs * n`. Default 100. */
  retryDelayMs?: number;
  /** Consecutive failed batches after which the stream is suspended. Default 3. */
  suspendAfterFailures?: number;
  /** Test knob: every Nth record is never delivered (lost), counted in `status.discarded`. */
  dropEvery?: number;
  /** Test knob: wait this long before each delivery request (a slow pipe). */
  delayMs?: number;
  /**
   * Auth0's "Starting Cursor": replay existing records instead of starting at "now". `logId` starts after
   * that id (like checkpoint `from`); `date` starts at the first record at or after that ISO date.
   */
  startFrom?: { logId?: string; date?: string };
  /** Deliveries in flight at once (Auth0's is undocumented). Default 1: in-order batches. */
  concurrency?: number;
}

export type LogStreamState = 'active' | 'suspended';

export interface LogStreamStatus {
  id: string;
  url: string;
  format: LogStreamFormat;
  state: LogStreamState;
  /** Records not yet attempted. */
  pending: number;
  delivered: number;
  /** Records given up on after the retries (Auth0 logs these in the stream's Health tab). */
  dropped: number;
  requests: number;
  failedRequests: number;
  consecutiveFailures: number;
  /** Records lost on purpose by the `dropEvery` knob. */
  discarded: number;
  lastError?: string;
}

export type UserEventType = 'user.created' | 'user.updated' | 'user.deleted';

/** A change to a user, as Event Streams carry it (`data.object` is the user after the change). */
export interface UserEvent {
  id: string;
  type: UserEventType;
  time: string;
  user: Auth0User;
}

/** Webhook destination auth, as `EventStreamWebhookConfiguration` declares it. */
export type EventStreamAuth =
  | { method: 'bearer'; token: string }
  | { method: 'basic'; username: string; password: string }
  | { method: 'custom_header'; header_key: string; header_value: string };

export interface EventStreamConfig {
  /** `est_…`; generated when absent. */
  id?: string;
  url: string;
  auth?: EventStreamAuth;
  /** Which types to deliver; default all three user events. */
  subscriptions?: UserEventType[];
  /** Retries per event after the first attempt. Default 3. */
  retries?: number;
  /** Delay before retry n is `retryDelayMs * n`. Default 100. */
  retryDelayMs?: number;
  /** Test knob: every Nth event is delivered twice. */
  duplicateEvery?: number;
  /** Test knob: events are delivered in reversed windows of this many (true = 10). */
  reorder?: boolean | number;
  /** Auth0 disables a stream after 500 consecutive or 5,000 total failed events. */
  disableAfterConsecutiveFailures?: number;
  disableAfterTotalFailures?: number;
  /** Deliveries in flight at once. Default 1. */
  concurrency?: number;
}

export interface EventStreamFailure {
  id: string;
  event_stream_id: string;
  status: 'failed';
  event_type: UserEventType;
  attempts: Array<{ status: number | null; error?: string }>;
  event: unknown;
}

export interface EventStreamStatus {
  id: string;
  url: string;
  status: 'enabled' | 'disabled';
  pending: number;
  delivered: number;
  failed: number;
  requests: number;
  consecutiveFailures: number;
  lastError?: string;
}

export interface Auth0EmulatorOptions {
  tenant?: string;
  domain?: string;
  clients?: Array<{ clientId: string; clientSecret: string; name?: string; scopes?: string[] }>;
  rateLimit?: RateLimitConfig | RateLimitPreset | false;
  now?: () => number;
  logStreams?: LogStreamConfig[];
  /** How often the background pusher looks for pending records. Default 100 ms. */
  logStreamIntervalMs?: number;
  eventStreams?: EventStreamConfig[];
  /** Failed logins for one user from one IP before `limit_wc`. Default 10. */
  bruteForceThreshold?: number;
  /** How long (emulator clock) a users-export job stays `pending`. Default 0 (done at the first poll). */
  exportJobDurationMs?: number;
}

export type RateLimitPreset = 'free' | 'enterprise';

export interface StoredRole {
  id: string;
  name: string;
  description: string;
}

export type { Auth0User };
