import { domainEventSchema } from '../core/events.js';
import { describeIntent } from '../core/intents.js';
import type { Plan, Resolution } from '../core/template.js';
import { appendAudit, type Db, getJob } from '../store/index.js';
import { planContext, type RuntimePipeline } from './run-job.js';

export interface DryRunResult {
  jobId: number;
  pipeline: string;
  outcome: Plan['outcome'];
  reason: string;
  intents: string[];
  candidates?: { object: string; id: string; why: string }[];
}

/**
 * Plans a stored event again against the current state of both systems and reports what would be written,
 * without writing, changing the job, or touching pipeline state. The run is noted in the audit trail.
 */
export async function dryRunReplay(
  db: Db,
  pipelines: ReadonlyMap<string, RuntimePipeline>,
  jobId: number,
  now: () => number,
): Promise<DryRunResult> {
  const job = await getJob(db.kysely, jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  const pipeline = pipelines.get(job.pipeline);
  if (!pipeline) throw new Error(`job ${jobId} belongs to no configured pipeline ("${job.pipeline}")`);
  const event = domainEventSchema.parse(JSON.parse(job.event));
  const resolution = job.resolution ? (JSON.parse(job.resolution) as Resolution) : undefined;
  const plan = await pipeline.template.plan(event, planContext(pipeline, db, now, resolution));
  const result: DryRunResult = {
    jobId,
    pipeline: job.pipeline,
    outcome: plan.outcome,
    reason: plan.reason,
    intents: plan.outcome === 'write' ? plan.intents.map(describeIntent) : [],
    ...(plan.outcome === 'quarantined' ? { candidates: plan.candidates } : {}),
  };
  await appendAudit(
    db,
    {
      pipeline: job.pipeline,
      jobId,
      inboxId: job.inboxId,
      action: 'replay.dry_run',
      summary: `${plan.outcome}: ${plan.reason}`,
      data: result,
    },
    now(),
  );
  return result;
}
