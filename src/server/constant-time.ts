import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares secrets in time independent of where they differ (hashing first equalises the lengths). */
export function secretsEqual(given: string | undefined | null, expected: string): boolean {
  const a = createHash('sha256')
    .update(given ?? '')
    .digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given !== undefined && given !== null;
}
