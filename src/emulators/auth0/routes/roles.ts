import { z } from 'zod';
import { badRequest } from '../api-error.js';
import {
  addRoleMembers,
  assignRoles,
  createRole,
  membersOf,
  removeRoleMembers,
  removeRoles,
  rolesOf,
} from '../roles.js';
import { type ApiRoute, paginate, requireObject, requireRoleIds } from './route.js';

function requireUserIds(body: unknown): string[] {
  const users = requireObject(body).users;
  if (!Array.isArray(users) || users.length === 0 || !users.every((u) => typeof u === 'string'))
    throw badRequest("Payload validation error: 'Missing required property: users'.");
  return users;
}

const createRoleBody = z.object({ name: z.string().min(1), description: z.string().optional() });

export const roleRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/roles',
    scopes: ['read:roles'],
    handle: ({ state, query }) => {
      const filter = query.name_filter?.toLowerCase();
      const roles = [...state.roles.values()].filter((r) => !filter || r.name.toLowerCase().includes(filter));
      return paginate(roles, query, 'roles');
    },
  },
  {
    method: 'POST',
    path: '/roles',
    scopes: ['create:roles'],
    audit: 'Create a role',
    handle: ({ state, body }) => {
      const parsed = createRoleBody.safeParse(requireObject(body));
      if (!parsed.success) throw badRequest("Payload validation error: 'Missing required property: name'.");
      return { body: createRole(state, parsed.data.name, parsed.data.description) };
    },
  },
  {
    method: 'GET',
    path: '/users/:id/roles',
    scopes: ['read:roles'],
    handle: ({ state, params, query }) => paginate(rolesOf(state, params.id!), query, 'roles'),
  },
  {
    method: 'POST',
    path: '/users/:id/roles',
    scopes: ['create:role_members'],
    audit: 'Assign roles to a user',
    handle: ({ state, params, body }) => {
      assignRoles(state, params.id!, requireRoleIds(body));
      return { status: 204 };
    },
  },
  {
    method: 'DELETE',
    path: '/users/:id/roles',
    scopes: ['delete:role_members'],
    audit: 'Removes roles from a user',
    handle: ({ state, params, body }) => {
      removeRoles(state, params.id!, requireRoleIds(body));
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/roles/:id/users',
    scopes: ['read:roles', 'read:users'],
    handle: ({ state, params, query }) => paginate(membersOf(state, params.id!), query, 'users'),
  },
  {
    method: 'POST',
    path: '/roles/:id/users',
    scopes: ['create:role_members'],
    audit: 'Assign users to a role',
    handle: ({ state, params, body }) => {
      addRoleMembers(state, params.id!, requireUserIds(body));
      return { status: 200 };
    },
  },
  {
    // [unverified] Auth0's API reference lists only GET and POST here; kept for DESIGN flow 4's trigger list
    method: 'DELETE',
    path: '/roles/:id/users',
    scopes: ['delete:role_members'],
    audit: 'Remove users from a role',
    handle: ({ state, params, body }) => {
      removeRoleMembers(state, params.id!, requireUserIds(body));
      return { status: 204 };
    },
  },
];
