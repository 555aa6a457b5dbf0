/** What every handler sees: the org state, configuration, faults, counters and the request log. */
import type { Faults } from './faults.js';
import type { OrgState } from './state.js';

export interface ClientConfig {
  clientId: string;
  clientSecret?: string;
  /** Public certificate or SPKI PEM, for JWT bearer (RS256). */
  certificatePem?: string;
  runAsUsername?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  kind: string;
  /** The kinds of a composite call's subrequests, in order (`query`, `collections.upsert`, …). */
  subrequests?: string[];
  /** The `client=` value of `Sforce-Call-Options`, if sent. */
  client: string | undefined;
  status: number;
  at: number;
}

export interface EmulatorEnv {
  state: OrgState;
  clients: Map<string, ClientConfig>;
  faults: Faults;
  counters: { total: number; byKind: Record<string, number> };
  requestLog: RequestLogEntry[];
  queryBatchSize: number;
  now: () => number;
  logRequests: boolean;
  /** API requests being handled right now (for the concurrency-limit hook). */
  inFlight: number;
  /** More concurrent API requests than this → 403 "ConcurrentPerOrgLongTxn Limit exceeded."; undefined = no limit. */
  concurrencyLimit: number | undefined;
  /** Interval of heartbeat lines on the CDC stream. */
  cdcHeartbeatMs: number;
}

/** Route handlers return this; the app adds headers and records the call. */
export interface HandlerResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A non-JSON body (Bulk API CSV); sent as-is with `contentType`. */
  raw?: { text: string; contentType: string };
}

const MAX_LOG = 10_000;

export function recordRequest(env: EmulatorEnv, entry: RequestLogEntry): void {
  env.counters.total += 1;
  env.counters.byKind[entry.kind] = (env.counters.byKind[entry.kind] ?? 0) + 1;
  // Drop the oldest tenth at once: one splice per thousand requests, not an O(n) shift per request.
  if (env.requestLog.length >= MAX_LOG) env.requestLog.splice(0, MAX_LOG / 10);
  env.requestLog.push(entry);
  if (env.logRequests)
    console.log(`[sf-emulator] ${entry.method} ${entry.path} ${entry.status} ${entry.kind}`);
}

/** Parses `Sforce-Call-Options: client=concord, defaultNamespace=x` into its `client` value. */
export function callOptionsClient(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (k === 'client' && v) return v;
  }
  return undefined;
}
