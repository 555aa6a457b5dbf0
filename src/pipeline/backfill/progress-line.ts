/** The progress line and summary a backfill prints (counts and ids only, never personal data). */
import type { BackfillTotals } from './checkpoint.js';

const BAR_WIDTH = 24;

/**
 * `[██████░░░░] users 6,000 · uploaded 5,000 · created 4,000 · updated 990 · failed 10`. The bar shows how much
 * of what was read is written (`expected` when the total is known): an export does not say how many users it has.
 */
export function progressLine(
  totals: Readonly<BackfillTotals>,
  options: { bar?: boolean; expected?: number } = {},
): string {
  const { expected } = options;
  const n = (v: number) => v.toLocaleString('en-US');
  const parts = [
    `users ${n(totals.read)}${expected ? `/${n(expected)}` : ''}`,
    `uploaded ${n(totals.uploaded)}`,
    `created ${n(totals.created)}`,
    `updated ${n(totals.updated)}`,
    `failed ${n(totals.failed)}`,
  ];
  if (totals.skipped > 0) parts.push(`skipped ${n(totals.skipped)}`);
  if (!options.bar) return parts.join(' · ');
  const done = totals.created + totals.updated + totals.failed + totals.skipped;
  const of = Math.max(1, expected ?? totals.read);
  const filled = Math.min(BAR_WIDTH, Math.round((done / of) * BAR_WIDTH));
  return `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${parts.join(' · ')}`;
}

export function summaryLines(totals: Readonly<BackfillTotals>, seconds: number): string[] {
  const rate = seconds > 0 ? Math.round(totals.read / seconds) : totals.read;
  return [
    `backfill complete: ${totals.created} created, ${totals.updated} updated, ${totals.failed} failed`,
    `  users read ${totals.read}, rows uploaded ${totals.uploaded} (retried ${totals.retried}), skipped ${totals.skipped}`,
    `  ${seconds.toFixed(1)} s, ${rate} users/s`,
  ];
}
