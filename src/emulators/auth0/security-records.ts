import type { Auth0User } from '../../core/ports.js';
import { type ActorContext, appFields, DEFAULT_IP, userConnection } from './log-records.js';
import { newSessionId } from './ids.js';
import { connectionId, DATABASE_CONNECTION, type EmulatorState } from './state.js';
import type { LogRecordInput } from './types.js';

/**
 * Attack-protection and MFA records. `limit_wc` and `pwd_leak` follow real 2025 records (reference P1):
 * no `client_name`, no `details`, `user_id: ""` and the attempted email in `user_name`. The Guardian and
 * `mfar` shapes are [unverified]: built like the login records around them.
 */

function databaseConnection(state: EmulatorState) {
  return { connection: DATABASE_CONNECTION, connection_id: connectionId(state, DATABASE_CONNECTION) };
}

function attackFields(state: EmulatorState, actor: ActorContext = {}) {
  const app = appFields(actor);
  return { ...databaseConnection(state), client_id: app.client_id, ip: app.ip, user_agent: app.user_agent };
}

/** `limit_wc`: brute-force protection blocked this IP for this user after `attempts` failures. */
export function bruteForceRecord(
  state: EmulatorState,
  email: string,
  attempts: number,
  actor?: ActorContext,
): LogRecordInput {
  return {
    type: 'limit_wc',
    description: `User (${email}) attempted ${attempts} consecutive logins unsuccessfully. Brute force protection is enabled for this connection, further attempts are blocked from this IP address for this user.`,
    ...attackFields(state, actor),
    user_id: '',
    user_name: email,
  };
}

/** `pwd_leak`: a login with a password known from a breach was blocked. */
export function leakedPasswordRecord(
  state: EmulatorState,
  email: string,
  actor?: ActorContext,
): LogRecordInput {
  const fields = attackFields(state, actor);
  return {
    type: 'pwd_leak',
    description: `Someone behind the IP address: ${fields.ip} attempted to login with a leaked password. A shield to prevent this action was enabled, further attempts are blocked.`,
    ...fields,
    user_id: '',
    user_name: email,
  };
}

/** `f`: a login refused for a reason other than credentials; here, a blocked user. */
export function blockedUserRecord(
  state: EmulatorState,
  user: Auth0User,
  actor?: ActorContext,
): LogRecordInput {
  const app = appFields(actor);
  const fields = userConnection(state, user);
  const message = 'user is blocked';
  return {
    type: 'f',
    description: message,
    ...app,
    ...fields,
    user_id: user.user_id,
    user_name: user.email ?? '',
    audience: `https://${state.domain}/userinfo`,
    scope: ['openid', 'profile', 'email'],
    details: {
      body: {},
      qs: {
        client_id: app.client_id,
        response_type: 'code',
        connection: fields.connection,
        scope: 'openid profile email',
        redirect_uri: 'https://app.example.com/callback',
      },
      connection: fields.connection,
      error: { message, oauthError: 'access_denied', type: 'request-error' },
      session_id: newSessionId(),
      riskAssessment: null,
    },
  };
}

/** `mfar`: the login needs a second factor (docs: Resource Owner Password flow). */
export function mfaRequiredRecord(
  state: EmulatorState,
  user: Auth0User,
  actor?: ActorContext,
): LogRecordInput {
  const message = 'Multifactor authentication required';
  return {
    type: 'mfar',
    description: message,
    ...appFields(actor),
    ...userConnection(state, user),
    user_id: user.user_id,
    user_name: user.email ?? '',
    audience: `https://${state.domain}/userinfo`,
    scope: 'openid profile email',
    details: { error: { message, oauthError: 'mfa_required', type: 'mfa-required' } },
  };
}

export type GuardianFactor = 'otp' | 'sms' | 'push-notification' | 'webauthn-roaming';

function guardianRecord(
  type: string,
  description: string,
  user: Auth0User,
  factor: GuardianFactor,
  actor: ActorContext | undefined,
  extra: Record<string, unknown> = {},
): LogRecordInput {
  const app = appFields(actor);
  return {
    type,
    description,
    client_id: app.client_id,
    client_name: app.client_name,
    ip: app.ip ?? DEFAULT_IP,
    user_agent: app.user_agent,
    user_id: user.user_id,
    user_name: user.email ?? '',
    details: {
      authenticator: {
        type: factor,
        ...(factor === 'sms' ? { phone_number: user.phone_number ?? '+1555000****' } : {}),
      },
      ...extra,
    },
  };
}

export const enrollmentRecord = (user: Auth0User, factor: GuardianFactor, actor?: ActorContext) =>
  guardianRecord('gd_enrollment_complete', `Guardian - Enrollment complete (${factor})`, user, factor, actor);

export const secondFactorRecord = (
  user: Auth0User,
  factor: GuardianFactor,
  ok: boolean,
  actor?: ActorContext,
) =>
  ok
    ? guardianRecord(
        'gd_auth_succeed',
        `Second factor authentication succeeded (${factor})`,
        user,
        factor,
        actor,
      )
    : guardianRecord(
        'gd_auth_failed',
        `Second factor authentication failed (${factor})`,
        user,
        factor,
        actor,
        {
          error: { message: 'Invalid OTP code.' },
        },
      );
