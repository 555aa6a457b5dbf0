import type { Prng } from './prng.js';

/** Everything the simulator can make happen; each writes the records real Auth0 would. */
export const ACTIVITIES = [
  'signup_database',
  'signup_social',
  'login',
  'login_wrong_password',
  'login_unknown_user',
  'brute_force',
  'leaked_password',
  'mfa_enroll',
  'mfa_failed',
  'mfa_required',
  'verify_email',
  'change_password',
  'profile_edit',
  'role_change',
  'block',
  'unblock',
  'delete_by_admin',
  'delete_by_user',
] as const;

export type Activity = (typeof ACTIVITIES)[number];
export type ActivityMix = Partial<Record<Activity, number>>;

/**
 * Relative weights for a B2B SaaS tenant: mostly logins (with about one in six failing on the
 * password and some unknown users), a steady trickle of signups, MFA, profile edits and admin work,
 * rare lockouts, breached passwords, blocks and deletions.
 */
export const DEFAULT_MIX: Readonly<Record<Activity, number>> = {
  signup_database: 6,
  signup_social: 4,
  login: 40,
  login_wrong_password: 8,
  login_unknown_user: 4,
  brute_force: 0.4,
  leaked_password: 0.5,
  mfa_enroll: 2,
  mfa_failed: 1,
  mfa_required: 0.5,
  verify_email: 3,
  change_password: 1.5,
  profile_edit: 4,
  role_change: 3,
  block: 0.6,
  unblock: 0.4,
  delete_by_admin: 0.4,
  delete_by_user: 0.3,
};

/** A weighted picker; a `mix` replaces the default weights of the activities it names. */
export function createPicker(mix: ActivityMix = {}) {
  const weights = ACTIVITIES.map((a) => Math.max(0, mix[a] ?? DEFAULT_MIX[a]));
  const total = weights.reduce((s, w) => s + w, 0);
  if (total <= 0) throw new Error('simulator mix: at least one activity needs a positive weight');
  return (rng: Prng): Activity => {
    let r = rng.next() * total;
    for (let i = 0; i < ACTIVITIES.length; i++) {
      r -= weights[i]!;
      if (r < 0) return ACTIVITIES[i]!;
    }
    return ACTIVITIES[ACTIVITIES.length - 1]!;
  };
}
