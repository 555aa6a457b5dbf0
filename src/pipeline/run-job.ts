import { type ConcordError, toConcordError } from '../core/errors.js';
import { type DomainEvent, domainEventSchema } from '../core/events.js';
import { describeIntent } from '../core/intents.js';
import { maskPersonalData } from '../core/mask.js';
import type { Auth0Port, SalesforcePort } from '../core/ports.js';
import type { Plan, PlanContext, Resolution, TemplateDefinition } from '../core/template.js';
import {
  appendAudit,
  commitTogether,
  type Db,
  findLink,
  findLinksByRecord,
  finishJob,
  getState,
  type JobRow,
  markIntentApplied,
  openQuarantine,
  type Outcome,
  retryJob,
  saveIntents,
  upsertLink,
  writeState,
} from '../store/index.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { executeIntent, type IntentResult, resolveRefs } from './execute-intent.js';

export interface RuntimePipeline {
  name: string;
  tenant: string;
  org: string;
  mode: 'live' | 'dry-run';
  enabled: boolean;
  params: unknown;
  template: TemplateDefinition<unknown>;
  auth0: Auth0Port;
  /**
   * The same tenant's port for a job that may reuse user and role reads sent at or after `notBefore` (epoch
   * ms); without it, every read goes to Auth0.
   */
  auth0ReadsAfter?: (notBefore: number) => Auth0Port;
  salesforce: SalesforcePort;
  /** The integration user's id once the connector has authenticated. */
  salesforceUserId: () => string | undefined;
  /**
   * Resolves when the pipeline's org and tenant take calls; throws a retryable `rate_limited` error while the
   * org is paused for its budget or the tenant is blocked for longer than a job waits.
   */
  ready?: () => Promise<void>;
  /**
   * Whether a job started now would be turned away without sending anything (by `ready()`, or at its first
   * Auth0 call because the tenant's queue is longer than a call waits): the worker leaves such jobs queued.
   */
  holds?: () => boolean;
}

export interface RunJobDependencies {
  db: Db;
  pipelines: ReadonlyMap<string, RuntimePipeline>;
  now: () => number;
  maxAttempts: number;
  backoff: BackoffOptions;
  onOutcome?: (report: OutcomeReport) => void;
  onRetry?: (report: {
    jobId: number;
    pipeline: string;
    attempt: number;
    delayMs: number;
    error: ConcordError;
  }) => void;
}

export interface OutcomeReport {
  jobId: number;
  inboxId: number;
  pipeline: string;
  eventKind: string;
  sourceType: string;
  outcome: Outcome;
  reason: string;
  intents: string[];
  writes: { object: string; id: string; created: boolean }[];
}

/**
 * The read-only context a planner gets: the pipeline's ports, links, state and clock. With `readsAfter`
 * (epoch ms), Auth0 user and role reads sent since then by other jobs may be reused.
 */
export function planContext(
  pipeline: RuntimePipeline,
  db: Db,
  now: () => number,
  resolution?: Resolution,
  readsAfter?: number,
): PlanContext<unknown> {
  return {
    params: pipeline.params,
    pipeline: { name: pipeline.name, tenant: pipeline.tenant, org: pipeline.org },
    auth0:
      readsAfter !== undefined && pipeline.auth0ReadsAfter
        ? pipeline.auth0ReadsAfter(readsAfter)
        : pipeline.auth0,
    salesforce: pipeline.salesforce,
    salesforceUserId: pipeline.salesforceUserId,
    links: {
      findLink: (tenant, userId, org) => findLink(db, tenant, userId, org),
      findByRecord: (org, recordId) => findLinksByRecord(db, org, recordId),
    },
    state: { get: (key) => getState(db, pipeline.name, key) },
    clock: { now },
    resolution,
  };
}

/**
 * Runs one claimed job to an outcome or a scheduled retry: plan on current state, record the intents, write
 * them, remember the identity links, and record exactly one outcome with its reason in the audit trail.
 */
export async function runJob(job: JobRow, deps: RunJobDependencies): Promise<void> {
  const { db } = deps;
  const pipeline = deps.pipelines.get(job.pipeline);
  /**
   * Bookkeeping that goes with the job's outcome (intents marked applied, links, state, quarantine): committed
   * in one unit with it, which shares its commit with other jobs finishing at the same moment.
   */
  const tail: ((tx: Db) => Promise<unknown>)[] = [];
  const audit = (tx: Db, action: string, summary: string, data: unknown, at = deps.now()) =>
    appendAudit(
      tx,
      { pipeline: job.pipeline, jobId: job.id, inboxId: job.inboxId, action, summary, data },
      at,
    );
  const finish = async (
    outcome: Outcome,
    reason: string,
    extra: Partial<OutcomeReport> = {},
    error?: string,
  ) => {
    await commitTogether(db, async (tx) => {
      for (const step of tail) await step(tx);
      await finishJob(tx, job.id, outcome, reason, deps.now(), error ?? null);
      await audit(tx, `outcome.${outcome}`, reason, extra);
    });
    deps.onOutcome?.({
      jobId: job.id,
      inboxId: job.inboxId,
      pipeline: job.pipeline,
      eventKind: parsed?.kind ?? 'unknown',
      sourceType: parsed?.sourceType ?? 'unknown',
      outcome,
      reason,
      intents: [],
      writes: [],
      ...extra,
    });
  };

  let parsed: DomainEvent | undefined;
  if (!pipeline) return finish('dead_lettered', `pipeline "${job.pipeline}" is no longer in the config`);
  if (!pipeline.enabled) return finish('filtered', `pipeline "${job.pipeline}" is disabled`);
  const event = domainEventSchema.safeParse(JSON.parse(job.event));
  if (!event.success) return finish('dead_lettered', `stored event is unreadable: ${event.error.message}`);
  parsed = event.data;

  if (
    parsed.source.startsWith('auth0.') &&
    parsed.actorClientId &&
    parsed.actorClientId === pipeline.auth0.clientId
  ) {
    return finish(
      'suppressed',
      `Concord's own Auth0 write (client ${parsed.actorClientId}) coming back: not echoed`,
    );
  }

  try {
    // A job of a paused org waits before it plans: planning would spend the other system's calls (a signup
    // reads its Auth0 user) and its place in flight, only to be refused at its first Salesforce call.
    await pipeline.ready?.();
    const resolution = job.resolution ? (JSON.parse(job.resolution) as Resolution) : undefined;
    // An Auth0 event is planned on reads sent after it arrived: `runAfter` is when the job was routed, or
    // when its retry or replay fell due, so a retry never reuses what the failed attempt saw. Other events
    // (Salesforce changes) read Auth0 afresh.
    const readsAfter = parsed.source.startsWith('auth0.') ? job.runAfter : undefined;
    const context = planContext(pipeline, db, deps.now, resolution, readsAfter);
    const plan: Plan = await pipeline.template.plan(parsed, context);

    if (
      plan.outcome !== 'quarantined' &&
      plan.outcome !== 'write' &&
      plan.state &&
      pipeline.mode === 'live'
    ) {
      const state = plan.state;
      tail.push((tx) => writeState(tx, pipeline.name, state, deps.now()));
    }
    switch (plan.outcome) {
      case 'filtered':
      case 'suppressed':
        return finish(plan.outcome, plan.reason);
      case 'in_sync':
        return finish('applied', plan.reason);
      case 'quarantined': {
        const item = {
          jobId: job.id,
          pipeline: job.pipeline,
          reason: plan.reason,
          candidates: plan.candidates,
        };
        tail.push((tx) => openQuarantine(tx, item, deps.now()));
        return finish('quarantined', plan.reason, { intents: [] });
      }
      case 'write':
        break;
    }

    const summaries = plan.intents.map(describeIntent);
    if (pipeline.mode === 'dry-run') {
      const intents = plan.intents;
      tail.push((tx) => saveIntents(tx, job.id, intents, 'dry_run', deps.now()));
      return finish('dry_run', `dry run, nothing written: ${plan.reason}`, {
        intents: summaries,
      });
    }

    // The outbox rows are committed before anything is written (sharing their commit with other jobs').
    const intents = plan.intents;
    const ids = await commitTogether(db, (tx) => saveIntents(tx, job.id, intents, 'pending', deps.now()));
    const writes: OutcomeReport['writes'] = [];
    const results = new Map<string, IntentResult>();
    const targets = { salesforce: pipeline.salesforce, auth0: pipeline.auth0, org: pipeline.org };
    for (const [index, planned] of plan.intents.entries()) {
      const intent = resolveRefs(planned, results);
      const result = await executeIntent(intent, targets);
      if (intent.ref) results.set(intent.ref, result);
      const appliedAt = deps.now();
      tail.push((tx) => markIntentApplied(tx, ids[index]!, result, appliedAt));
      const object = 'object' in intent ? intent.object : 'Auth0 user';
      writes.push({ object, id: result.id, created: result.created });
      const link = 'link' in intent ? intent.link : undefined;
      if (link) {
        const recordId = link.recordId ?? result.id;
        const linkedAt = deps.now();
        tail.push((tx) => upsertLink(tx, { ...link, recordId }, linkedAt));
        tail.push((tx) =>
          audit(
            tx,
            'identity.linked',
            `${link.auth0UserId} ↔ ${link.object} ${recordId} (${link.matchedBy})`,
            { ...link, recordId },
            linkedAt,
          ),
        );
      }
    }
    if (plan.state) {
      const state = plan.state;
      tail.push((tx) => writeState(tx, pipeline.name, state, deps.now()));
    }
    return finish('applied', plan.reason, { intents: summaries, writes });
  } catch (thrown) {
    const error = toConcordError(thrown);
    const message = `${error.code}${error.vendorCode ? ` (${error.vendorCode})` : ''}: ${error.message}`;
    // Waiting for an API budget or a rate limit is not a failure of the job: it never runs out of attempts.
    const waiting = error.code === 'rate_limited';
    if (error.retryable && (waiting || job.attempts < deps.maxAttempts)) {
      // Retries fall due on a grid (the initial backoff, at most a second), so retries that would have trickled
      // back one by one start together and share their Salesforce batches.
      const grid = Math.min(1000, deps.backoff.initialMs);
      const due = deps.now() + backoffDelay(job.attempts, deps.backoff, error.retryAfterMs);
      const delayMs = Math.ceil(due / grid) * grid - deps.now();
      // What was applied before the failure stays recorded (its intents, its links), with the retry.
      await commitTogether(db, async (tx) => {
        for (const step of tail) await step(tx);
        await retryJob(
          tx.kysely,
          job.id,
          deps.now() + delayMs,
          String(maskPersonalData(message)),
          deps.now(),
          waiting,
        );
        await audit(
          tx,
          'retry.scheduled',
          `attempt ${job.attempts} failed, retrying in ${delayMs} ms: ${message}`,
          {
            code: error.code,
            vendorCode: error.vendorCode,
            status: error.status,
          },
        );
      });
      deps.onRetry?.({ jobId: job.id, pipeline: job.pipeline, attempt: job.attempts, delayMs, error });
      return;
    }
    const masked = String(maskPersonalData(message));
    const why = error.retryable ? `gave up after ${job.attempts} attempts: ${masked}` : masked;
    return finish('dead_lettered', why, {}, masked);
  }
}
