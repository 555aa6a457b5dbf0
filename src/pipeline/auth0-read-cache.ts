import type { Auth0Port } from '../core/ports.js';

export interface Auth0ReadCacheOptions {
  now: () => number;
  /** No read older than this is reused, whatever the event (bounds staleness and memory). */
  ttlMs?: number;
  /** Reads kept at most (user and roles reads together); the oldest go first. */
  maxEntries?: number;
}

interface Entry {
  startedAt: number;
  value: Promise<unknown>;
}

const READS = ['getUser', 'getUserRoles'] as const;
type Read = (typeof READS)[number];

/**
 * Shares Auth0 user and role reads between the jobs of one tenant. A job planning an Auth0 event may reuse a
 * read that was sent after the event arrived (`readsAfter`), so it sees the event's change or something
 * newer, exactly as if it had read itself: the pipelines that take the same event, and the events of one
 * user in a backlog, then share one `GET /users/{id}`. A read is never older than `ttlMs`. Concord's own
 * writes to a user drop that user's reads (before and after the write), and a failed read is not kept.
 *
 * Reads through the port itself (`reads`) always go to Auth0, and are kept for the jobs that may reuse them.
 */
export function cacheAuth0Reads<T extends Auth0Port>(port: T, options: Auth0ReadCacheOptions) {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const counts = { hits: 0, misses: 0 };
  let sweeper: ReturnType<typeof setTimeout> | undefined;

  const keyOf = (read: Read, userId: string) => `${read}\u0000${userId}`;
  const forget = (userId: string) => {
    for (const read of READS) entries.delete(keyOf(read, userId));
  };
  /** Drops what is too old or too many; insertion order is the order reads were sent. */
  const trim = (at: number) => {
    for (const [key, entry] of entries) {
      if (entries.size <= maxEntries && at - entry.startedAt <= ttlMs) break;
      entries.delete(key);
    }
  };
  /** While reads are kept, expired ones are dropped every `ttlMs` even if no job asks: profiles do not linger. */
  const sweepLater = () => {
    if (sweeper || entries.size === 0) return;
    sweeper = setTimeout(() => {
      sweeper = undefined;
      trim(options.now());
      sweepLater();
    }, ttlMs);
    sweeper.unref?.();
  };

  function read<R>(name: Read, userId: string, notBefore: number, load: () => Promise<R>): Promise<R> {
    const at = options.now();
    const key = keyOf(name, userId);
    const kept = entries.get(key);
    if (kept && kept.startedAt >= notBefore && at - kept.startedAt <= ttlMs) {
      counts.hits += 1;
      return kept.value as Promise<R>;
    }
    counts.misses += 1;
    const value = load().then(freeze);
    const entry: Entry = { startedAt: at, value };
    entries.delete(key);
    entries.set(key, entry);
    trim(at);
    sweepLater();
    value.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    return value;
  }

  /** A write to a user: what was read before it, or while it ran, is not reused. */
  async function writing<R>(userId: string, write: () => Promise<R>): Promise<R> {
    forget(userId);
    try {
      return await write();
    } finally {
      forget(userId);
    }
  }

  const readsAfter = (notBefore: number): T => ({
    ...writes,
    getUser: (userId: string) => read('getUser', userId, notBefore, () => port.getUser(userId)),
    getUserRoles: (userId: string) =>
      read('getUserRoles', userId, notBefore, () => port.getUserRoles(userId)),
  });

  const writes: T = {
    ...port,
    createUser: async (user) => {
      const created = await port.createUser(user);
      forget(created.user_id);
      return created;
    },
    updateUser: (userId, patch) => writing(userId, () => port.updateUser(userId, patch)),
    assignRoles: (userId, roleIds) => writing(userId, () => port.assignRoles(userId, roleIds)),
    removeRoles: (userId, roleIds) => writing(userId, () => port.removeRoles(userId, roleIds)),
    getUser: (userId) => read('getUser', userId, Number.POSITIVE_INFINITY, () => port.getUser(userId)),
    getUserRoles: (userId) =>
      read('getUserRoles', userId, Number.POSITIVE_INFINITY, () => port.getUserRoles(userId)),
  };

  return {
    /** The port: reads go to Auth0 (and are kept), writes drop the user's kept reads. */
    port: writes,
    /** The port for a job whose reads may be any made at or after `notBefore` (epoch ms). */
    readsAfter,
    /** Reads answered from the cache and sent to Auth0, since start. */
    counts: () => ({ ...counts, kept: entries.size }),
    /** Drops every kept read (the service calls this when it stops). */
    clear: () => {
      entries.clear();
      if (sweeper) clearTimeout(sweeper);
      sweeper = undefined;
    },
  };
}

export type Auth0ReadCache<T extends Auth0Port = Auth0Port> = ReturnType<typeof cacheAuth0Reads<T>>;

/** Shared answers are frozen, so one job cannot change what another reads. */
function freeze<R>(value: R): R {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) freeze(child);
  }
  return value;
}
