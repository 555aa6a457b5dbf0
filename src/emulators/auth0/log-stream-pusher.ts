import { setTimeout as delay } from 'node:timers/promises';
import { randomAlphanumeric } from './ids.js';
import type { EmulatorState } from './state.js';
import type { LogRecord, LogStreamConfig, LogStreamStatus } from './types.js';
import { postWithRetries, runWorkers } from './webhook-post.js';

const DEFAULT_BATCH_SIZE = 100;
const RETRIES = 3; // "we will retry up to three times" (reference §3)

type Defaults = 'batchSize' | 'retryDelayMs' | 'suspendAfterFailures' | 'concurrency';

interface Stream {
  config: Required<Pick<LogStreamConfig, Defaults>> & LogStreamConfig;
  id: string;
  status: LogStreamStatus;
  /** Index into `state.logs` of the next record to send; valid for `generation`. */
  cursor: number;
  generation: number;
  /** Records taken so far, for the `duplicateEvery` and `dropEvery` knobs. */
  seq: number;
  pump: Promise<void> | undefined;
}

/** Where a new stream starts: now (Auth0's default), or a replay from a log id or a date. */
function startingCursor(state: EmulatorState, from: LogStreamConfig['startFrom']): number {
  if (from?.logId !== undefined) {
    const id = from.logId;
    const index = state.logs.findIndex((r) => r.log_id > id);
    return index === -1 ? state.logs.length : index;
  }
  if (from?.date !== undefined) {
    const date = new Date(from.date).toISOString();
    const index = state.logs.findIndex((r) => r.date >= date);
    return index === -1 ? state.logs.length : index;
  }
  return state.logs.length;
}

/**
 * Pushes tenant log records to custom-webhook log streams the way Auth0 does: wrapped as
 * `{log_id, data}`, in the stream's format, with the configured `Authorization` verbatim; three retries,
 * then the batch is dropped and counted; after `suspendAfterFailures` failed batches in a row the stream
 * is suspended until resumed. Runs on a background interval and on `flush()`; `concurrency` batches may
 * be in flight at once. Knobs for duplicates, reordering, drops and delay prove receivers robust.
 */
export function createLogStreamPusher(state: EmulatorState, options: { intervalMs?: number } = {}) {
  const streams = new Map<string, Stream>();
  let timer: NodeJS.Timeout | undefined;

  function sync(stream: Stream) {
    if (stream.generation !== state.generation) {
      stream.cursor = 0;
      stream.generation = state.generation;
    }
  }

  function pending(stream: Stream) {
    sync(stream);
    return state.logs.length - stream.cursor;
  }

  /** Takes the next batch (synchronously, so parallel workers never share records). */
  function nextBatch(stream: Stream, target: number): LogRecord[] | undefined {
    sync(stream);
    const end = Math.min(target, state.logs.length);
    if (stream.status.state !== 'active' || stream.cursor >= end) return undefined;
    const records = state.logs.slice(stream.cursor, Math.min(end, stream.cursor + stream.config.batchSize));
    stream.cursor += records.length;
    return records;
  }

  /** Serialises one batch per the stream's format; `count` is the distinct records it carries. */
  function bodies(stream: Stream, records: LogRecord[]): { bodies: string[]; count: number } {
    const { duplicateEvery, dropEvery, reorder, format } = stream.config;
    const wrappers = [];
    let count = 0;
    for (const data of records) {
      stream.seq += 1;
      if (dropEvery && stream.seq % dropEvery === 0) {
        stream.status.discarded += 1;
        continue;
      }
      const wrapper = { log_id: data.log_id, data };
      wrappers.push(wrapper);
      count += 1;
      if (duplicateEvery && stream.seq % duplicateEvery === 0) wrappers.push(wrapper);
    }
    if (reorder) wrappers.reverse();
    if (wrappers.length === 0) return { bodies: [], count: 0 };
    switch (format) {
      case 'JSONARRAY':
        return { bodies: [JSON.stringify(wrappers)], count };
      case 'JSONLINES':
        return { bodies: [wrappers.map((w) => JSON.stringify(w)).join('\n')], count };
      case 'JSONOBJECT':
        return { bodies: wrappers.map((w) => JSON.stringify(w)), count };
    }
  }

  async function deliverBatch(stream: Stream, records: LogRecord[]): Promise<void> {
    const batch = bodies(stream, records);
    if (batch.bodies.length === 0) return;
    if (stream.config.delayMs) await delay(stream.config.delayMs);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...stream.config.headers };
    if (stream.config.authorization !== undefined) headers.authorization = stream.config.authorization;
    const results = await Promise.all(
      batch.bodies.map((body) =>
        postWithRetries({
          url: stream.config.url,
          headers,
          body,
          retries: RETRIES,
          retryDelayMs: stream.config.retryDelayMs,
          onAttempt: (attempt) => {
            stream.status.requests += 1;
            if (attempt.error) stream.status.failedRequests += 1;
          },
        }),
      ),
    );
    const failure = results.find((r) => !r.ok);
    if (!failure) {
      stream.status.delivered += batch.count;
      stream.status.consecutiveFailures = 0;
      return;
    }
    stream.status.dropped += batch.count;
    stream.status.consecutiveFailures += 1;
    stream.status.lastError = failure.attempts.at(-1)?.error;
    if (stream.status.consecutiveFailures >= stream.config.suspendAfterFailures)
      stream.status.state = 'suspended';
  }

  /** Delivers until `target` records have been taken, the log is exhausted, or the stream suspends. */
  async function drain(stream: Stream, target: number): Promise<void> {
    for (;;) {
      if (stream.pump) {
        await stream.pump;
        continue;
      }
      sync(stream);
      if (stream.status.state !== 'active' || stream.cursor >= Math.min(target, state.logs.length)) return;
      stream.pump = runWorkers(stream.config.concurrency, async () => {
        const records = nextBatch(stream, target);
        if (!records) return false;
        await deliverBatch(stream, records);
        return true;
      }).finally(() => {
        stream.pump = undefined;
      });
      await stream.pump;
    }
  }

  function tick() {
    for (const stream of streams.values()) {
      if (!stream.pump && pending(stream) > 0) void drain(stream, Number.POSITIVE_INFINITY);
    }
  }

  return {
    add(config: LogStreamConfig): string {
      const id = config.id ?? `lst_${randomAlphanumeric(16)}`;
      const stream: Stream = {
        config: {
          batchSize: DEFAULT_BATCH_SIZE,
          retryDelayMs: 100,
          suspendAfterFailures: 3,
          concurrency: 1,
          ...config,
        },
        id,
        status: {
          id,
          url: config.url,
          format: config.format,
          state: 'active',
          pending: 0,
          delivered: 0,
          dropped: 0,
          discarded: 0,
          requests: 0,
          failedRequests: 0,
          consecutiveFailures: 0,
        },
        cursor: startingCursor(state, config.startFrom),
        generation: state.generation,
        seq: 0,
        pump: undefined,
      };
      streams.set(id, stream);
      return id;
    },
    remove(id: string) {
      streams.delete(id);
    },
    /** Delivers every record pending now; resolves when each was delivered or given up on. */
    async flush(): Promise<void> {
      const target = state.logs.length;
      await Promise.all([...streams.values()].map((s) => drain(s, target)));
    },
    status(): LogStreamStatus[] {
      return [...streams.values()].map((s) => ({ ...s.status, pending: pending(s) }));
    },
    resume(id: string): boolean {
      const stream = streams.get(id);
      if (!stream) return false;
      stream.status.state = 'active';
      stream.status.consecutiveFailures = 0;
      return true;
    },
    start() {
      if (!timer) {
        timer = setInterval(tick, options.intervalMs ?? 100);
        timer.unref();
      }
    },
    /** Stops the background loop and waits for deliveries in flight. */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await Promise.all([...streams.values()].map((s) => s.pump));
    },
  };
}

export type LogStreamPusher = ReturnType<typeof createLogStreamPusher>;
