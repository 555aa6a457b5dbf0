export {
  type BackfillCheckpoint,
  type BackfillTotals,
  checkpointName,
  parseCheckpoint,
} from './checkpoint.js';
export { progressLine, summaryLines } from './progress-line.js';
export { signupRowMapper } from './rows.js';
export {
  type BackfillOptions,
  type BackfillStatePort,
  type BackfillSummary,
  runBackfill,
} from './run-backfill.js';
export { createBackfillState, linkReason } from './state-store.js';
