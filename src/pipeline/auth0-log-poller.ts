import type { Logger } from 'pino';
import type { Auth0Port } from '../core/ports.js';
import { type Db, getCheckpoint, insertInbox, setCheckpoint } from '../store/index.js';
import type { createSignal } from './signal.js';

export interface Auth0LogPollerOptions {
  db: Db;
  tenant: string;
  auth0: Pick<Auth0Port, 'getLogs'>;
  intervalMs: number;
  /** A log stream that has delivered nothing for this long while the poller finds records is "silent". */
  silentAfterMs: number;
  lastStreamDelivery: () => number | undefined;
  now: () => number;
  logger: Logger;
  onCommitted: () => void;
  signal: ReturnType<typeof createSignal>;
  isRunning: () => boolean;
}

/**
 * Reads `/api/v2/logs` in checkpoint mode and commits what it finds to the same inbox rows the log stream
 * uses (`auth0.logs`, keyed by `log_id`), so stream and poller share one dedupe: the poller backfills gaps,
 * catches up after downtime, and recovers a stream that went silent. A new deployment starts from now.
 */
export async function pollAuth0LogsOnce(
  options: Auth0LogPollerOptions,
): Promise<{ found: number; stored: number; more: boolean }> {
  const name = `auth0:${options.tenant}:logs`;
  let from = await getCheckpoint(options.db, name);
  if (!from) {
    from = startingLogId(options.now());
    await setCheckpoint(options.db, name, from, options.now());
  }
  const page = await options.auth0.getLogs({ from, take: 100 });
  const { inserted } = await insertInbox(
    options.db,
    page.records.map((record) => ({
      source: 'auth0.logs',
      connection: options.tenant,
      sourceId: record.log_id,
      sourceType: typeof record['type'] === 'string' ? (record['type'] as string) : 'unknown',
      payload: JSON.stringify(record),
    })),
    options.now(),
  );
  if (page.next && page.next !== from) await setCheckpoint(options.db, name, page.next, options.now());
  if (inserted > 0) {
    options.onCommitted();
    const last = options.lastStreamDelivery();
    if (last === undefined || options.now() - last > options.silentAfterMs) {
      options.logger.warn(
        {
          tenant: options.tenant,
          recovered: inserted,
          lastStreamDelivery: last ? new Date(last).toISOString() : null,
        },
        'the Auth0 log stream looks silent: the log poller recovered records it did not deliver; check the stream in the Auth0 dashboard',
      );
    }
  }
  return { found: page.records.length, stored: inserted, more: page.records.length >= 100 };
}

/** A checkpoint id that sorts just before the logs of this moment (`900` + UTC yyyyMMddHHmmss + zeros). */
export function startingLogId(now: number): string {
  const d = new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `900${d}`.padEnd(56, '0');
}

export async function runAuth0LogPoller(options: Auth0LogPollerOptions) {
  while (options.isRunning()) {
    let more = false;
    try {
      more = (await pollAuth0LogsOnce(options)).more;
    } catch (error) {
      options.logger.warn({ err: error, tenant: options.tenant }, 'Auth0 log poll failed; will retry');
    }
    if (!more) await options.signal.wait(options.intervalMs);
  }
}
