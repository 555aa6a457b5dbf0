import { configuredPort, type LoadedConfig } from '../config/index.js';
import type { Budgets } from '../server/metrics.js';
import { keepsEverything } from '../store/retention.js';

/** How long `concord status` waits for the running service before saying it could not reach it. */
const TIMEOUT_MS = 3_000;

/**
 * Where the running service listens, as the config (and `PORT`, as for `concord start`) says: an any-address
 * host (`0.0.0.0`, `::`) is reached on loopback. Undefined when the port is 0 (chosen at start).
 */
export function serviceUrlFromConfig(server: LoadedConfig['config']['server']): string | undefined {
  const port = configuredPort(server);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const host =
    server.host === '0.0.0.0' || server.host === '::' || server.host === ''
      ? '127.0.0.1'
      : server.host.includes(':') && !server.host.startsWith('[')
        ? `[${server.host}]`
        : server.host;
  return `http://${host}:${port}`;
}

export type BudgetsAnswer =
  | { ok: true; url: string; budgets: Budgets | undefined }
  | { ok: false; line: string };

/** Asks the running service's `/admin/status` for its budgets; on any failure, one line saying why. */
export async function fetchBudgets(options: {
  url: string | undefined;
  adminToken: string | undefined;
}): Promise<BudgetsAnswer> {
  const only = 'API budget use is only known to a running Concord service';
  if (!options.adminToken) {
    return {
      ok: false,
      line: `budgets: not shown — ${only}, asked through its admin API, which needs server.adminToken in the config`,
    };
  }
  if (!options.url) {
    return {
      ok: false,
      line: `budgets: not shown — ${only}, and server.port is 0 in the config; give its address with --url http://<host>:<port>`,
    };
  }
  const base = options.url.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/admin/status`, {
      headers: { authorization: `Bearer ${options.adminToken}` },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const cause =
      e.name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    return {
      ok: false,
      line: `budgets: not shown — ${only}, and none answered at ${base} (${cause}); start it with \`concord start\`, or point at it with --url <base>`,
    };
  }
  if (response.status === 401) {
    return {
      ok: false,
      line: `budgets: not shown — the service at ${base} refused the admin token (401); the config's server.adminToken must be the service's`,
    };
  }
  if (!response.ok) {
    return {
      ok: false,
      line: `budgets: not shown — ${base}/admin/status answered ${response.status}; is a Concord service with an admin token listening there?`,
    };
  }
  const body = (await response.json().catch(() => undefined)) as { budgets?: Budgets } | undefined;
  if (!body || typeof body !== 'object') {
    return { ok: false, line: `budgets: not shown — ${base}/admin/status did not answer JSON` };
  }
  return { ok: true, url: base, budgets: body.budgets };
}

const time = (ms: number) => new Date(ms).toISOString();
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line per Salesforce org and Auth0 tenant, and one for the retention loop when it runs. */
export function formatBudgets(budgets: Budgets | undefined, now: number): string[] {
  const lines: string[] = [];
  for (const o of budgets?.salesforce ?? []) {
    const use =
      o.used === undefined || o.limit === undefined
        ? 'no API usage reported yet'
        : `${o.used}/${o.limit} API calls used (allowed ${o.allowed ?? '?'})`;
    const paused =
      o.pausedUntil === undefined
        ? 'not paused'
        : `paused until ${time(o.pausedUntil)}${o.reason ? ` (${o.reason})` : ''}`;
    let line = `salesforce ${o.org}: ${use}, ${paused}`;
    const b = o.batching;
    if (b) {
      line +=
        `, batching: ${plural(b.calls, 'API call')} (${b.compositeCalls} composite) carried` +
        ` ${plural(b.writeCalls, 'write')} of ${plural(b.recordsWritten, 'record')}` +
        ` (${plural(b.recordsCoalesced, 'record')} coalesced) and` +
        ` ${plural(b.readCalls, 'read')} (${plural(b.readsCoalesced, 'lookup')} shared)`;
    }
    lines.push(line);
  }
  for (const t of budgets?.auth0 ?? []) {
    const blocked =
      t.blockedUntil !== undefined && t.blockedUntil > now
        ? `blocked until ${time(t.blockedUntil)}`
        : 'not blocked';
    lines.push(
      `auth0 ${t.tenant}: ${plural(t.sent, 'request')} sent, ${t.tokens} may go now, ${t.waiting ?? 0} waiting,` +
        ` ${plural(t.deferred ?? 0, 'call')} deferred, ${blocked}`,
    );
  }
  if (lines.length === 0) lines.push('no Salesforce org or Auth0 tenant reported');
  const r = budgets?.retention;
  if (r && !keepsEverything(r)) {
    const last =
      r.lastPassAt === undefined ? 'no pass finished yet' : `last pass ended ${time(r.lastPassAt)}`;
    lines.push(
      `retention (${r.days ?? 'forever'} days, audit ${r.auditDays ?? 'forever'} days): ${last}, ` +
        `${plural(r.pruned.inbox, 'inbox row')} and ${plural(r.pruned.audit, 'audit entry', 'audit entries')} pruned since start` +
        `${r.lastError ? `; the last pass failed: ${r.lastError}` : ''}`,
    );
  }
  return lines;
}
