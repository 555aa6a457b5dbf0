import type { Hono } from 'hono';
import type { RateSnapshot } from '../pipeline/auth0-rate-governor.js';
import type { BatchingStats } from '../pipeline/salesforce-batcher.js';
import type { RetentionSnapshot } from '../pipeline/retention-loop.js';
import type { BudgetSnapshot } from '../pipeline/salesforce-governor.js';
import { type Db, jobCounts, keepsEverything, OUTCOMES } from '../store/index.js';
import { requireAdminToken } from './admin-routes.js';

/**
 * What `service.budgets()` reports: each org's API budget (and batcher counts), each tenant's rate governor, and
 * what the retention loop has pruned (the store's budget).
 */
export interface Budgets {
  salesforce: readonly (BudgetSnapshot & { batching?: BatchingStats | undefined })[];
  auth0: readonly RateSnapshot[];
  retention?: RetentionSnapshot | undefined;
}

type Labels = Record<string, string>;
interface Family {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: { labels?: Labels; value: number }[];
}

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const startedAtSeconds = Math.round(Date.now() - performance.now()) / 1000;

/**
 * The Prometheus text exposition (format 0.0.4) of what the service already knows: job counts (one
 * `jobCounts` query), each org's API budget and batcher counters, each tenant's rate governor, and the
 * process's memory and CPU. Every value is read at scrape time; nothing is kept between scrapes.
 */
export async function renderMetrics(db: Db, budgets: Budgets | undefined): Promise<string> {
  const families: Family[] = [];
  const family = (name: string, type: Family['type'], help: string): Family['samples'] => {
    const f: Family = { name, type, help, samples: [] };
    families.push(f);
    return f.samples;
  };

  // Jobs: every state/outcome pair that can exist is shown, 0 when there is none, so alerts and graphs do
  // not depend on a series appearing. Queued and running jobs have no outcome label.
  const jobs = family(
    'concord_jobs',
    'gauge',
    'Jobs in the store by state (queued, running, done) and, once done, outcome.',
  );
  const counts = new Map<string, { labels: Labels; value: number }>();
  const key = (state: string, outcome: string | null) => `${state}\u0000${outcome ?? ''}`;
  const jobLabels = (state: string, outcome: string | null): Labels =>
    outcome === null ? { state } : { state, outcome };
  for (const state of ['queued', 'running']) counts.set(key(state, null), { labels: { state }, value: 0 });
  for (const outcome of OUTCOMES)
    counts.set(key('done', outcome), { labels: { state: 'done', outcome }, value: 0 });
  for (const row of await jobCounts(db)) {
    const k = key(row.state, row.outcome);
    const existing = counts.get(k);
    if (existing) existing.value += row.count;
    else counts.set(k, { labels: jobLabels(row.state, row.outcome), value: row.count });
  }
  jobs.push(...counts.values());

  const orgs = budgets?.salesforce ?? [];
  const used = family(
    'concord_salesforce_api_used',
    'gauge',
    "API requests used in the org's rolling 24-hour window, by everyone (as Salesforce last reported).",
  );
  const limit = family(
    'concord_salesforce_api_limit',
    'gauge',
    "The org's daily API request allocation (as Salesforce last reported).",
  );
  const allowed = family(
    'concord_salesforce_api_allowed',
    'gauge',
    "Requests Concord may let the org's usage reach: the allocation times salesforce.<org>.budget.share.",
  );
  const paused = family(
    'concord_salesforce_paused',
    'gauge',
    '1 while Concord has paused its calls to the org (budget used up or REQUEST_LIMIT_EXCEEDED), else 0.',
  );
  const pausedUntil = family(
    'concord_salesforce_paused_until_seconds',
    'gauge',
    'While paused: when the next /limits probe may resume calls (Unix time, seconds).',
  );
  const apiCalls = family(
    'concord_salesforce_batcher_api_calls_total',
    'counter',
    'API calls the batcher made to the org (a /composite call carrying several requests counts once).',
  );
  const calls = family(
    'concord_salesforce_batch_calls_total',
    'counter',
    'Requests the batcher sent, alone or inside a /composite call: kind="write" (Collections writes) or kind="read" (queries, retrieves).',
  );
  const composite = family(
    'concord_salesforce_composite_calls_total',
    'counter',
    '/composite calls the batcher made, each carrying up to 5 of those requests.',
  );
  const written = family(
    'concord_salesforce_records_written_total',
    'counter',
    'Records the batcher wrote successfully.',
  );
  const coalesced = family(
    'concord_salesforce_records_coalesced_total',
    'counter',
    'Record writes merged into a write of the same record already waiting in a batch (one record sent).',
  );
  const readsCoalesced = family(
    'concord_salesforce_reads_coalesced_total',
    'counter',
    "Lookups that shared another job's read call instead of making their own.",
  );
  for (const o of orgs) {
    const labels = { org: o.org };
    if (o.used !== undefined) used.push({ labels, value: o.used });
    if (o.limit !== undefined) limit.push({ labels, value: o.limit });
    if (o.allowed !== undefined) allowed.push({ labels, value: o.allowed });
    paused.push({ labels, value: o.pausedUntil === undefined ? 0 : 1 });
    if (o.pausedUntil !== undefined) pausedUntil.push({ labels, value: o.pausedUntil / 1000 });
    const b = o.batching;
    if (!b) continue;
    apiCalls.push({ labels, value: b.calls });
    calls.push({ labels: { ...labels, kind: 'write' }, value: b.writeCalls });
    calls.push({ labels: { ...labels, kind: 'read' }, value: b.readCalls });
    composite.push({ labels, value: b.compositeCalls });
    written.push({ labels, value: b.recordsWritten });
    coalesced.push({ labels, value: b.recordsCoalesced });
    readsCoalesced.push({ labels, value: b.readsCoalesced });
  }

  const tenants = budgets?.auth0 ?? [];
  const sent = family(
    'concord_auth0_requests_sent_total',
    'counter',
    'Management API requests the rate governor let through to the tenant.',
  );
  const tokens = family(
    'concord_auth0_tokens_available',
    'gauge',
    "Requests that may go at once now (the token bucket's level, at most auth0.<tenant>.rateLimit.burst).",
  );
  const blocked = family(
    'concord_auth0_blocked',
    'gauge',
    '1 while Auth0 has said to wait (429 or x-ratelimit-remaining 0) and the block has not run out, else 0.',
  );
  const waiting = family(
    'concord_auth0_calls_waiting',
    'gauge',
    'Management API calls waiting for their turn now (each waits at most 5 s; longer turns are deferred).',
  );
  const deferred = family(
    'concord_auth0_calls_deferred_total',
    'counter',
    'Calls whose turn was further off than a call waits: their jobs gave their places back and were retried later.',
  );
  const now = Date.now();
  for (const t of tenants) {
    const labels = { tenant: t.tenant };
    sent.push({ labels, value: t.sent });
    tokens.push({ labels, value: t.tokens });
    waiting.push({ labels, value: t.waiting });
    deferred.push({ labels, value: t.deferred });
    blocked.push({ labels, value: t.blockedUntil !== undefined && t.blockedUntil > now ? 1 : 0 });
  }

  const retention = budgets?.retention;
  if (retention && !keepsEverything(retention)) {
    const pruned = family(
      'concord_retention_pruned_rows_total',
      'counter',
      'Rows the retention policy deleted since the service started, by table (retention.days, retention.auditDays).',
    );
    for (const [table, value] of Object.entries(retention.pruned)) pruned.push({ labels: { table }, value });
    family(
      'concord_retention_last_pass_seconds',
      'gauge',
      'When the last retention pass ended, Unix time in seconds (0: none yet). Alert when it falls behind retention.intervalMinutes.',
    ).push({ value: (retention.lastPassAt ?? 0) / 1000 });
    family(
      'concord_retention_failing',
      'gauge',
      '1 while the last retention pass failed (its error is logged and in /admin/status), else 0.',
    ).push({ value: retention.lastError === undefined ? 0 : 1 });
  }

  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const single = (name: string, type: Family['type'], help: string, value: number) =>
    family(name, type, help).push({ value });
  single('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', memory.rss);
  single('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap size in bytes.', memory.heapTotal);
  single('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap used in bytes.', memory.heapUsed);
  single(
    'nodejs_external_memory_bytes',
    'gauge',
    'C++ objects bound to JavaScript, in bytes.',
    memory.external,
  );
  single('process_cpu_user_seconds_total', 'counter', 'User CPU time spent, in seconds.', cpu.user / 1e6);
  single(
    'process_cpu_system_seconds_total',
    'counter',
    'System CPU time spent, in seconds.',
    cpu.system / 1e6,
  );
  single(
    'process_start_time_seconds',
    'gauge',
    'Start time of the process, Unix time in seconds.',
    startedAtSeconds,
  );

  return formatFamilies(families);
}

/** Text exposition format 0.0.4: HELP and TYPE, then one `name{labels} value` line per sample. */
export function formatFamilies(families: readonly Family[]): string {
  let out = '';
  for (const f of families) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** Label values: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and line feed are escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** `GET /metrics`, behind the same Bearer `server.adminToken` as `/admin/*`. */
export function mountMetricsRoute(
  app: Hono,
  options: { db: Db; adminToken: string; budgets?: () => Budgets },
) {
  app.use('/metrics', requireAdminToken(options.adminToken));
  app.get('/metrics', async (c) =>
    c.body(await renderMetrics(options.db, options.budgets?.()), 200, {
      'content-type': METRICS_CONTENT_TYPE,
    }),
  );
}
