import type { Auth0User } from '../../core/ports.js';
import { type ActorContext, appFields, userConnection } from './log-records.js';
import { randomAlphanumeric } from './ids.js';
import type { EmulatorState } from './state.js';
import type { LogRecordInput } from './types.js';

/**
 * Self-service profile records. `sv` follows a real record (reference E1); `scp` reuses its ticket shape,
 * and `sdu`/`du` the login-record fields [unverified: no public samples].
 */

function ticketDetails(state: EmulatorState, user: Auth0User, title: string, clientId: string) {
  const connection = user.identities?.[0]?.connection;
  return {
    title,
    email: user.email,
    body: { ticket: randomAlphanumeric(32), tenant: state.tenant },
    query: {
      email: user.email,
      user_id: user.user_id,
      tenant: state.tenant,
      client_id: clientId,
      connection,
      idp_user_id: null,
      resultUrl: null,
      includeEmailInRedirect: false,
    },
  };
}

function userRecord(
  state: EmulatorState,
  type: string,
  description: string,
  user: Auth0User,
  actor?: ActorContext,
) {
  return {
    type,
    description,
    ...appFields(actor),
    ...userConnection(state, user),
    user_id: user.user_id,
    user_name: user.email ?? '',
  };
}

/** `sv`: the user followed the verification link. */
export function emailVerifiedRecord(
  state: EmulatorState,
  user: Auth0User,
  actor?: ActorContext,
): LogRecordInput {
  const base = userRecord(
    state,
    'sv',
    'Your email was verified. You can continue using the application.',
    user,
    actor,
  );
  return { ...base, details: ticketDetails(state, user, 'Email Verification', base.client_id) };
}

/** `scp`: the user set a new password through a reset link or a password-change ticket. */
export function passwordChangedRecord(
  state: EmulatorState,
  user: Auth0User,
  actor?: ActorContext,
): LogRecordInput {
  const base = userRecord(state, 'scp', 'Password changed successfully', user, actor);
  return { ...base, details: ticketDetails(state, user, 'Password Change', base.client_id) };
}

/** `scpr`: a change-password email was requested (`/dbconnections/change_password`) and sent [unverified shape]. */
export function changePasswordRequestRecord(
  state: EmulatorState,
  user: Auth0User,
  actor?: ActorContext,
): LogRecordInput {
  return userRecord(state, 'scpr', '', user, actor);
}

/** `sdu` (deletion succeeded) or `du` (user deleted), e.g. an app's "delete my account". */
export function userDeletedRecord(
  state: EmulatorState,
  user: Auth0User,
  type: 'sdu' | 'du',
  actor?: ActorContext,
): LogRecordInput {
  return {
    ...userRecord(state, type, type === 'sdu' ? 'User successfully deleted' : 'User deleted', user, actor),
    details: {},
  };
}
