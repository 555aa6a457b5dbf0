import { notFound } from './api-error.js';
import { newRoleId } from './ids.js';
import type { EmulatorState } from './state.js';
import type { StoredRole } from './types.js';
import { getUserOrThrow } from './users.js';

export function createRole(state: EmulatorState, name: string, description = ''): StoredRole {
  const role = { id: newRoleId(), name, description };
  state.roles.set(role.id, role);
  return role;
}

export function assignRoles(state: EmulatorState, userId: string, roleIds: readonly string[]): void {
  getUserOrThrow(state, userId);
  for (const id of roleIds) if (!state.roles.has(id)) throw notFound(`Role ${id} does not exist.`);
  let set = state.userRoles.get(userId);
  if (!set) {
    set = new Set();
    state.userRoles.set(userId, set);
  }
  for (const id of roleIds) set.add(id);
}

export function removeRoles(state: EmulatorState, userId: string, roleIds: readonly string[]): void {
  getUserOrThrow(state, userId);
  const set = state.userRoles.get(userId);
  for (const id of roleIds) set?.delete(id);
}

export function rolesOf(state: EmulatorState, userId: string) {
  getUserOrThrow(state, userId);
  return [...(state.userRoles.get(userId) ?? [])].map((id) => state.roles.get(id)!).filter(Boolean);
}

export function getRoleOrThrow(state: EmulatorState, roleId: string): StoredRole {
  const role = state.roles.get(roleId);
  if (!role) throw notFound('The role does not exist.', 'inexistent_role');
  return role;
}

/** `POST /roles/{id}/users`: every user must exist; assigning twice is harmless. */
export function addRoleMembers(state: EmulatorState, roleId: string, userIds: readonly string[]): void {
  getRoleOrThrow(state, roleId);
  for (const userId of userIds) getUserOrThrow(state, userId);
  for (const userId of userIds) assignRoles(state, userId, [roleId]);
}

export function removeRoleMembers(state: EmulatorState, roleId: string, userIds: readonly string[]): void {
  getRoleOrThrow(state, roleId);
  for (const userId of userIds) removeRoles(state, userId, [roleId]);
}

/** `GET /roles/{id}/users` items: Auth0 returns a short form of each user. */
export function membersOf(state: EmulatorState, roleId: string) {
  getRoleOrThrow(state, roleId);
  const members = [];
  for (const [userId, roles] of state.userRoles) {
    const user = state.users.get(userId);
    if (user && roles.has(roleId))
      members.push({ user_id: user.user_id, email: user.email, picture: user.picture, name: user.name });
  }
  return members;
}
