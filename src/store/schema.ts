import type { Generated } from 'kysely';

/** Raw events as received, deduplicated by (source, connection, source_id). */
export interface InboxTable {
  id: Generated<number>;
  source: string;
  connection: string;
  source_id: string;
  source_type: string;
  payload: string;
  received_at: number;
  routed_at: number | null;
}

export const JOB_STATES = ['queued', 'running', 'done'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const OUTCOMES = [
  'applied',
  'filtered',
  'suppressed',
  'quarantined',
  'dead_lettered',
  'dry_run',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * One inbound event for one pipeline (pipeline '' = no pipeline wanted it). Jobs of one (pipeline, subject)
 * run strictly in id order; a done job carries the event's one recorded outcome. The event itself is in
 * `job_events`, written once: a job row is rewritten when it is claimed and when it finishes, and without the
 * event it is a third of the size.
 */
export interface JobsTable {
  id: Generated<number>;
  inbox_id: number;
  pipeline: string;
  event_index: number;
  subject: string;
  state: JobState;
  attempts: number;
  run_after: number;
  lease_until: number | null;
  outcome: Outcome | null;
  reason: string | null;
  last_error: string | null;
  resolution: string | null;
  created_at: number;
  updated_at: number;
}

/** The normalised event (JSON) of an inbox row's `event_index`-th event, which its jobs run (migration 0008). */
export interface JobEventsTable {
  inbox_id: number;
  event_index: number;
  event: string;
}

export const INTENT_STATES = ['pending', 'applied', 'dry_run'] as const;
export type IntentState = (typeof INTENT_STATES)[number];

/** The outbox: what a job's plan wants written, and what happened to it. */
export interface IntentsTable {
  id: Generated<number>;
  job_id: number;
  seq: number;
  kind: string;
  summary: string;
  payload: string;
  state: IntentState;
  result: string | null;
  created_at: number;
  applied_at: number | null;
}

export interface IdentityLinksTable {
  id: Generated<number>;
  tenant: string;
  auth0_user_id: string;
  org: string;
  object: string;
  record_id: string;
  matched_by: string;
  reason: string;
  created_at: number;
  updated_at: number;
}

export interface QuarantineTable {
  id: Generated<number>;
  job_id: number;
  pipeline: string;
  reason: string;
  candidates: string;
  state: 'open' | 'resolved';
  resolution: string | null;
  created_at: number;
  resolved_at: number | null;
}

/** Append-only audit trail; `data` is masked before it is written. */
export interface AuditTable {
  id: Generated<number>;
  at: number;
  pipeline: string;
  job_id: number | null;
  inbox_id: number | null;
  action: string;
  summary: string;
  data: string;
}

export interface CheckpointsTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface PipelineStateTable {
  pipeline: string;
  key: string;
  value: string;
  updated_at: number;
}

export interface Database {
  pipeline_state: PipelineStateTable;
  inbox: InboxTable;
  jobs: JobsTable;
  job_events: JobEventsTable;
  intents: IntentsTable;
  identity_links: IdentityLinksTable;
  quarantine: QuarantineTable;
  audit: AuditTable;
  checkpoints: CheckpointsTable;
}
