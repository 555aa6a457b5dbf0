import type { Auth0User } from '../../core/ports.js';
import { clearFailedLogins, countFailedLogin } from './brute-force.js';
import {
  type ActorContext,
  appendLog,
  DEFAULT_IP,
  loginRecord,
  signupRecord,
  unknownUserRecord,
  wrongPasswordRecord,
} from './log-records.js';
import { emailVerifiedRecord, passwordChangedRecord, userDeletedRecord } from './profile-records.js';
import {
  blockedUserRecord,
  bruteForceRecord,
  enrollmentRecord,
  type GuardianFactor,
  leakedPasswordRecord,
  mfaRequiredRecord,
  secondFactorRecord,
} from './security-records.js';
import { DATABASE_CONNECTION, type EmulatorState, isoNow } from './state.js';
import { redeemPasswordTicket } from './tickets.js';
import type { LogRecord } from './types.js';
import {
  createUser,
  deleteUser,
  getUserOrThrow,
  type NewUserInput,
  recordLogin,
  touchUser,
} from './users.js';

export interface SignupInput {
  email: string;
  password?: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  phone_number?: string;
  connection?: string;
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
  /** Fixes the id part after `auth0|` (the simulator uses it for determinism). */
  user_id?: string;
}

export interface SocialLoginInput {
  provider: string;
  email: string;
  given_name?: string;
  family_name?: string;
  /** Fixes the IdP's id for a new user. */
  user_id?: string;
}

export interface LoginOptions {
  /** `wrong_password` → `fp`; `mfa` → the second factor fails (`gd_auth_failed`). */
  fail?: 'wrong_password' | 'mfa';
  /** Perform MFA even when the user has not enrolled (enrolled users always do). */
  mfa?: boolean;
}

/**
 * What end users do in applications. Each action changes the tenant and writes the records real Auth0
 * would, in order; brute-force protection, blocks and MFA enrolment are honoured.
 */
export function createEndUserActions(state: EmulatorState) {
  const log = (record: Parameters<typeof appendLog>[1]) => appendLog(state, record);
  const ipOf = (actor?: ActorContext) => actor?.ip ?? DEFAULT_IP;

  function failed(username: string, actor?: ActorContext) {
    const attempts = countFailedLogin(state, ipOf(actor), username);
    if (attempts) log(bruteForceRecord(state, username, attempts, actor));
  }

  const actions = {
    /** A database signup: the user appears and `ss` is logged. */
    signup(input: SignupInput, actor?: ActorContext): Auth0User {
      const user = createUser(state, { ...input, connection: input.connection ?? DATABASE_CONNECTION });
      log(signupRecord(state, user, actor));
      return user;
    },
    /** A social login; the first one creates the user and logs `s` with `loginsCount` 1 and no `ss`. */
    socialLogin(input: SocialLoginInput, actor?: ActorContext): Auth0User {
      const email = input.email.toLowerCase();
      const existing = [...(state.usersByEmail.get(email) ?? [])]
        .map((id) => state.users.get(id)!)
        .find((u) => u.identities?.some((i) => i.provider === input.provider));
      const user =
        existing ??
        createUser(state, {
          connection: input.provider,
          email,
          given_name: input.given_name,
          family_name: input.family_name,
          email_verified: true,
          user_id: input.user_id,
        } satisfies NewUserInput);
      return actions.login(user.user_id, {}, actor);
    },
    /**
     * A login by a known user: `f` when blocked, `fp` for a wrong password (and `limit_wc` when that trips
     * brute-force protection), `gd_auth_succeed|failed` first for MFA users, then `s`.
     */
    login(userId: string, opts: LoginOptions = {}, actor?: ActorContext): Auth0User {
      const user = getUserOrThrow(state, userId);
      const username = user.email ?? user.user_id;
      if (user.blocked) {
        log(blockedUserRecord(state, user, actor));
        return user;
      }
      if (opts.fail === 'wrong_password') {
        log(wrongPasswordRecord(state, user, actor));
        failed(username, actor);
        return user;
      }
      const factor = state.mfaFactors.get(userId) as GuardianFactor | undefined;
      const mfa = opts.mfa || opts.fail === 'mfa' || factor !== undefined;
      if (mfa) {
        const ok = opts.fail !== 'mfa';
        log(secondFactorRecord(user, factor ?? 'otp', ok, actor));
        if (!ok) return user;
      }
      clearFailedLogins(state, ipOf(actor), username);
      const updated = recordLogin(state, userId, ipOf(actor));
      log(loginRecord(state, updated, updated.logins_count ?? 1, actor, { mfa }));
      return updated;
    },
    /** A login attempt with an email nobody has: `fu` with an empty `user_id` (and maybe `limit_wc`). */
    failedLoginUnknownUser(email: string, actor?: ActorContext): LogRecord {
      const record = log(unknownUserRecord(state, email, actor));
      failed(email, actor);
      return record;
    },
    /** Breached password detection blocks a login: `pwd_leak`. */
    leakedPasswordLogin(email: string, actor?: ActorContext): LogRecord {
      return log(leakedPasswordRecord(state, email, actor));
    },
    /** Guardian enrolment: `gd_enrollment_complete`; the user's later logins perform MFA. */
    enrollMfa(userId: string, factor: GuardianFactor = 'otp', actor?: ActorContext): Auth0User {
      const user = touchUser(state, userId, { multifactor: ['guardian'] }, false);
      state.mfaFactors.set(userId, factor);
      log(enrollmentRecord(user, factor, actor));
      return user;
    },
    /** `mfar`: a password grant that needs a second factor first. */
    mfaRequired(userId: string, actor?: ActorContext): LogRecord {
      return log(mfaRequiredRecord(state, getUserOrThrow(state, userId), actor));
    },
    /** The user followed the verification link: `email_verified` becomes true and `sv` is logged. */
    verifyEmail(userId: string, actor?: ActorContext): Auth0User {
      const user = touchUser(state, userId, { email_verified: true });
      log(emailVerifiedRecord(state, user, actor));
      return user;
    },
    /** The user set a new password (reset link): `scp`. */
    changePassword(userId: string, password = 'N3w-passw0rd!', actor?: ActorContext): Auth0User {
      getUserOrThrow(state, userId);
      state.passwords.set(userId, password);
      const user = touchUser(state, userId, { last_password_reset: isoNow(state) });
      log(passwordChangedRecord(state, user, actor));
      return user;
    },
    /** Opens a password-change ticket (its URL or id) and sets the password: `scp`. */
    redeemPasswordTicket(ticket: string, password?: string, actor?: ActorContext): Auth0User {
      const { userId, markEmailAsVerified } = redeemPasswordTicket(state, ticket);
      if (markEmailAsVerified) touchUser(state, userId, { email_verified: true }, false);
      return actions.changePassword(userId, password, actor);
    },
    /** The user deletes their own account in an app: the user goes, `sdu` (or `du`) is logged. */
    selfDeleteUser(userId: string, type: 'sdu' | 'du' = 'sdu', actor?: ActorContext): LogRecord {
      const user = getUserOrThrow(state, userId);
      deleteUser(state, userId);
      return log(userDeletedRecord(state, user, type, actor));
    },
  };
  return actions;
}
