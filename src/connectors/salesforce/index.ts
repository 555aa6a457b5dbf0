/**
 * The Salesforce connector: `SalesforcePort` over jsforce 3.10.16, with explicit API version, the
 * `Sforce-Call-Options: client=...` stamp on every request, token re-mint on 401 (once), sObject
 * Collections for writes and chunked SOQL for reads.
 */
import { Connection } from 'jsforce/lib/connection.js'; // not 'jsforce', which loads every API: ~11 MiB
import { ConcordError } from '../../core/errors.js';
import {
  type CollectionWrite,
  type CompositeOp,
  type CompositeOutcome,
  MAX_COMPOSITE_COLLECTIONS,
  type SalesforcePort,
  sendAlone,
  type SfFields,
  type SfFindRequest,
  type SfRecord,
  type SfWriteResult,
  type SObjectDescribe,
} from '../../core/ports.js';
import { mintToken, type SalesforceAuth, type Session } from './auth.js';
import { fromRecordError, fromRequestError, fromVendorCode } from './errors.js';
import { buildSoql, MAX_QUERY_URL_BYTES, splitForUrl } from './soql-builder.js';

export { buildSoql } from './soql-builder.js';
export type { SalesforceAuth } from './auth.js';
export { createSalesforceChangeFeed, type SalesforceChangeFeedOptions } from './change-feed.js';
export { pollChanges, type PollCursor, type PollResult, type SoqlQueryPort } from './soql-poller.js';

export interface SalesforceConnectorOptions {
  /** Token endpoint = `${loginUrl}/services/oauth2/token`. */
  loginUrl: string;
  auth: SalesforceAuth;
  /** Default '60.0'; lower versions are rejected. */
  apiVersion?: string;
  /** Default 'concord' → `Sforce-Call-Options: client=concord`. */
  callOptionsClient?: string;
  logger?: { debug(o: object, msg?: string): void; warn(o: object, msg?: string): void };
}

export type SalesforceConnector = SalesforcePort & {
  /** Mints a token (other methods do so lazily) and reports who we are. */
  connect(): Promise<{ orgId: string; userId: string; instanceUrl: string }>;
  /** The integration user, once connected (for loop prevention). */
  identity(): { orgId: string; userId: string } | undefined;
  limits(): Promise<{ dailyApiRequests: { max: number; remaining: number } }>;
  /**
   * Runs a SOQL string built by this folder's builders (never from user input), following every page.
   * For queries `find` cannot express, such as the poller's `SystemModstamp >=` range.
   */
  query(soql: string): Promise<SfRecord[]>;
  /**
   * One authenticated request under `/services/data/vXX.X` (bearer token, `Sforce-Call-Options`, re-mint and
   * retry once on 401), returning the raw Response so callers can stream bodies jsforce cannot parse (Bulk
   * API 2.0 CSVs). Non-2xx answers throw the mapped ConcordError. Not governed: callers spend the budget.
   */
  rawRequest(method: string, path: string, init?: RawRequestInit): Promise<Response>;
};

/** Body and headers of a `rawRequest`; the body must be re-sendable (a retry after 401 sends it again). */
export interface RawRequestInit {
  body?: string;
  contentType?: string;
  accept?: string;
}

const COLLECTION_SIZE = 200;
const RETRIEVE_SIZE = 2000;
/** Keeps `?ids=` lists below the 16,384-byte URL limit (18-char ids + commas). */
const RETRIEVE_URL_IDS = 500;
/** jsforce retries GETs on 5xx with backoff by itself; retries are ours (governor, outbox). */
const NO_RETRY = { retry: { maxRetries: 0 } };

interface Live {
  session: Session;
  conn: Connection;
}

type SaveResult = { id?: string; success: boolean; created?: boolean; errors?: unknown[] };

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function stripAttributes(record: Record<string, unknown>): SfRecord {
  const { attributes: _a, ...rest } = record;
  for (const [k, v] of Object.entries(rest)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const nested = v as Record<string, unknown>;
      if (Array.isArray(nested['records'])) {
        rest[k] = {
          ...nested,
          records: (nested['records'] as Record<string, unknown>[]).map(stripAttributes),
        };
      } else if ('attributes' in nested) {
        rest[k] = stripAttributes(nested);
      }
    }
  }
  return rest as SfRecord;
}

function toWriteResults(results: unknown, expected: number): SfWriteResult[] {
  if (!Array.isArray(results) || results.length !== expected) {
    throw new ConcordError(
      `Salesforce returned ${Array.isArray(results) ? results.length : 'no'} results for ${expected} records`,
      {
        code: 'internal',
        retryable: false,
      },
    );
  }
  return (results as SaveResult[]).map((r) =>
    r.success && r.id
      ? { ok: true, id: r.id, created: r.created === true }
      : {
          ok: false,
          error: fromRecordError(
            r.errors?.[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'no error given' },
          ),
        },
  );
}

/** The method, path (under `/services/data/vXX.X`) and body of one sObject Collections write. */
function collectionRequest(write: CollectionWrite): {
  method: 'POST' | 'PATCH';
  path: string;
  body: unknown;
} {
  const typed = (r: SfFields) => ({ attributes: { type: write.object }, ...r });
  switch (write.op) {
    case 'create':
      return {
        method: 'POST',
        path: '/composite/sobjects',
        body: { allOrNone: false, records: write.records.map(typed) },
      };
    case 'update':
      return {
        method: 'PATCH',
        path: '/composite/sobjects',
        body: {
          allOrNone: false,
          records: write.records.map(({ Id, ...rest }) => typed({ id: Id, ...rest })),
        },
      };
    case 'upsert':
      return {
        method: 'PATCH',
        path: `/composite/sobjects/${encodeURIComponent(write.object)}/${encodeURIComponent(write.externalIdField)}`,
        body: { allOrNone: false, records: write.records.map(typed) },
      };
  }
}

/** The first `{errorCode, message}` of a request-level error body, if it has one. */
function firstApiError(text: string): { errorCode?: string; message?: string } {
  try {
    const body = JSON.parse(text) as unknown;
    const first = Array.isArray(body) ? body[0] : body;
    return typeof first === 'object' && first !== null ? (first as { errorCode?: string }) : {};
  } catch {
    return {};
  }
}

function rawError(status: number, text: string): ConcordError {
  const e = firstApiError(text);
  return fromVendorCode(e.errorCode ?? `ERROR_HTTP_${status}`, e.message ?? `HTTP ${status}`, {
    status,
    payload: e,
  });
}

/** The session error that re-minting fixes; "not valid for use with the REST API" is not one. */
function isExpiredSession(error: unknown): boolean {
  const e = error as { errorCode?: string; message?: string };
  return (
    e?.errorCode === 'INVALID_SESSION_ID' && !/not valid for use with the REST API/i.test(e.message ?? '')
  );
}

/** `GET /composite/sobjects/{object}?ids=&fields=`: ≤ `RETRIEVE_URL_IDS` ids. */
function retrievePath(object: string, ids: readonly string[], fields: readonly string[]): string {
  const fieldList = [...new Set(['Id', ...fields])].join(',');
  return `/composite/sobjects/${encodeURIComponent(object)}?ids=${ids.join(',')}&fields=${encodeURIComponent(fieldList)}`;
}

/** Rows for the ids asked, in their order (`null` where missing): 15-character ids match 18-character answers. */
function inIdOrder(
  ids: readonly string[],
  rows: readonly (Record<string, unknown> | null)[],
): (SfRecord | null)[] {
  const found = new Map<string, SfRecord>();
  for (const row of rows) if (row) found.set(String(row['Id']), stripAttributes(row));
  return ids.map(
    (id) => found.get(id) ?? [...found.values()].find((r) => id.length === 15 && r.Id.startsWith(id)) ?? null,
  );
}

export function createSalesforceConnector(options: SalesforceConnectorOptions): SalesforceConnector {
  const version = options.apiVersion ?? '60.0';
  if (!/^\d+\.\d$/.test(version) || Number(version) < 60) {
    throw new ConcordError(`Salesforce apiVersion must be 60.0 or later, got ${version}`, {
      code: 'config',
      retryable: false,
    });
  }
  const client = options.callOptionsClient ?? 'concord';
  let live: Live | undefined;
  let minting: Promise<Live> | undefined;
  let lastUsage: { used: number; limit: number } | undefined;

  const mint = (): Promise<Live> => {
    minting ??= mintToken(options.loginUrl, options.auth)
      .then((session) => {
        const conn = new Connection({
          instanceUrl: session.instanceUrl,
          accessToken: session.accessToken,
          version,
          callOptions: { client },
        });
        live = { session, conn };
        options.logger?.debug({ orgId: session.orgId, userId: session.userId }, 'salesforce token minted');
        return live;
      })
      .finally(() => {
        minting = undefined;
      });
    return minting;
  };

  /** Runs one API call; on an expired session re-mints (shared by concurrent callers) and retries once. */
  async function call<T>(fn: (conn: Connection) => Promise<T>): Promise<T> {
    const current = live ?? (await mint());
    try {
      return await run(current, fn);
    } catch (error) {
      if (!isExpiredSession(error)) throw fromRequestError(error);
      options.logger?.debug({}, 'salesforce session expired, re-minting');
      const fresh = live && live !== current ? live : await mint();
      try {
        return await run(fresh, fn);
      } catch (retryError) {
        throw fromRequestError(retryError);
      }
    }
  }

  async function run<T>(target: Live, fn: (conn: Connection) => Promise<T>): Promise<T> {
    try {
      return await fn(target.conn);
    } finally {
      const usage = target.conn.limitInfo?.apiUsage;
      if (usage) lastUsage = { used: usage.used, limit: usage.limit };
    }
  }

  const request = <T>(method: string, url: string, body?: unknown) =>
    call(
      (conn) =>
        conn.request<T>(
          {
            method: method as 'GET',
            url,
            ...(body === undefined
              ? {}
              : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
          },
          NO_RETRY,
        ) as Promise<T>,
    );

  /** Plain fetch with the current session; a 401 `INVALID_SESSION_ID` re-mints once (shared with `call`). */
  async function rawRequest(method: string, path: string, init: RawRequestInit = {}): Promise<Response> {
    const send = async (target: Live) => {
      const headers: Record<string, string> = {
        authorization: `Bearer ${target.session.accessToken}`,
        'sforce-call-options': `client=${client}`,
        accept: init.accept ?? 'application/json',
      };
      if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
      let response: Response;
      try {
        response = await fetch(`${target.session.instanceUrl}/services/data/v${version}${path}`, {
          method,
          headers,
          ...(init.body === undefined ? {} : { body: init.body }),
        });
      } catch (error) {
        throw fromRequestError(error);
      }
      const usage = /api-usage=(\d+)\/(\d+)/.exec(response.headers.get('sforce-limit-info') ?? '');
      if (usage) lastUsage = { used: Number(usage[1]), limit: Number(usage[2]) };
      return response;
    };
    const current = live ?? (await mint());
    let response = await send(current);
    if (response.status === 401) {
      const body = await response.text();
      if (!isExpiredSession(firstApiError(body))) throw rawError(response.status, body);
      options.logger?.debug({}, 'salesforce session expired, re-minting');
      response = await send(live && live !== current ? live : await mint());
    }
    if (!response.ok) throw rawError(response.status, await response.text());
    return response;
  }

  type Page = { done: boolean; nextRecordsUrl?: string; records: Record<string, unknown>[] };
  /** Collections retrieves go inside composite calls until the org refuses one there. */
  let retrievesInComposite = true;

  async function queryAllPages(soql: string): Promise<SfRecord[]> {
    return restOfPages(await request<Page>('GET', `/query?q=${encodeURIComponent(soql)}`));
  }

  /** A query's rows from its first page on, following `nextRecordsUrl`. */
  async function restOfPages(first: Page): Promise<SfRecord[]> {
    const out: SfRecord[] = [];
    let page = first;
    for (;;) {
      for (const r of page.records) out.push(stripAttributes(r));
      if (page.done || !page.nextRecordsUrl) return out;
      page = await request<Page>('GET', page.nextRecordsUrl);
    }
  }

  /** One Collections call per 200 records, in order. */
  async function writeInChunks(write: CollectionWrite): Promise<SfWriteResult[]> {
    const out: SfWriteResult[] = [];
    for (const records of chunk<SfFields>(write.records, COLLECTION_SIZE)) {
      const { method, path, body } = collectionRequest({ ...write, records } as CollectionWrite);
      out.push(...toWriteResults(await request(method, path, body), records.length));
    }
    return out;
  }

  const connector: SalesforceConnector = {
    async connect() {
      const { session } = live ?? (await mint());
      return { orgId: session.orgId, userId: session.userId, instanceUrl: session.instanceUrl };
    },
    identity: () => (live ? { orgId: live.session.orgId, userId: live.session.userId } : undefined),
    async limits() {
      const body = await request<{ DailyApiRequests?: { Max: number; Remaining: number } }>('GET', '/limits');
      const daily = body.DailyApiRequests ?? { Max: 0, Remaining: 0 };
      return { dailyApiRequests: { max: daily.Max, remaining: daily.Remaining } };
    },
    apiUsage: () => lastUsage,
    query: (soql) => queryAllPages(soql),
    rawRequest,

    async find(req: SfFindRequest) {
      const out: SfRecord[] = [];
      for (const part of splitForUrl(req)) out.push(...(await queryAllPages(buildSoql(part))));
      return out;
    },

    async retrieve(object, ids, fields) {
      if (ids.length === 0) return [];
      const rows: (Record<string, unknown> | null)[] = [];
      for (const batch of chunk(ids, Math.min(RETRIEVE_SIZE, RETRIEVE_URL_IDS))) {
        rows.push(
          ...(await request<(Record<string, unknown> | null)[]>('GET', retrievePath(object, batch, fields))),
        );
      }
      return inIdOrder(ids, rows);
    },

    create: (object, records) => writeInChunks({ op: 'create', object, records }),
    update: (object, records) => writeInChunks({ op: 'update', object, records }),
    upsert: (object, externalIdField, records) =>
      writeInChunks({ op: 'upsert', object, externalIdField, records }),

    async composite(ops) {
      if (
        ops.length > MAX_COMPOSITE_COLLECTIONS ||
        ops.some((o) => o.kind === 'write' && o.write.records.length > COLLECTION_SIZE)
      ) {
        throw new ConcordError(
          `one composite call takes at most ${MAX_COMPOSITE_COLLECTIONS} Collections writes of ${COLLECTION_SIZE} records or queries`,
          { code: 'internal', retryable: false },
        );
      }
      // A query too long for one URL, or a retrieve of more ids than one URL holds, goes on its own.
      const subrequest = (op: CompositeOp): { method: string; path: string; body?: unknown } | undefined => {
        switch (op.kind) {
          case 'write':
            return collectionRequest(op.write);
          case 'find': {
            // A query that does not fit (or cannot be split) goes on its own, where it fails alone.
            const q = encodeURIComponent(buildSoql(op.request));
            return q.length <= MAX_QUERY_URL_BYTES ? { method: 'GET', path: `/query?q=${q}` } : undefined;
          }
          case 'retrieve':
            return retrievesInComposite && op.ids.length <= RETRIEVE_URL_IDS
              ? { method: 'GET', path: retrievePath(op.object, op.ids, op.fields) }
              : undefined;
        }
      };
      const planned = ops.map(subrequest);
      type Sub = { body: unknown; httpStatusCode: number; referenceId: string };
      const inside = planned.flatMap((sub, i) => (sub ? [{ ...sub, i }] : []));
      const response =
        inside.length > 0
          ? await request<{ compositeResponse?: Sub[] }>('POST', '/composite', {
              allOrNone: false,
              compositeRequest: inside.map(({ method, path, body, i }) => ({
                method,
                url: `/services/data/v${version}${path}`,
                referenceId: `op${i}`,
                ...(body === undefined ? {} : { body }),
              })),
            })
          : { compositeResponse: [] };
      const outcomes: CompositeOutcome[] = [];
      for (const [i, op] of ops.entries()) {
        outcomes.push(
          await outcomeOf(
            op,
            planned[i]
              ? (response.compositeResponse?.find((r) => r.referenceId === `op${i}`) ?? null)
              : undefined,
          ),
        );
      }
      return outcomes;

      /** `sub` is the op's subrequest result (`null`: missing from the response), `undefined`: sent on its own. */
      async function outcomeOf(op: CompositeOp, sub: Sub | null | undefined): Promise<CompositeOutcome> {
        try {
          if (sub === undefined) return await sendAlone(connector, op);
          if (sub === null || sub.httpStatusCode >= 400) {
            const error = sub
              ? rawError(sub.httpStatusCode, JSON.stringify(sub.body))
              : new ConcordError(`the composite response has no result for subrequest op${ops.indexOf(op)}`, {
                  code: 'internal',
                  retryable: true,
                });
            if (op.kind === 'write')
              return { kind: 'write', results: op.write.records.map(() => ({ ok: false as const, error })) };
            if (
              op.kind === 'retrieve' &&
              sub &&
              sub.httpStatusCode < 500 &&
              !(error instanceof ConcordError && error.retryable)
            ) {
              // An org that does not take Collections retrieves inside composite: read them on their own from now on.
              retrievesInComposite = false;
              return await sendAlone(connector, op);
            }
            return { kind: 'error', error };
          }
          if (op.kind === 'write')
            return { kind: 'write', results: toWriteResults(sub.body, op.write.records.length) };
          if (op.kind === 'find') return { kind: 'find', rows: await restOfPages(sub.body as Page) };
          return {
            kind: 'retrieve',
            rows: inIdOrder(op.ids, sub.body as (Record<string, unknown> | null)[]),
          };
        } catch (error) {
          return { kind: 'error', error };
        }
      }
    },

    async describe(object): Promise<SObjectDescribe> {
      type Field = {
        name: string;
        type: string;
        createable: boolean;
        updateable: boolean;
        nillable: boolean;
        defaultedOnCreate: boolean;
        externalId?: boolean;
        unique?: boolean;
        length?: number;
        picklistValues?: { value: string; active?: boolean }[];
      };
      const body = await request<{ name: string; fields: Field[] }>(
        'GET',
        `/sobjects/${encodeURIComponent(object)}/describe`,
      );
      return {
        name: body.name,
        fields: body.fields.map((f) => ({
          name: f.name,
          type: f.type,
          createable: f.createable,
          updateable: f.updateable,
          nillable: f.nillable,
          externalId: f.externalId === true,
          unique: f.unique === true,
          requiredOnCreate: f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean',
          ...(f.length ? { length: f.length } : {}),
          ...(f.picklistValues && f.picklistValues.length > 0
            ? { picklistValues: f.picklistValues.filter((p) => p.active !== false).map((p) => p.value) }
            : {}),
        })),
      };
    },
  };
  return connector;
}
