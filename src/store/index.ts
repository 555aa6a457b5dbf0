/**
 * The store: Kysely over SQLite (embedded default) or PostgreSQL (multi-instance). One file per concern;
 * every function takes the open database first.
 */
export { appendAudit, listAudit } from './audit.js';
export type { AuditEntry } from './audit.js';
export { inTransaction, openDatabase } from './database.js';
export { commitTogether } from './group-commit.js';
export { type IngestRouter, routeAtIngest } from './inbox-group-commit.js';
export type { Db, StoreOptions } from './database.js';
export { countInbox, insertInbox, unroutedInbox } from './inbox.js';
export type { InboxInput, InboxRow } from './inbox.js';
export { listIntents, markIntentApplied, saveIntents } from './intents.js';
export type { IntentRow } from './intents.js';
export {
  claimJob,
  claimJobs,
  finishJob,
  getJob,
  jobCounts,
  listJobs,
  nextDueAt,
  releaseRunningJobs,
  renewLeases,
  replayJob,
  requeueJob,
  retryJob,
  routeInbox,
} from './jobs.js';
export type { ClaimOrder, JobFilter, JobRow, NewJob } from './jobs.js';
export { findLink, findLinksByRecord, listLinks, upsertLink } from './links.js';
export { getCheckpoint, getState, setCheckpoint, writeState } from './pipeline-state.js';
export { listQuarantine, openQuarantine, resolveQuarantine } from './quarantine.js';
export { keepsEverything, type PruneCounts, pruneExpired, type RetentionPolicy } from './retention.js';
export type { QuarantineItem } from './quarantine.js';
export { OUTCOMES } from './schema.js';
export type { Outcome } from './schema.js';
