/**
 * What a backfill remembers between runs, stored as JSON in the store's `checkpoints` table under
 * `backfill:<pipeline>`. Written after every finished job (with that job's identity links, in one transaction)
 * and when a job is created, so an interrupted run resumes without sending finished rows again.
 */
import { z } from 'zod';

export const backfillTotalsSchema = z.object({
  /** Users read from the source and handed to a job (resumed runs count on from where they started). */
  read: z.number().int().nonnegative(),
  /** Rows sent in Bulk jobs, retries included. */
  uploaded: z.number().int().nonnegative(),
  created: z.number().int().nonnegative(),
  updated: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  retried: z.number().int().nonnegative(),
  /** Users skipped because a previous run of this backfill already wrote them. */
  skipped: z.number().int().nonnegative(),
});
export type BackfillTotals = z.infer<typeof backfillTotalsSchema>;

export const backfillCheckpointSchema = z.object({
  version: z.literal(1),
  runId: z.string().min(1),
  status: z.enum(['running', 'done']),
  /** The user listing in use (`export:<job id>` or `list`). */
  snapshot: z.string().optional(),
  /** Users of that listing, in its order, that are completely handled. */
  position: z.number().int().nonnegative(),
  /** The job of the chunk after `position`, if one was created: resumed instead of sent again. */
  inFlight: z
    .object({
      jobId: z.string(),
      /** Users in that chunk. */
      count: z.number().int().positive(),
      /** The job retrying that chunk's failed rows, if one was created. */
      retryJobId: z.string().optional(),
    })
    .optional(),
  /**
   * The listing changed between runs (an export expired): users are then matched against the identity links
   * this run wrote, not by position.
   */
  skipWritten: z.boolean().optional(),
  totals: backfillTotalsSchema,
  startedAt: z.number(),
});
export type BackfillCheckpoint = z.infer<typeof backfillCheckpointSchema>;

export const checkpointName = (pipeline: string) => `backfill:${pipeline}`;

export const emptyTotals = (): BackfillTotals => ({
  read: 0,
  uploaded: 0,
  created: 0,
  updated: 0,
  failed: 0,
  retried: 0,
  skipped: 0,
});

/** Parses a stored checkpoint; an unreadable one is reported, never silently restarted over. */
export function parseCheckpoint(text: string): BackfillCheckpoint {
  const parsed = backfillCheckpointSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(
      `the stored backfill checkpoint is unreadable (${parsed.error.issues[0]?.message}); run with --restart`,
    );
  }
  return parsed.data;
}
