import { serve } from '@hono/node-server';
import { type Auth0EmulatorAdmin, createAdmin } from './admin.js';
import { createEmulatorApp } from './app.js';
import { createEventStreamPusher } from './event-stream-pusher.js';
import { createLogStreamPusher } from './log-stream-pusher.js';
import { createTokenBucket, resolveRateLimit } from './rate-limit.js';
import { adminRoutes } from './routes/admin.js';
import { createState, DEFAULT_CLIENT } from './state.js';
import type { Auth0EmulatorOptions } from './types.js';

export type { Auth0EmulatorAdmin, LoginOptions, SignupInput, SocialLoginInput } from './admin.js';
export { DASHBOARD_ADMIN } from './dashboard-actions.js';
export type { ExportField, ExportJobInput } from './export-jobs.js';
export type { ActorContext } from './log-records.js';
export type { GuardianFactor } from './security-records.js';
export {
  ACTIVITIES,
  type Activity,
  type ActivityMix,
  DEFAULT_MIX,
  type SimulateOptions,
  type SimulationHandle,
  type SimulationStats,
} from './simulator/index.js';
export type { PasswordTicketInput, SentEmail } from './tickets.js';
export type { FaultInput } from './faults.js';
export { LOG_ID_LENGTH } from './ids.js';
export { RATE_LIMIT_PRESETS } from './rate-limit.js';
export type { RecordedRequest } from './state.js';
export { ALL_SCOPES, DASHBOARD_CLIENT, DATABASE_CONNECTION, DEFAULT_APP, DEFAULT_CLIENT } from './state.js';
export type {
  Auth0EmulatorOptions,
  EmulatorClient,
  EventStreamAuth,
  EventStreamConfig,
  EventStreamFailure,
  EventStreamStatus,
  LogRecord,
  LogRecordInput,
  LogStreamConfig,
  LogStreamFormat,
  LogStreamStatus,
  RateLimitConfig,
  RateLimitPreset,
  StoredRole,
  UserEvent,
  UserEventType,
} from './types.js';

export interface ListeningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface Auth0Emulator {
  /** Answers one Web request (no socket needed): `/oauth/token`, `/api/v2/*`, `/__emulator/*`. */
  fetch(request: Request): Promise<Response>;
  /** Serves over HTTP; `port` 0 (default) picks a free port. Closing also stops log stream delivery. */
  listen(port?: number, host?: string): Promise<ListeningEmulator>;
  /** Stops background log and event stream delivery (`listen().close()` does this too). */
  close(): Promise<void>;
  readonly domain: string;
  readonly admin: Auth0EmulatorAdmin;
}

/**
 * An in-memory Auth0 tenant: Authentication API token endpoint, Management API v2 subset, log streams,
 * event streams and an activity simulator.
 */
export function createAuth0Emulator(options: Auth0EmulatorOptions = {}): Auth0Emulator {
  const tenant = options.tenant ?? 'acme';
  const domain = options.domain ?? `${tenant}.auth0.test`;
  const now = options.now ?? Date.now;
  const clients = options.clients?.map((c) => ({
    clientId: c.clientId,
    clientSecret: c.clientSecret,
    name: c.name ?? c.clientId,
    scopes: c.scopes ?? DEFAULT_CLIENT.scopes,
  })) ?? [DEFAULT_CLIENT];
  const state = createState({
    tenant,
    domain,
    now,
    clients,
    settings: {
      ...(options.bruteForceThreshold ? { bruteForceThreshold: options.bruteForceThreshold } : {}),
      ...(options.exportJobDurationMs !== undefined
        ? { exportJobDurationMs: options.exportJobDurationMs }
        : {}),
    },
  });
  const limits = resolveRateLimit(options.rateLimit);
  const bucket = limits ? createTokenBucket(limits, now) : undefined;
  const pusher = createLogStreamPusher(state, { intervalMs: options.logStreamIntervalMs });
  const eventPusher = createEventStreamPusher(state, { intervalMs: options.logStreamIntervalMs });
  const admin = createAdmin(state, { logs: pusher, events: eventPusher }, bucket);
  for (const stream of options.logStreams ?? []) admin.addLogStream(stream);
  for (const stream of options.eventStreams ?? []) admin.addEventStream(stream);
  const stopStreams = async () => {
    admin.stopSimulations();
    await Promise.all([pusher.stop(), eventPusher.stop()]);
  };

  const app = createEmulatorApp(state, bucket);
  app.route('/__emulator', adminRoutes(admin));

  return {
    domain,
    admin,
    fetch: async (request) => app.fetch(request),
    close: stopStreams,
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
          const url = `http://${host.includes(':') ? `[${host}]` : host}:${info.port}`;
          resolve({
            url,
            port: info.port,
            close: async () => {
              await stopStreams();
              await new Promise<void>((done) => {
                server.close(() => done());
                if ('closeAllConnections' in server) server.closeAllConnections();
              });
            },
          });
        });
        server.once('error', reject);
      });
    },
  };
}
