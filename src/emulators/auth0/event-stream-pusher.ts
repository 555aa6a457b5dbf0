import { randomAlphanumeric } from './ids.js';
import type { EmulatorState } from './state.js';
import type {
  EventStreamAuth,
  EventStreamConfig,
  EventStreamFailure,
  EventStreamStatus,
  UserEvent,
} from './types.js';
import { cloudEvent } from './user-events.js';
import { postWithRetries, runWorkers } from './webhook-post.js';

const WINDOW = 50;
const MAX_FAILURES_KEPT = 1000;

interface Stream {
  config: EventStreamConfig;
  id: string;
  status: EventStreamStatus;
  totalFailures: number;
  failures: EventStreamFailure[];
  cursor: number;
  generation: number;
  seq: number;
  pump: Promise<void> | undefined;
}

function authHeaders(auth: EventStreamAuth | undefined): Record<string, string> {
  if (!auth) return {};
  switch (auth.method) {
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'basic':
      return {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      };
    case 'custom_header':
      return { [auth.header_key.toLowerCase()]: auth.header_value };
  }
}

/**
 * Auth0 Event Streams to webhook destinations: one structured CloudEvent per POST, the destination's
 * auth, retries per event, failed deliveries kept for inspection, and auto-disable after too many
 * consecutive or total failures (Auth0: 500 / 5,000). Knobs for duplicates and reordering.
 */
export function createEventStreamPusher(state: EmulatorState, options: { intervalMs?: number } = {}) {
  const streams = new Map<string, Stream>();
  let timer: NodeJS.Timeout | undefined;

  function sync(stream: Stream) {
    if (stream.generation !== state.generation) {
      stream.cursor = 0;
      stream.generation = state.generation;
    }
    // disabled streams get nothing: what happens meanwhile is skipped, not queued
    if (stream.status.status === 'disabled') stream.cursor = state.events.length;
  }

  function window(stream: Stream, target: number): UserEvent[] | undefined {
    sync(stream);
    const end = Math.min(target, state.events.length);
    if (stream.status.status !== 'enabled' || stream.cursor >= end) return undefined;
    const size =
      stream.config.reorder === undefined || stream.config.reorder === false ? WINDOW : windowOf(stream);
    const events = state.events.slice(stream.cursor, Math.min(end, stream.cursor + size));
    stream.cursor += events.length;
    const wanted = stream.config.subscriptions;
    const picked = wanted ? events.filter((e) => wanted.includes(e.type)) : events;
    const out: UserEvent[] = [];
    for (const event of picked) {
      stream.seq += 1;
      out.push(event);
      if (stream.config.duplicateEvery && stream.seq % stream.config.duplicateEvery === 0) out.push(event);
    }
    return stream.config.reorder ? out.reverse() : out;
  }

  const windowOf = (stream: Stream) =>
    typeof stream.config.reorder === 'number' ? stream.config.reorder : 10;

  async function deliver(stream: Stream, event: UserEvent): Promise<void> {
    const body = cloudEvent(state, stream.id, event);
    const result = await postWithRetries({
      url: stream.config.url,
      headers: { 'content-type': 'application/cloudevents+json', ...authHeaders(stream.config.auth) },
      body: JSON.stringify(body),
      retries: stream.config.retries ?? 3,
      retryDelayMs: stream.config.retryDelayMs ?? 100,
      onAttempt: () => {
        stream.status.requests += 1;
      },
    });
    if (result.ok) {
      stream.status.delivered += 1;
      stream.status.consecutiveFailures = 0;
      return;
    }
    stream.status.failed += 1;
    stream.totalFailures += 1;
    stream.status.consecutiveFailures += 1;
    stream.status.lastError = result.attempts.at(-1)?.error;
    stream.failures.push({
      id: `evd_${randomAlphanumeric(16)}`,
      event_stream_id: stream.id,
      status: 'failed',
      event_type: event.type,
      attempts: result.attempts,
      event: body,
    });
    if (stream.failures.length > MAX_FAILURES_KEPT) stream.failures.shift();
    if (
      stream.status.consecutiveFailures >= (stream.config.disableAfterConsecutiveFailures ?? 500) ||
      stream.totalFailures >= (stream.config.disableAfterTotalFailures ?? 5000)
    )
      stream.status.status = 'disabled';
  }

  async function drain(stream: Stream, target: number): Promise<void> {
    for (;;) {
      if (stream.pump) {
        await stream.pump;
        continue;
      }
      sync(stream);
      if (stream.status.status !== 'enabled' || stream.cursor >= Math.min(target, state.events.length))
        return;
      const queue: UserEvent[] = [];
      stream.pump = runWorkers(stream.config.concurrency ?? 1, async () => {
        if (queue.length === 0) queue.push(...(window(stream, target) ?? []));
        const event = queue.shift();
        if (!event) return false;
        if (stream.status.status === 'enabled') await deliver(stream, event);
        return true;
      }).finally(() => {
        stream.pump = undefined;
      });
      await stream.pump;
    }
  }

  return {
    add(config: EventStreamConfig): string {
      const id = config.id ?? `est_${randomAlphanumeric(20)}`;
      streams.set(id, {
        config,
        id,
        status: {
          id,
          url: config.url,
          status: 'enabled',
          pending: 0,
          delivered: 0,
          failed: 0,
          requests: 0,
          consecutiveFailures: 0,
        },
        totalFailures: 0,
        failures: [],
        cursor: state.events.length,
        generation: state.generation,
        seq: 0,
        pump: undefined,
      });
      return id;
    },
    remove: (id: string) => streams.delete(id),
    async flush(): Promise<void> {
      const target = state.events.length;
      await Promise.all([...streams.values()].map((s) => drain(s, target)));
    },
    status(): EventStreamStatus[] {
      return [...streams.values()].map((s) => {
        sync(s);
        return { ...s.status, pending: state.events.length - s.cursor };
      });
    },
    /** Failed deliveries, like `GET /api/v2/event-streams/{id}/deliveries`. */
    deliveries: (id: string): EventStreamFailure[] => streams.get(id)?.failures.slice() ?? [],
    /** Re-enables a disabled stream; failure counters start again from zero. */
    enable(id: string): boolean {
      const stream = streams.get(id);
      if (!stream) return false;
      sync(stream);
      stream.status.status = 'enabled';
      stream.status.consecutiveFailures = 0;
      stream.totalFailures = 0;
      return true;
    },
    start() {
      if (!timer) {
        timer = setInterval(() => {
          for (const s of streams.values()) if (!s.pump) void drain(s, Number.POSITIVE_INFINITY);
        }, options.intervalMs ?? 100);
        timer.unref();
      }
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await Promise.all([...streams.values()].map((s) => s.pump));
    },
  };
}

export type EventStreamPusher = ReturnType<typeof createEventStreamPusher>;
