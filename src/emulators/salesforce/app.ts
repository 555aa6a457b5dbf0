/**
 * Assembles the Hono app: the token endpoint, the versioned REST routes (each wrapped with auth, faults,
 * the concurrency hook, the daily API allocation, `Sforce-Limit-Info`, the request log and a transaction
 * whose change events publish on success) and the `/__emulator` admin API and CDC stream.
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import { adminRoutes, type SalesforceEmulatorAdmin } from './admin.js';
import { bulkRoutes } from './bulk/routes.js';
import { publishTransaction } from './cdc/log.js';
import { cdcRoutes } from './cdc/routes.js';
import { allowSaveHeader } from './duplicates.js';
import { type EmulatorEnv, type HandlerResult, callOptionsClient, recordRequest } from './env.js';
import { SfApiError, sfError } from './errors.js';
import { collectionRoutes } from './routes/collections.js';
import { compositeRoutes } from './routes/composite.js';
import { describeRoutes } from './routes/describe.js';
import { createRouteMatcher } from './routes/dispatch.js';
import { limitRoutes, versionsBody } from './routes/limits.js';
import { handleToken } from './routes/oauth.js';
import { queryRoutes } from './routes/query.js';
import { replicationRoutes } from './routes/replication.js';
import { sobjectRoutes } from './routes/sobjects.js';
import type { ApiCall, ApiRoute } from './routes/types.js';
import type { WriteContext } from './records.js';
import { createTransaction, rollback, type Transaction } from './transaction.js';

/** Order matters where paths overlap: `/sobjects/X/describe` before `/sobjects/X/{id}`. */
const API_ROUTES: readonly ApiRoute[] = [
  ...describeRoutes,
  ...replicationRoutes,
  ...limitRoutes,
  ...queryRoutes,
  ...compositeRoutes,
  ...collectionRoutes,
  ...bulkRoutes,
  ...sobjectRoutes,
];
const MATCHER = createRouteMatcher(API_ROUTES);

const MIN_VERSION = 42;

function respond(result: HandlerResult, extra: Record<string, string>): Response {
  const headers = new Headers({ ...extra, ...result.headers });
  if (result.raw) {
    headers.set('content-type', result.raw.contentType);
    return new Response(result.raw.text, { status: result.status, headers });
  }
  if (result.body === undefined || result.status === 204 || result.status === 304)
    return new Response(null, { status: result.status, headers });
  headers.set('content-type', 'application/json;charset=UTF-8');
  return new Response(JSON.stringify(result.body), { status: result.status, headers });
}

const errorResult = (error: unknown): HandlerResult =>
  error instanceof SfApiError
    ? { status: error.status, body: error.toBody() }
    : { status: 500, body: [{ message: String(error), errorCode: 'UNKNOWN_EXCEPTION' }] };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds the handler's view of a call; `dispatch` re-enters the route table inside the same transaction. */
function makeCall(
  env: EmulatorEnv,
  params: Record<string, string>,
  query: URLSearchParams,
  headers: Headers,
  apiBase: string,
  write: WriteContext,
  readText: () => Promise<string>,
  /** Collects the kinds of the subrequests this call dispatches (composite), for the request log. */
  subrequests: string[] = [],
): ApiCall {
  let parsed: { body: unknown } | undefined;
  const call: ApiCall = {
    env,
    params,
    query,
    headers,
    apiBase,
    write,
    text: readText,
    json: async () => {
      if (parsed) return parsed.body;
      const text = await readText();
      try {
        parsed = { body: text === '' ? undefined : JSON.parse(text) };
      } catch {
        throw sfError(400, 'JSON_PARSER_ERROR', 'Unexpected character in request body: not valid JSON');
      }
      return parsed.body;
    },
    dispatch: async (method, url, body) => {
      const target = new URL(url, 'http://emulator');
      const prefix = /^\/services\/data\/(v\d+\.\d)(\/.*)$/.exec(target.pathname);
      const found = prefix ? MATCHER.match(method, prefix[2]!) : undefined;
      if (!prefix || !found)
        return errorResult(sfError(404, 'NOT_FOUND', 'The requested resource does not exist'));
      subrequests.push(found.route.kind);
      const fault = env.faults.take(method.toUpperCase(), target.pathname, found.route.kind, true);
      if (fault) {
        if (fault.held) await fault.held;
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.status) return errorResult(sfError(fault.status, fault.errorCode, fault.message));
      }
      const text = body === undefined ? '' : JSON.stringify(body);
      const sub = makeCall(
        env,
        found.params,
        target.searchParams,
        headers,
        `/services/data/${prefix[1]}`,
        write,
        async () => text,
        subrequests,
      );
      try {
        return await found.route.handle(sub);
      } catch (error) {
        return errorResult(error);
      }
    },
  };
  return call;
}

async function runApiRoute(env: EmulatorEnv, route: ApiRoute, c: Context): Promise<Response> {
  const url = new URL(c.req.url);
  const client = callOptionsClient(c.req.header('sforce-call-options'));
  const version = c.req.param('version') ?? '';
  const apiBase = `/services/data/${version}`;
  let counted = false;
  let tx: Transaction | undefined;
  const subrequests: string[] = [];
  const result = await (async (): Promise<HandlerResult> => {
    try {
      const v = /^v(\d+)\.\d$/.exec(version);
      if (!v || Number(v[1]) < MIN_VERSION)
        throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const token = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      const session = token ? env.state.tokens.get(token) : undefined;
      const now = env.now();
      if (session && now - (session.lastUsedAt ?? session.issuedAt) > env.state.config.sessionTimeoutMs) {
        env.state.tokens.delete(token!);
      } else if (session) {
        session.lastUsedAt = now;
      }
      if (!session || !env.state.tokens.has(token!))
        throw sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
      if (env.concurrencyLimit !== undefined && env.inFlight >= env.concurrencyLimit) {
        throw sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.');
      }
      env.inFlight += 1;
      counted = true;
      const fault = env.faults.take(c.req.method, url.pathname, route.kind);
      if (fault) {
        if (fault.held) await fault.held;
        if (fault.latencyMs > 0) await sleep(fault.latencyMs);
        if (fault.status) throw sfError(fault.status, fault.errorCode, fault.message);
      }
      if (env.state.apiUsage >= env.state.dailyApiLimit) {
        throw sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      }
      env.state.apiUsage += 1;
      tx = createTransaction();
      const api = route.api ?? 'rest';
      const write: WriteContext = {
        userId: session.userId,
        client,
        now: env.now(),
        origin: `com/salesforce/api/${api}/${version.slice(1)}${client ? `;client=${client}` : ''}`,
        tx,
        allowDuplicateSave: allowSaveHeader(c.req.header('sforce-duplicate-rule-header')),
        apiBase,
      };
      const call = makeCall(
        env,
        c.req.param() as Record<string, string>,
        url.searchParams,
        c.req.raw.headers,
        apiBase,
        write,
        () => c.req.text(),
        subrequests,
      );
      const out = await route.handle(call);
      publishTransaction(env.state.changeLog, env.state.config, tx, env.now());
      return out;
    } catch (error) {
      if (tx) rollback(tx);
      return errorResult(error);
    } finally {
      if (counted) env.inFlight -= 1;
    }
  })();
  recordRequest(env, {
    method: c.req.method,
    path: url.pathname,
    kind: route.kind,
    ...(subrequests.length > 0 ? { subrequests } : {}),
    client,
    status: result.status,
    at: env.now(),
  });
  return respond(result, {
    'Sforce-Limit-Info': `api-usage=${env.state.apiUsage}/${env.state.dailyApiLimit}`,
  });
}

export function createApp(env: EmulatorEnv, admin: SalesforceEmulatorAdmin): Hono {
  const app = new Hono();
  app.post('/services/oauth2/token', async (c) => {
    const url = new URL(c.req.url);
    const fault = env.faults.take('POST', url.pathname, 'oauth');
    const result = fault?.status
      ? { status: fault.status, body: { error: fault.errorCode, error_description: fault.message } }
      : await handleToken(env, c.req.raw);
    const client = callOptionsClient(c.req.header('sforce-call-options'));
    recordRequest(env, {
      method: 'POST',
      path: url.pathname,
      kind: 'oauth',
      client,
      status: result.status,
      at: env.now(),
    });
    return respond(result, {});
  });
  const versions = (c: Context) => c.json(versionsBody());
  app.get('/services/data', versions);
  app.get('/services/data/', versions);
  for (const route of API_ROUTES) {
    app.on(route.method, `/services/data/:version${route.path}`, (c) => runApiRoute(env, route, c));
  }
  app.route('/__emulator/cdc', cdcRoutes(env));
  app.route('/__emulator', adminRoutes(admin));
  app.notFound((c) =>
    c.json([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }], 404),
  );
  return app;
}
