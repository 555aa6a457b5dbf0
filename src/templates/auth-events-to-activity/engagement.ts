/**
 * Engagement fields from successful logins, throttled. Every login is counted into per-user, per-UTC-day
 * buckets kept in pipeline state (cheap, no API call); a write to Salesforce happens at most once per
 * interval per user, on the service clock, and then carries the latest login time seen and the number of
 * logins in the last `windowDays` days (today included). Counting logins Concord received rather than
 * using Auth0's lifetime `logins_count` gives a true rolling window; logins Concord never received (before
 * the pipeline existed, or lost upstream) are not counted.
 */
export interface EngagementState {
  /** `YYYY-MM-DD` (UTC) → successful logins that day. */
  days: Record<string, number>;
  /** The latest login time seen (ISO). */
  lastLoginAt?: string;
  /** When Salesforce was last brought up to date (service clock, ms). */
  checkedAt?: number;
}

export interface EngagementSettings {
  intervalMinutes: number;
  windowDays: number;
}

export const engagementKey = (auth0UserId: string) => `engagement:${auth0UserId}`;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Counts one login and forgets days that fell out of the window (relative to `now`). */
export function countLogin(
  before: EngagementState | undefined,
  at: number,
  now: number,
  windowDays: number,
): EngagementState {
  const oldestKept = dayOf(now - (windowDays - 1) * DAY_MS);
  const days: Record<string, number> = {};
  for (const [day, count] of Object.entries(before?.days ?? {})) if (day >= oldestKept) days[day] = count;
  const day = dayOf(at);
  if (day >= oldestKept) days[day] = (days[day] ?? 0) + 1;
  const previous = before?.lastLoginAt ? Date.parse(before.lastLoginAt) : Number.NEGATIVE_INFINITY;
  return {
    days,
    lastLoginAt: new Date(Math.max(previous, at)).toISOString(),
    ...(before?.checkedAt !== undefined ? { checkedAt: before.checkedAt } : {}),
  };
}

/** Logins in the `windowDays` UTC days ending today. */
export function loginsInWindow(state: EngagementState, now: number, windowDays: number): number {
  const oldest = dayOf(now - (windowDays - 1) * DAY_MS);
  const today = dayOf(now);
  let total = 0;
  for (const [day, count] of Object.entries(state.days)) if (day >= oldest && day <= today) total += count;
  return total;
}

/** Whether the interval since the last Salesforce update has passed. */
export function engagementDue(state: EngagementState | undefined, now: number, intervalMinutes: number) {
  return state?.checkedAt === undefined || now - state.checkedAt >= intervalMinutes * 60_000;
}
