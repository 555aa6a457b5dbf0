import type { Auth0User } from '../../core/ports.js';
import { newJti } from './ids.js';
import { appendLog, encodeApiPath, managementApiRecord } from './log-records.js';
import { addRoleMembers, assignRoles, removeRoleMembers, removeRoles } from './roles.js';
import { DASHBOARD_CLIENT, type EmulatorState } from './state.js';
import { createPasswordTicket, type PasswordTicketInput } from './tickets.js';
import { deleteUser, updateUser } from './users.js';

/** The dashboard admin whose changes `sapi` records attribute (`user_id` = actor). */
export const DASHBOARD_ADMIN = {
  user_id: 'google-oauth2|100000000000000000001',
  email: 'admin@example.com',
  name: 'Tenant Admin',
};

/**
 * What a human admin does in the Auth0 dashboard: the dashboard calls the Management API, so each
 * change is one `sapi` record with the dashboard's `client_id` and the admin in `details.request.auth`.
 */
export function createDashboardActions(state: EmulatorState) {
  function audit(
    description: string,
    method: string,
    path: string,
    body: unknown,
    status: number,
    response: unknown,
  ) {
    appendLog(
      state,
      managementApiRecord({
        actor: {
          kind: 'dashboard',
          clientId: DASHBOARD_CLIENT.clientId,
          user: DASHBOARD_ADMIN,
          jti: newJti(),
        },
        description,
        method,
        path: encodeApiPath(path),
        query: {},
        body,
        statusCode: status,
        responseBody: response,
      }),
    );
  }

  const actions = {
    /** A dashboard edit: applies the PATCH and logs `sapi` with the dashboard's client id. */
    updateUser(userId: string, patch: Record<string, unknown>): Auth0User {
      const user = updateUser(state, userId, patch);
      audit('Update a User', 'patch', `/api/v2/users/${userId}`, patch, 200, user);
      return user;
    },
    blockUser: (userId: string): Auth0User => actions.updateUser(userId, { blocked: true }),
    unblockUser: (userId: string): Auth0User => actions.updateUser(userId, { blocked: false }),
    deleteUser(userId: string): void {
      deleteUser(state, userId);
      audit('Delete a User', 'delete', `/api/v2/users/${userId}`, {}, 204, {});
    },
    assignRoles(userId: string, roleIds: string[]): void {
      assignRoles(state, userId, roleIds);
      audit('Assign roles to a user', 'post', `/api/v2/users/${userId}/roles`, { roles: roleIds }, 204, {});
    },
    removeRoles(userId: string, roleIds: string[]): void {
      removeRoles(state, userId, roleIds);
      audit(
        'Removes roles from a user',
        'delete',
        `/api/v2/users/${userId}/roles`,
        { roles: roleIds },
        204,
        {},
      );
    },
    /** From the role's "Users" tab: `sapi` POST `/api/v2/roles/{id}/users`. */
    addRoleMembers(roleId: string, userIds: string[]): void {
      addRoleMembers(state, roleId, userIds);
      audit('Assign users to a role', 'post', `/api/v2/roles/${roleId}/users`, { users: userIds }, 200, {});
    },
    removeRoleMembers(roleId: string, userIds: string[]): void {
      removeRoleMembers(state, roleId, userIds);
      audit(
        'Remove users from a role',
        'delete',
        `/api/v2/roles/${roleId}/users`,
        { users: userIds },
        204,
        {},
      );
    },
    /** "Send reset password email"-style ticket; answers `{ticket}` and logs `sapi`. */
    createPasswordChangeTicket(input: PasswordTicketInput): { ticket: string } {
      const result = createPasswordTicket(state, input);
      audit('Create a password change ticket', 'post', '/api/v2/tickets/password-change', input, 201, result);
      return result;
    },
  };
  return actions;
}
