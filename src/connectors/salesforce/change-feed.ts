/**
 * `ChangeFeedPort` over the Salesforce emulator's CDC stream (`GET /__emulator/cdc/stream`, newline-delimited
 * JSON). Real orgs deliver the same ChangeEventHeader over the Pub/Sub API; this adapter is the seam where a
 * Pub/Sub client goes. Reconnects from the last delivered replay id; re-mints the token once on 401.
 */
import { z } from 'zod';
import type { ChangeEvent, ChangeFeedPort, ChangeType } from '../../core/change-feed.js';
import { ConcordError } from '../../core/errors.js';
import { mintToken, type SalesforceAuth, type Session } from './auth.js';
import { fromVendorCode } from './errors.js';

export interface SalesforceChangeFeedOptions {
  loginUrl: string;
  auth: SalesforceAuth;
  /** Path of the stream on the instance (default: the emulator's). */
  streamPath?: string;
  /** Wait before reconnecting after the server ends the stream (default 1 s). */
  reconnectDelayMs?: number;
}

const headerSchema = z.object({
  entityName: z.string(),
  recordIds: z.array(z.string()),
  changeType: z.string(),
  changedFields: z.array(z.string()).default([]),
  nulledFields: z.array(z.string()).default([]),
  changeOrigin: z.string().default(''),
  transactionKey: z.string(),
  sequenceNumber: z.number(),
  commitTimestamp: z.number(),
  commitUser: z.string().optional(),
});
const lineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('event'),
    replayId: z.number(),
    payload: z.object({ ChangeEventHeader: headerSchema }).passthrough(),
  }),
  z.object({ type: z.literal('heartbeat') }).passthrough(),
  z.object({ type: z.literal('subscribed') }).passthrough(),
]);
type WireEvent = Extract<z.infer<typeof lineSchema>, { type: 'event' }>;

const SIMPLE: Record<string, ChangeType> = {
  CREATE: 'create',
  UPDATE: 'update',
  DELETE: 'delete',
  UNDELETE: 'undelete',
};

/** `com/salesforce/api/rest/60.0;client=concord` → `concord`. */
export function originClient(changeOrigin: string): string | undefined {
  return /(?:^|;)client=([^;]+)/.exec(changeOrigin)?.[1];
}

export function toChangeEvent(wire: WireEvent): ChangeEvent {
  const { ChangeEventHeader: h, ...fields } = wire.payload;
  const gap = /^GAP_(CREATE|UPDATE|DELETE|UNDELETE)$/.exec(h.changeType)?.[1];
  const changeType: ChangeType =
    h.changeType === 'GAP_OVERFLOW' ? 'overflow' : gap ? 'gap' : (SIMPLE[h.changeType] ?? 'gap');
  return {
    entity: h.entityName,
    recordIds: h.recordIds,
    changeType,
    ...(gap ? { gapOf: SIMPLE[gap] as Exclude<ChangeType, 'gap' | 'overflow'> } : {}),
    changedFields: h.changedFields,
    nulledFields: h.nulledFields,
    fields,
    origin: { client: originClient(h.changeOrigin), userId: h.commitUser },
    transactionKey: h.transactionKey,
    sequence: h.sequenceNumber,
    committedAt: h.commitTimestamp,
    replayId: String(wire.replayId),
  };
}

function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Yields the complete lines of each chunk together, so one chunk becomes one batch. */
async function* lineBatches(body: ReadableStream<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    const complete = lines.filter((l) => l.trim() !== '');
    if (complete.length > 0) yield complete;
  }
}

export function createSalesforceChangeFeed(options: SalesforceChangeFeedOptions): ChangeFeedPort {
  let session: Session | undefined;
  const path = options.streamPath ?? '/__emulator/cdc/stream';
  return {
    async subscribe({ entities, fromReplayId, onEvents, signal }) {
      let position = fromReplayId === 'latest' ? '-1' : fromReplayId === 'earliest' ? '-2' : fromReplayId;
      let reminted = false;
      while (!signal.aborted) {
        session ??= await mintToken(options.loginUrl, options.auth);
        const url = `${session.instanceUrl}${path}?replayId=${encodeURIComponent(position)}&entities=${encodeURIComponent(entities.join(','))}`;
        let response: Response;
        try {
          response = await fetch(url, {
            headers: { authorization: `Bearer ${session.accessToken}` },
            signal,
          });
        } catch (cause) {
          if (signal.aborted) return;
          throw new ConcordError('Salesforce change stream unreachable', { code: 'unavailable', cause });
        }
        if (response.status === 401 && !reminted) {
          await response.body?.cancel();
          session = undefined;
          reminted = true;
          continue;
        }
        if (!response.ok || !response.body) {
          const body = (await response.json().catch(() => undefined)) as
            | Array<{ errorCode?: string; message?: string }>
            | undefined;
          const first = body?.[0];
          throw fromVendorCode(
            first?.errorCode ?? `ERROR_HTTP_${response.status}`,
            first?.message ?? 'change stream refused',
            {
              status: response.status,
              payload: first,
            },
          );
        }
        reminted = false;
        try {
          for await (const lines of lineBatches(response.body)) {
            const events: ChangeEvent[] = [];
            for (const line of lines) {
              const parsed = lineSchema.safeParse(JSON.parse(line));
              if (parsed.success && parsed.data.type === 'event') events.push(toChangeEvent(parsed.data));
            }
            if (events.length === 0) continue;
            await onEvents(events);
            position = events[events.length - 1]!.replayId;
          }
        } catch (error) {
          if (signal.aborted) return;
          if (error instanceof ConcordError) throw error;
          // A broken stream: reconnect below from the last delivered position.
        }
        if (!signal.aborted) await abortable(options.reconnectDelayMs ?? 1000, signal);
      }
    },
  };
}
