import type { Auth0User } from '../../core/ports.js';
import { createDashboardActions } from './dashboard-actions.js';
import { createEndUserActions } from './end-user-actions.js';
import type { EventStreamPusher } from './event-stream-pusher.js';
import { getJobOrThrow } from './export-jobs.js';
import { createFault, type FaultInput } from './faults.js';
import { appendLog } from './log-records.js';
import type { LogStreamPusher } from './log-stream-pusher.js';
import type { TokenBucket } from './rate-limit.js';
import { createRole } from './roles.js';
import { createSimulator } from './simulator/index.js';
import { DATABASE_CONNECTION, type EmulatorState, resetState } from './state.js';
import type { SentEmail } from './tickets.js';
import type {
  EventStreamConfig,
  LogRecord,
  LogRecordInput,
  LogStreamConfig,
  StoredRole,
  UserEvent,
} from './types.js';
import { createUser, type NewUserInput } from './users.js';

export type { LoginOptions, SignupInput, SocialLoginInput } from './end-user-actions.js';

/**
 * Acts as end users and as a human admin in the dashboard; every action writes the records real
 * Auth0 would. Also inspects and steers the emulator (counters, faults, streams, simulator, reset).
 */
export function createAdmin(
  state: EmulatorState,
  streams: { logs: LogStreamPusher; events: EventStreamPusher },
  bucket: TokenBucket | undefined,
) {
  const endUser = createEndUserActions(state);
  const dashboard = createDashboardActions(state);
  const simulator = createSimulator(state, endUser, dashboard);

  return {
    ...endUser,
    ...dashboard,
    /** Creates a user without writing any record or event (seed data). */
    seedUser(input: NewUserInput | (Omit<NewUserInput, 'connection'> & { connection?: string })): Auth0User {
      return createUser(
        state,
        { ...input, connection: input.connection ?? DATABASE_CONNECTION },
        { silent: true },
      );
    },
    createRole(name: string, description?: string): StoredRole {
      return createRole(state, name, description);
    },
    users(): Auth0User[] {
      return [...state.users.values()];
    },
    logs(): LogRecord[] {
      return state.logs.slice();
    },
    /** User changes in order, as event streams deliver them. */
    events(): UserEvent[] {
      return state.events.slice();
    },
    /** Emails the tenant sent (change-password links: invitations), oldest first. */
    emails(): SentEmail[] {
      return state.emails.slice();
    },
    /** Appends any record, including types the emulator does not script (new ones, `gd_send_pn`, …). */
    appendLog(record: LogRecordInput): LogRecord {
      return appendLog(state, record);
    },
    addLogStream(config: LogStreamConfig): string {
      const id = streams.logs.add(config);
      streams.logs.start();
      return id;
    },
    removeLogStream: (id: string) => streams.logs.remove(id),
    flushLogStreams: () => streams.logs.flush(),
    streamStatus: () => streams.logs.status(),
    resumeLogStream: (id: string) => streams.logs.resume(id),
    addEventStream(config: EventStreamConfig): string {
      const id = streams.events.add(config);
      streams.events.start();
      return id;
    },
    removeEventStream: (id: string) => streams.events.remove(id),
    flushEventStreams: () => streams.events.flush(),
    eventStreamStatus: () => streams.events.status(),
    /** Failed deliveries of one stream, like `GET /api/v2/event-streams/{id}/deliveries`. */
    eventStreamDeliveries: (id: string) => streams.events.deliveries(id),
    enableEventStream: (id: string) => streams.events.enable(id),
    /** Runs the activity simulator in the background at `ratePerSecond`; see `simulator/`. */
    simulate: simulator.simulate,
    /** Produces `count` simulated activities at once (backlogs, benchmarks). */
    generate: simulator.generate,
    /** Stops every running simulation (their `done` resolve with what they did). */
    stopSimulations: simulator.stopAll,
    /** The gzipped file of a users-export job (what its `location` serves). */
    exportFile(jobId: string): Buffer {
      return getJobOrThrow(state, jobId).file;
    },
    counters() {
      return { total: state.counters.total, byEndpoint: { ...state.counters.byEndpoint } };
    },
    requests() {
      return state.requests.slice();
    },
    faults: {
      inject(input: FaultInput): void {
        state.faults.push(createFault(input));
      },
      clear(): void {
        state.faults.length = 0;
      },
    },
    /** Empties the tenant (users, roles, logs, events, counters, faults) and refills the rate-limit bucket. */
    reset(): void {
      simulator.stopAll();
      resetState(state);
      bucket?.reset();
    },
  };
}

export type Auth0EmulatorAdmin = ReturnType<typeof createAdmin>;
