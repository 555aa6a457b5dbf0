/**
 * The outbox batcher: one per Salesforce org, shared by every pipeline (and every job in flight) that uses
 * the org. Jobs still plan and write one event at a time, in their own order; the batcher only changes how
 * their calls travel, so a job sees exactly the results it would have seen alone.
 *
 * - **Writes** wait up to `lingerMs` and leave as one sObject Collections call per (operation, object, key
 *   field), ≤ 200 records. Two writes to the same record (same Id, same external id) in one batch become one
 *   record, later field values winning. Records succeed or fail one by one (`allOrNone: false`), so a
 *   failure sends only its own job to retry.
 * - **Reads** leave once no other read joined them for `readLingerMs` (at most four times that after the
 *   first at a trickle), or, in a backlog, when every job in flight waits for a batch (ten times that at
 *   most). `find` requests on one object that differ only in one `=`/`IN` condition become one query
 *   (`a IN (…)`, or `(a IN (…) OR b IN (…))` when the callers key on different fields), and `retrieve` calls
 *   for one object one call. Each caller gets back the rows of its
 *   own values, with its own fields, in the query's order, up to its own LIMIT.
 * - **Calls:** whatever leaves at the same moment (writes, queries, retrieves) shares `/composite` calls of
 *   ≤ 5 subrequests, which Salesforce counts as one API call each; pending batches ride along in free places.
 */
import { ConcordError } from '../core/errors.js';
import {
  type CollectionWrite,
  type CompositeOp,
  type CompositeOutcome,
  MAX_COMPOSITE_COLLECTIONS,
  type SalesforcePort,
  sendAlone,
  type SfCondition,
  type SfFields,
  type SfFindRequest,
  type SfRecord,
  type SfWriteResult,
} from '../core/ports.js';
import type { FlightDeck } from './flight-deck.js';

export interface BatchingOptions {
  /** How long the first write of a batch waits for others (latency traded for fewer calls). */
  lingerMs: number;
  /**
   * Reads leave once no other read has joined for this long (at most ten times this after the first); short,
   * because a job waits on each read before it can plan.
   */
  readLingerMs: number;
  /** Records per Collections call (Salesforce's maximum is 200). */
  maxRecords: number;
  /** Shared with the worker: lets batches leave as soon as every job in flight waits for one. */
  deck?: FlightDeck;
}

/** Calls that left the batcher, and what they carried (exposed for metrics and tests). */
export interface BatchingStats {
  /** Salesforce API calls the batcher made (a composite call is one). */
  calls: number;
  /** Collections writes sent, alone or as composite subrequests. */
  writeCalls: number;
  compositeCalls: number;
  recordsWritten: number;
  recordsCoalesced: number;
  readCalls: number;
  readsCoalesced: number;
}

/**
 * Above this many encoded value bytes a merged query is sent, keeping its URL (values, quotes, commas and the
 * rest of the statement) under the connector's 12,000-byte budget, so it never has to be split.
 */
const MAX_QUERY_VALUE_BYTES = 9_000;
/**
 * With a backlog (the worker full), writes wait up to this many linger windows: the stall (every job in flight
 * waiting) sends them sooner, so the cap only matters while jobs still wait on Auth0 or on reads.
 */
const PATIENCE = 8;
/** A batch that filled a quarter within its linger (a burst) waits up to this many lingers to fill up. */
const BURST_PATIENCE = 4;
/** `retrieve` answers up to 2,000 ids per call; the connector splits by URL length below that. */
const MAX_RETRIEVE_IDS = 500;

/** Where a write goes: a Collections call without its records. */
type WriteTarget = CollectionWrite extends infer W ? (W extends unknown ? Omit<W, 'records'> : never) : never;

type Settle<T> = { resolve: (value: T) => void; reject: (error: unknown) => void };

/** One caller's write call: it waits for a batch until its last record has left. */
interface WriteCall {
  unsent: number;
}

interface PendingRecord {
  key: string | undefined;
  fields: SfFields;
  waiters: (Settle<SfWriteResult> & { call: WriteCall })[];
}

interface WriteGroup {
  write: WriteTarget;
  records: PendingRecord[];
  byKey: Map<string, PendingRecord>;
  startedAt: number;
  dueAt: number;
  /** Its linger was stretched once already (a burst filling it). */
  stretched?: boolean;
}

export type BatchingSalesforce<T extends SalesforcePort> = T & {
  batchingStats(): BatchingStats;
};

export function batchSalesforce<T extends SalesforcePort>(
  port: T,
  options: BatchingOptions,
): BatchingSalesforce<T> {
  const stats: BatchingStats = {
    calls: 0,
    writeCalls: 0,
    compositeCalls: 0,
    recordsWritten: 0,
    recordsCoalesced: 0,
    readCalls: 0,
    readsCoalesced: 0,
  };
  const maxRecords = Math.min(200, Math.max(1, options.maxRecords));
  const deck = options.deck;
  /** With a backlog, batches wait for the stall (every job in flight waiting) and the timers are only a cap. */
  const patient = () => deck?.isFull() === true;
  const lingerMs = () => (patient() ? options.lingerMs * PATIENCE : options.lingerMs);
  deck?.onStall(({ full, backlog }) => {
    // Reads first: the jobs waiting on them may bring more writes to the batches already waiting. At a trickle
    // (no backlog, room in the worker) the next delivery's jobs may still join them: they wait for their window.
    if (finds.size > 0 || retrieves.size > 0) {
      if (!full && !backlog) return;
      for (const shape of [...finds.keys()]) void flushFind(shape);
      for (const object of [...retrieves.keys()]) void flushRetrieve(object);
    } else if (full) flushWrites('all');
  });

  // ───────────────────────────── writes ─────────────────────────────

  const groups = new Map<string, WriteGroup>();
  let timer: NodeJS.Timeout | undefined;

  function schedule() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (groups.size === 0) return;
    const next = Math.min(...[...groups.values()].map((g) => g.dueAt));
    timer = setTimeout(() => flushWrites('timer'), Math.max(0, next - Date.now()));
  }

  function enqueue(write: WriteTarget, records: readonly SfFields[]) {
    const name = `${write.op}\u0000${write.object}\u0000${'externalIdField' in write ? write.externalIdField : ''}`;
    const call: WriteCall = { unsent: records.length };
    if (records.length > 0) deck?.waiting(1);
    const results = records.map(
      (fields) =>
        new Promise<SfWriteResult>((resolve, reject) => {
          let group = groups.get(name);
          if (!group) {
            const startedAt = Date.now();
            group = { write, records: [], byKey: new Map(), startedAt, dueAt: startedAt + lingerMs() };
            groups.set(name, group);
            schedule();
          }
          const key = recordKey(write, fields);
          const same = key === undefined ? undefined : group.byKey.get(key);
          if (same) {
            // Two writes to one record in one batch: one record goes, the later values win.
            Object.assign(same.fields, fields);
            same.waiters.push({ resolve, reject, call });
            stats.recordsCoalesced += 1;
            return;
          }
          const pending: PendingRecord = { key, fields: { ...fields }, waiters: [{ resolve, reject, call }] };
          group.records.push(pending);
          if (key !== undefined) group.byKey.set(key, pending);
          if (group.records.length >= maxRecords) flushWrites('full');
        }),
    );
    return Promise.all(results);
  }

  /**
   * Sends every due group (`timer`: its linger is over; `full`: it reached 200 records; `all`: every job in
   * flight waits and no other job will start). Groups not yet due may ride along (`writeRiders`).
   */
  function flushWrites(reason: 'timer' | 'full' | 'all') {
    const now = Date.now();
    for (const g of groups.values()) {
      // A burst: a batch that filled a quarter within its linger waits up to four lingers to fill up. A
      // trickle never gets there, so its latency stays one linger.
      if (
        reason === 'timer' &&
        !g.stretched &&
        g.dueAt <= now &&
        g.records.length * BURST_PATIENCE >= maxRecords
      ) {
        g.stretched = true;
        g.dueAt = Math.max(g.dueAt, g.startedAt + options.lingerMs * BURST_PATIENCE);
      }
    }
    const isDue = (g: WriteGroup) => reason === 'all' || g.dueAt <= now || g.records.length >= maxRecords;
    const due = [...groups.entries()].filter(([, g]) => isDue(g));
    if (due.length === 0) return schedule();
    const batches: { write: WriteTarget; records: PendingRecord[] }[] = [];
    const take = (name: string, group: WriteGroup) => {
      groups.delete(name);
      for (let i = 0; i < group.records.length; i += maxRecords) {
        batches.push({ write: group.write, records: group.records.slice(i, i + maxRecords) });
      }
    };
    for (const [name, group] of due) take(name, group);
    schedule();
    for (const batch of batches) sendWrite(batch);
  }

  /** Hands one write batch to the next call; its callers stop waiting for it to leave. */
  function sendWrite({ write, records }: { write: WriteTarget; records: PendingRecord[] }) {
    for (const record of records)
      for (const waiter of record.waiters) {
        waiter.call.unsent -= 1;
        if (waiter.call.unsent === 0) deck?.waiting(-1);
      }
    stats.writeCalls += 1;
    submit(
      { kind: 'write', write: { ...write, records: records.map((r) => r.fields) } as CollectionWrite },
      (outcome) => {
        if (outcome.kind === 'error') {
          for (const r of records) for (const w of r.waiters) w.reject(outcome.error);
          return;
        }
        const results = outcome.kind === 'write' ? outcome.results : [];
        records.forEach((record, j) => {
          const result = results[j] ?? missingResult();
          if (result.ok) stats.recordsWritten += 1;
          for (const w of record.waiters) w.resolve(result);
        });
      },
    );
  }

  /** Write groups not yet due, oldest first, taken out to ride in free places of a call leaving now. */
  function writeRiders(places: number) {
    for (const [name, group] of [...groups.entries()].sort(([, a], [, b]) => a.dueAt - b.dueAt)) {
      if (places <= 0 || group.records.length > maxRecords) break;
      groups.delete(name);
      sendWrite({ write: group.write, records: group.records });
      places -= 1;
    }
    schedule();
  }

  // ───────────────────────────── calls ─────────────────────────────

  interface ReadyOp {
    op: CompositeOp;
    settle: (outcome: CompositeOutcome) => void;
  }
  /** Ops leaving now; packed into calls once the current flushes are done (a microtask later). */
  const ready: ReadyOp[] = [];
  let draining = false;

  function submit(op: CompositeOp, settle: (outcome: CompositeOutcome) => void) {
    ready.push({ op, settle });
    if (draining) return;
    draining = true;
    queueMicrotask(drain);
  }

  function drain() {
    if (port.composite) {
      // Fill the last call's free places with batches still waiting: reads first (jobs wait on them).
      const free = () =>
        (MAX_COMPOSITE_COLLECTIONS - (ready.length % MAX_COMPOSITE_COLLECTIONS)) % MAX_COMPOSITE_COLLECTIONS;
      for (const shape of [...finds.keys()]) if (free() > 0) void flushFind(shape);
      for (const object of [...retrieves.keys()]) if (free() > 0) void flushRetrieve(object);
      // Writes ride only with writes: in a read's call they would leave before their batch filled up.
      if (free() > 0 && ready.some((r) => r.op.kind === 'write')) writeRiders(free());
    }
    draining = false;
    const ops = ready.splice(0);
    const size = port.composite ? MAX_COMPOSITE_COLLECTIONS : 1;
    for (let i = 0; i < ops.length; i += size) void sendCall(ops.slice(i, i + size));
  }

  async function sendCall(call: ReadyOp[]) {
    stats.calls += 1;
    if (call.length === 1 || !port.composite) {
      for (const { op, settle } of call) settle(await sendAlone(port, op));
      return;
    }
    stats.compositeCalls += 1;
    let outcomes: CompositeOutcome[];
    try {
      outcomes = await port.composite(call.map((c) => c.op));
    } catch (error) {
      for (const c of call) c.settle({ kind: 'error', error });
      return;
    }
    for (const [i, c] of call.entries()) {
      c.settle(
        outcomes[i] ?? {
          kind: 'error',
          error: new ConcordError('the composite call returned no outcome for this subrequest', {
            code: 'internal',
            retryable: true,
          }),
        },
      );
    }
  }

  /** A read through the next call. */
  function read(op: CompositeOp): Promise<CompositeOutcome> {
    stats.readCalls += 1;
    return new Promise((resolve) => submit(op, resolve));
  }

  // ───────────────────────────── reads ─────────────────────────────

  interface FindCaller extends Settle<SfRecord[]> {
    request: SfFindRequest;
    /** The caller's rows are those matching any of these (one key condition, or its `anyOf`). */
    keys: readonly KeyCondition[];
  }
  interface FindGroup {
    base: SfFindRequest;
    /** The conditions besides the key condition, the same for every caller. */
    rest: readonly SfCondition[];
    callers: FindCaller[];
    valueBytes: number;
    timer: QuietTimer;
  }
  const finds = new Map<string, FindGroup>();

  function find(request: SfFindRequest): Promise<SfRecord[]> {
    const key = keyConditions(request);
    if (!key) {
      // Not mergeable with others, but it can still share a call.
      return read({ kind: 'find', request }).then((outcome) => {
        if (outcome.kind === 'find') return outcome.rows;
        throw errorOf(outcome);
      });
    }
    const { rest, keys } = key;
    // Lookups on one object that differ only in their key conditions (even their fields) share one query.
    const shape = JSON.stringify([request.object, rest, request.orderBy ?? '', request.children ?? []]);
    return new Promise((resolve, reject) => {
      let group = finds.get(shape);
      if (!group) {
        group = {
          base: request,
          rest,
          callers: [],
          valueBytes: 0,
          timer: quietTimer(() => flushFind(shape), options.readLingerMs, patient),
        };
        finds.set(shape, group);
      } else group.timer.touch();
      group.callers.push({ request, keys, resolve, reject });
      deck?.waiting(1);
      for (const k of keys) {
        group.valueBytes += k.values.reduce<number>(
          (n, v) => n + encodeURIComponent(String(v)).length + 12,
          k.field.length + 12,
        );
      }
      if (group.valueBytes >= MAX_QUERY_VALUE_BYTES) flushFind(shape);
    });
  }

  /** Takes a pending read batch out to send it: its callers stop waiting for it to leave. */
  function takeReads<G extends { timer: QuietTimer; callers: unknown[] }>(
    pending: Map<string, G>,
    key: string,
  ): G | undefined {
    const group = pending.get(key);
    if (!group) return undefined;
    pending.delete(key);
    group.timer.cancel();
    deck?.waiting(-group.callers.length);
    return group;
  }

  async function flushFind(shape: string) {
    const group = takeReads(finds, shape);
    if (!group) return;
    const { callers } = group;
    if (callers.length === 1) {
      const [only] = callers;
      const outcome = await read({ kind: 'find', request: only!.request });
      return outcome.kind === 'find' ? only!.resolve(outcome.rows) : only!.reject(errorOf(outcome));
    }
    const byField = new Map<string, (string | number)[]>();
    for (const c of callers) {
      for (const k of c.keys) byField.set(k.field, [...(byField.get(k.field) ?? []), ...k.values]);
    }
    const keys: SfCondition[] = [...byField].map(([field, values]) => ({
      field,
      op: 'in',
      values: uniqueValues(values),
    }));
    const limits = callers.map((c) => c.request.limit);
    const limit = limits.every((l) => l !== undefined)
      ? limits.reduce<number>((n, l) => n + (l ?? 0), 0)
      : undefined;
    const { limit: _own, anyOf: _none, ...base } = group.base;
    const merged: SfFindRequest = {
      ...base,
      // every key field is read, so each row can be given back to the callers that asked for it
      fields: [...new Set([...callers.flatMap((c) => c.request.fields), ...byField.keys()])],
      where: keys.length === 1 ? [...group.rest, ...keys] : group.rest,
      ...(keys.length > 1 ? { anyOf: keys } : {}),
      ...(limit === undefined ? {} : { limit }),
    };
    stats.readsCoalesced += callers.length - 1;
    const outcome = await read({ kind: 'find', request: merged });
    if (outcome.kind !== 'find') {
      return fallBack<SfRecord[], FindCaller>(callers, errorOf(outcome), (c) => port.find(c.request));
    }
    const rows = outcome.rows;
    if (limit !== undefined && rows.length >= limit) {
      // The merged LIMIT may have cut one caller's rows short: ask each caller's own question instead.
      return fallBack<SfRecord[], FindCaller>(callers, undefined, (c) => port.find(c.request));
    }
    for (const caller of callers) {
      const wanted = caller.keys.map((k) => ({
        field: k.field,
        values: new Set(k.values.map(normaliseValue)),
      }));
      const mine = rows.filter((row) => wanted.some((k) => matchesAny(row[k.field], k.values)));
      const limited = caller.request.limit === undefined ? mine : mine.slice(0, caller.request.limit);
      caller.resolve(limited.map((row) => project(row, caller.request)));
    }
  }

  interface RetrieveCaller extends Settle<(SfRecord | null)[]> {
    ids: readonly string[];
    fields: readonly string[];
  }
  const retrieves = new Map<string, { callers: RetrieveCaller[]; ids: Set<string>; timer: QuietTimer }>();

  function retrieve(object: string, ids: readonly string[], fields: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return new Promise<(SfRecord | null)[]>((resolve, reject) => {
      let group = retrieves.get(object);
      if (!group) {
        group = {
          callers: [],
          ids: new Set(),
          timer: quietTimer(() => flushRetrieve(object), options.readLingerMs, patient),
        };
        retrieves.set(object, group);
      } else group.timer.touch();
      group.callers.push({ ids, fields, resolve, reject });
      deck?.waiting(1);
      for (const id of ids) group.ids.add(id);
      if (group.ids.size >= MAX_RETRIEVE_IDS) flushRetrieve(object);
    });
  }

  async function flushRetrieve(object: string) {
    const group = takeReads(retrieves, object);
    if (!group) return;
    const { callers } = group;
    const ids = [...group.ids];
    const fields = [...new Set(callers.flatMap((c) => c.fields))];
    stats.readsCoalesced += callers.length - 1;
    const outcome = await read({ kind: 'retrieve', object, ids, fields });
    if (outcome.kind !== 'retrieve') {
      return fallBack<(SfRecord | null)[], RetrieveCaller>(callers, errorOf(outcome), (c) =>
        port.retrieve(object, c.ids, c.fields),
      );
    }
    const rows = outcome.rows;
    const byId = new Map(ids.map((id, i) => [id, rows[i] ?? null]));
    for (const caller of callers) {
      caller.resolve(
        caller.ids.map((id) => {
          const row = byId.get(id);
          return row ? pick(row, caller.fields, []) : null;
        }),
      );
    }
  }

  /**
   * A merged read failed: a retryable failure (network, limits) fails every caller, as it would have alone;
   * any other (one caller's bad field, say) is sorted out by asking each caller's own question.
   */
  async function fallBack<R, C extends Settle<R>>(
    callers: C[],
    error: unknown,
    alone: (caller: C) => Promise<R>,
  ) {
    if (error !== undefined && (callers.length === 1 || (error instanceof ConcordError && error.retryable))) {
      for (const c of callers) c.reject(error);
      return;
    }
    for (const caller of callers) {
      stats.readCalls += 1;
      stats.calls += 1;
      await alone(caller).then(caller.resolve, caller.reject);
    }
  }

  return {
    ...port,
    find,
    retrieve,
    create: (object, records) => enqueue({ op: 'create', object }, records),
    update: (object, records) => enqueue({ op: 'update', object }, records),
    upsert: (object, externalIdField, records) => enqueue({ op: 'upsert', object, externalIdField }, records),
    batchingStats: () => ({ ...stats }),
  };
}

interface QuietTimer {
  /** Someone joined: wait `gapMs` more, but not past the cap. */
  touch(): void;
  cancel(): void;
}

/**
 * A read batch's cap, in gaps after its first read. With a backlog the flight deck's stall sends reads, so the
 * cap only bounds a wait nothing else ends. At a trickle, deliveries arriving closer together than a gap keep
 * joining, and the cap is what ends the wait: four gaps keep the lookups of several deliveries in one call
 * without letting the slowest of them wait much longer than its write batch.
 */
export const READ_CAP_GAPS = { backlog: 10, trickle: 4 } as const;

/**
 * Fires after `gapMs` without a `touch`, or at the cap (`READ_CAP_GAPS`) after the start; while `patient()`
 * (a backlog), only at its cap.
 */
export function quietTimer(fire: () => void, gapMs: number, patient: () => boolean): QuietTimer {
  const start = Date.now();
  const delay = () => {
    const elapsed = Date.now() - start;
    if (patient()) return Math.max(0, gapMs * READ_CAP_GAPS.backlog - elapsed);
    return Math.max(0, Math.min(gapMs, gapMs * READ_CAP_GAPS.trickle - elapsed));
  };
  let timer = setTimeout(fire, delay());
  return {
    touch() {
      clearTimeout(timer);
      timer = setTimeout(fire, delay());
    },
    cancel: () => clearTimeout(timer),
  };
}

/** The identity of the record a write touches within its group, if it has one. */
function recordKey(write: WriteTarget, fields: SfFields): string | undefined {
  const value =
    write.op === 'update' ? fields['Id'] : write.op === 'upsert' ? fields[write.externalIdField] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** The error an op ended with (an outcome of the wrong kind is the batcher's own bug). */
function errorOf(outcome: CompositeOutcome): unknown {
  return outcome.kind === 'error'
    ? outcome.error
    : new ConcordError(`a ${outcome.kind} outcome came back for another kind of request`, {
        code: 'internal',
        retryable: false,
      });
}

function missingResult(): SfWriteResult {
  return {
    ok: false,
    error: new ConcordError('Salesforce returned no result for this record', {
      code: 'internal',
      retryable: true,
    }),
  };
}

interface KeyCondition {
  field: string;
  values: readonly (string | number)[];
}

/** An `=` or `IN` on a plain field, as the values it accepts. */
function asKey(c: SfCondition): KeyCondition | undefined {
  if (c.field.includes('.')) return undefined;
  if (c.op === 'in' && c.values.length > 0) return { field: c.field, values: c.values };
  if (c.op === '=' && (typeof c.value === 'string' || typeof c.value === 'number'))
    return { field: c.field, values: [c.value] };
  return undefined;
}

/**
 * What merged requests may differ in: their `anyOf` when every alternative is a key condition, else the
 * first key condition of `where`. `rest` is the part every caller of a merged query must share.
 */
function keyConditions(
  request: SfFindRequest,
): { rest: readonly SfCondition[]; keys: readonly KeyCondition[] } | undefined {
  if (request.anyOf && request.anyOf.length > 0) {
    const keys = request.anyOf.map(asKey);
    if (keys.some((k) => k === undefined)) return undefined;
    return { rest: request.where, keys: keys as KeyCondition[] };
  }
  for (const [index, c] of request.where.entries()) {
    const key = asKey(c);
    if (key) return { rest: request.where.filter((_, i) => i !== index), keys: [key] };
  }
  return undefined;
}

/** SOQL compares text case-insensitively; record ids come back 18 characters long. */
function normaliseValue(value: unknown): string {
  return String(value).toLowerCase();
}

const RECORD_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

function matchesAny(value: unknown, wanted: ReadonlySet<string>): boolean {
  if (value === null || value === undefined) return false;
  if (wanted.has(normaliseValue(value))) return true;
  const text = String(value);
  if (!RECORD_ID.test(text)) return false;
  for (const w of wanted) if (w.length === 15 && text.slice(0, 15).toLowerCase() === w) return true;
  return false;
}

function uniqueValues(values: readonly (string | number)[]): (string | number)[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = typeof v === 'string' ? v.toLowerCase() : `#${v}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A row as this caller asked for it: its fields (and their parent paths) and its child relationships. */
function project(row: SfRecord, request: SfFindRequest): SfRecord {
  return pick(
    row,
    request.fields,
    (request.children ?? []).map((c) => c.relationship),
  );
}

function pick(row: SfRecord, fields: readonly string[], children: readonly string[]): SfRecord {
  const keep = new Set(['Id', ...fields.map((f) => f.split('.')[0]!), ...children]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (keep.has(k)) out[k] = v;
  return out as SfRecord;
}
