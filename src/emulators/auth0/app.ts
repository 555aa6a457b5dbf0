import { type Context, Hono } from 'hono';
import {
  badRequest,
  invalidToken,
  insufficientScope,
  ManagementApiError,
  tooManyRequests,
} from './api-error.js';
import { answerWithFault } from './faults.js';
import { appendLog, encodeApiPath, managementApiRecord } from './log-records.js';
import type { TokenBucket } from './rate-limit.js';
import { changePasswordHandler } from './routes/dbconnections.js';
import { logRoutes } from './routes/logs.js';
import { tokenHandler } from './routes/oauth.js';
import { roleRoutes } from './routes/roles.js';
import { ticketAndJobRoutes } from './routes/tickets-and-jobs.js';
import type { ApiRoute } from './routes/route.js';
import { userRoutes } from './routes/users.js';
import { type EmulatorState, recordRequest } from './state.js';
import { type AccessTokenClaims, createTokenVerifier } from './tokens.js';

export type EmulatorEnv = { Variables: { auth: AccessTokenClaims; endpoint: string } };

export const API_ROUTES: readonly ApiRoute[] = [
  ...userRoutes,
  ...roleRoutes,
  ...logRoutes,
  ...ticketAndJobRoutes,
];

const ADMIN_PREFIX = '/__emulator';

/**
 * The emulator's HTTP surface: `/oauth/token`, `/dbconnections/change_password`, `/api/v2/*` (declared in `routes/`), and the admin API
 * mounted by the caller. Counters, the request log and injected faults apply to everything but admin.
 */
export function createEmulatorApp(state: EmulatorState, bucket: TokenBucket | undefined): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>();
  const verify = createTokenVerifier(state);

  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    if (url.pathname.startsWith(ADMIN_PREFIX)) return next();
    const fault =
      state.faults.length > 0 ? await answerWithFault(state.faults, c.req.method, url.pathname) : undefined;
    if (fault) c.res = fault;
    else await next();
    recordRequest(state, {
      at: state.now(),
      method: c.req.method,
      path: url.pathname,
      query: url.search,
      endpoint: c.get('endpoint') ?? `${c.req.method} ${url.pathname}`,
      status: c.res.status,
      clientId: c.get('auth')?.clientId,
    });
  });

  app.post('/oauth/token', (c) => {
    c.set('endpoint', 'POST /oauth/token');
    return tokenHandler(c, state);
  });

  app.post('/dbconnections/change_password', (c) => {
    c.set('endpoint', 'POST /dbconnections/change_password');
    return changePasswordHandler(c, state);
  });

  const api = new Hono<EmulatorEnv>();
  if (bucket) {
    api.use('*', async (c, next) => {
      const decision = bucket.take();
      const headers = {
        'x-ratelimit-limit': String(decision.limit),
        'x-ratelimit-remaining': String(decision.remaining),
        'x-ratelimit-reset': String(decision.reset),
      };
      if (!decision.allowed) return errorResponse(tooManyRequests(), headers);
      await next();
      for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
    });
  }
  api.use('*', async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const token = header.match(/^Bearer\s+(\S+)$/i)?.[1];
    const claims = token ? await verify(token) : 'invalid';
    if (claims === 'invalid') throw invalidToken();
    if (claims === 'expired') throw invalidToken('Expired token received for JSON Web Token validation');
    c.set('auth', claims);
    await next();
  });
  for (const route of API_ROUTES) {
    const endpoint = `${route.method} /api/v2${route.path.replace(/:(\w+)/g, '{$1}')}`;
    api.on(route.method, route.path, (c) => handle(c, route, endpoint, state));
  }
  api.notFound(() => errorResponse(new ManagementApiError(404, 'Not Found', 'Not Found')));
  api.onError(renderError);
  app.route('/api/v2', api);
  app.onError(renderError);
  // unknown paths anywhere (admin included) answer in the Management error shape too
  app.notFound((c) =>
    errorResponse(
      new ManagementApiError(404, 'Not Found', `No route ${c.req.method} ${new URL(c.req.url).pathname}`),
    ),
  );
  return app;
}

async function handle(
  c: Context<EmulatorEnv>,
  route: ApiRoute,
  endpoint: string,
  state: EmulatorState,
): Promise<Response> {
  c.set('endpoint', endpoint);
  const auth = c.get('auth');
  if (!route.scopes.some((s) => auth.scopes.includes(s))) throw insufficientScope(route.scopes);
  const url = new URL(c.req.url);
  const query = Object.fromEntries(url.searchParams);
  const body = route.method === 'GET' ? undefined : await readJson(c);
  let status: number;
  let response: Response;
  let responseBody: unknown;
  try {
    const result = await route.handle({
      state,
      params: c.req.param(),
      query,
      body,
      auth,
      origin: url.origin,
    });
    status = result.status ?? 200;
    responseBody = result.body;
    response = new Response(result.body === undefined ? null : JSON.stringify(result.body), {
      status,
      headers: {
        ...(result.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...result.headers,
      },
    });
  } catch (error) {
    if (!(error instanceof ManagementApiError) || !route.audit) throw error;
    status = error.statusCode;
    responseBody = error.body;
    response = errorResponse(error);
  }
  if (route.audit) {
    appendLog(
      state,
      managementApiRecord({
        actor: {
          kind: 'm2m',
          clientId: auth.clientId,
          clientName: state.clients.get(auth.clientId)?.name ?? '',
          scopes: auth.scopes,
          jti: auth.jti,
        },
        description: route.audit,
        method: route.method,
        path: encodeApiPath(url.pathname),
        query,
        body,
        statusCode: status,
        responseBody,
        ip: '127.0.0.1',
        userAgent: c.req.header('user-agent') ?? '',
      }),
    );
  }
  return response;
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('Payload validation error: Invalid JSON.');
  }
}

function errorResponse(error: ManagementApiError, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(error.body), {
    status: error.statusCode,
    headers: { 'content-type': 'application/json', ...error.headers, ...headers },
  });
}

function renderError(error: Error): Response {
  if (error instanceof ManagementApiError) return errorResponse(error);
  return errorResponse(new ManagementApiError(500, 'Internal Server Error', error.message));
}
