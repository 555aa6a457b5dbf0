import type { createDashboardActions } from '../dashboard-actions.js';
import type { createEndUserActions } from '../end-user-actions.js';
import type { ActorContext } from '../log-records.js';
import { createRole } from '../roles.js';
import type { EmulatorState } from '../state.js';
import type { Activity } from './mix.js';
import { PLANS, type Population } from './population.js';
import type { Prng } from './prng.js';

export interface ActivityContext {
  state: EmulatorState;
  endUser: ReturnType<typeof createEndUserActions>;
  dashboard: ReturnType<typeof createDashboardActions>;
  population: Population;
  rng: Prng;
}

const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
const SOCIAL = ['google-oauth2', 'google-oauth2', 'github'] as const;
const ROLE_NAMES = ['Viewer', 'Member', 'Admin', 'Billing'];

/** An end user's device: documentation-range IPs, a browser. */
function device(rng: Prng): ActorContext {
  return { ip: `198.51.100.${1 + rng.int(254)}`, userAgent: rng.pick(USER_AGENTS) };
}

function roleIds(ctx: ActivityContext): string[] {
  if (ctx.state.roles.size === 0)
    for (const name of ROLE_NAMES) createRole(ctx.state, name, `${name} access`);
  return [...ctx.state.roles.keys()];
}

function signupDatabase(ctx: ActivityContext) {
  const actor = device(ctx.rng);
  const person = ctx.population.person(ctx.rng);
  const user = ctx.endUser.signup({ ...person, password: 'S1mulated!', user_id: ctx.rng.hex(24) }, actor);
  ctx.population.add(user.user_id);
  ctx.endUser.login(user.user_id, {}, actor); // Universal Login signs the new user in: `ss` then `s`
}

function signupSocial(ctx: ActivityContext) {
  const provider = ctx.rng.pick(SOCIAL);
  const person = ctx.population.person(ctx.rng);
  const localId = provider === 'github' ? ctx.rng.digits(8) : ctx.rng.digits(21);
  const user = ctx.endUser.socialLogin({ provider, ...person, user_id: localId }, device(ctx.rng));
  ctx.population.add(user.user_id);
}

/**
 * Performs one activity. When it needs a user and there is none (an empty tenant), it signs one up
 * instead, so every call does something. Returns what was actually done.
 */
export function perform(ctx: ActivityContext, activity: Activity): Activity {
  const { rng, endUser, dashboard, population } = ctx;
  if (activity === 'signup_database') {
    signupDatabase(ctx);
    return activity;
  }
  if (activity === 'signup_social') {
    signupSocial(ctx);
    return activity;
  }
  if (activity === 'login_unknown_user') {
    endUser.failedLoginUnknownUser(`${population.person(rng).email.replace('@', '+old@')}`, device(rng));
    return activity;
  }
  const isBlocked = (id: string) => ctx.state.users.get(id)?.blocked === true;
  const userId =
    activity === 'unblock'
      ? population.pick(rng, isBlocked)
      : population.pick(rng, (id) => !isBlocked(id) || rng.chance(0.2));
  if (!userId) {
    signupDatabase(ctx);
    return 'signup_database';
  }
  const email = ctx.state.users.get(userId)?.email ?? userId;
  const actor = device(rng);
  switch (activity) {
    case 'login':
      endUser.login(userId, {}, actor);
      break;
    case 'login_wrong_password':
      endUser.login(userId, { fail: 'wrong_password' }, actor);
      if (rng.chance(0.7)) endUser.login(userId, {}, actor); // most people get it right the second time
      break;
    case 'brute_force':
      for (let i = 0; i < ctx.state.settings.bruteForceThreshold; i++)
        endUser.login(userId, { fail: 'wrong_password' }, actor);
      break;
    case 'leaked_password':
      endUser.leakedPasswordLogin(email, actor);
      break;
    case 'mfa_enroll':
      endUser.enrollMfa(userId, rng.pick(['otp', 'otp', 'sms', 'push-notification'] as const), actor);
      endUser.login(userId, {}, actor);
      break;
    case 'mfa_failed':
      endUser.login(userId, { fail: 'mfa' }, actor);
      break;
    case 'mfa_required':
      endUser.mfaRequired(userId, actor);
      break;
    case 'verify_email':
      endUser.verifyEmail(userId, actor);
      break;
    case 'change_password':
      endUser.changePassword(userId, 'R3set-by-user!', actor);
      break;
    case 'profile_edit':
      dashboard.updateUser(
        userId,
        rng.chance(0.5)
          ? { user_metadata: { plan: rng.pick(PLANS) } }
          : { given_name: population.person(rng).given_name },
      );
      break;
    case 'role_change': {
      const role = rng.pick(roleIds(ctx));
      const has = ctx.state.userRoles.get(userId)?.has(role) ?? false;
      if (rng.chance(0.5)) {
        if (has) dashboard.removeRoles(userId, [role]);
        else dashboard.assignRoles(userId, [role]);
      } else if (has) dashboard.removeRoleMembers(role, [userId]);
      else dashboard.addRoleMembers(role, [userId]);
      break;
    }
    case 'block':
      dashboard.blockUser(userId);
      break;
    case 'unblock':
      dashboard.unblockUser(userId);
      break;
    case 'delete_by_admin':
      dashboard.deleteUser(userId);
      break;
    case 'delete_by_user':
      endUser.selfDeleteUser(userId, rng.chance(0.8) ? 'sdu' : 'du', actor);
      break;
  }
  return activity;
}
