import { z } from 'zod';
import { badRequest } from '../api-error.js';
import { projectFields } from '../field-projection.js';
import { compileQuery } from '../lucene-query.js';
import { createUser, deleteUser, getUserOrThrow, updateUser, usersByEmail } from '../users.js';
import { type ApiRoute, paginate, requireObject } from './route.js';

const createUserBody = z.looseObject({
  connection: z.string().min(1),
  email: z.email().optional(),
  password: z.string().optional(),
  user_id: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  name: z.string().optional(),
  nickname: z.string().optional(),
  picture: z.string().optional(),
  phone_number: z.string().optional(),
  email_verified: z.boolean().optional(),
  blocked: z.boolean().optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});

function parseCreateBody(body: unknown) {
  const parsed = createUserBody.safeParse(requireObject(body));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.');
  const message =
    issue.code === 'invalid_type' && issue.input === undefined
      ? `Missing required property: ${field}`
      : `${field}: ${issue.message}`;
  throw badRequest(`Payload validation error: '${message}'.`);
}

export const userRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/users',
    scopes: ['read:users'],
    handle: ({ state, query }) => {
      const matches = compileQuery(query.q);
      const users = [...state.users.values()].filter(matches);
      if (query.sort) {
        const [field = 'created_at', dir] = query.sort.split(':');
        const sign = dir === '-1' ? -1 : 1;
        users.sort((a, b) => sign * String(a[field] ?? '').localeCompare(String(b[field] ?? '')));
      }
      return paginate(
        users.map((u) => projectFields(u, query)),
        query,
        'users',
      );
    },
  },
  {
    method: 'GET',
    path: '/users/:id',
    scopes: ['read:users'],
    handle: ({ state, params, query }) => ({ body: projectFields(getUserOrThrow(state, params.id!), query) }),
  },
  {
    method: 'POST',
    path: '/users',
    scopes: ['create:users'],
    audit: 'Create a User',
    handle: ({ state, body }) => ({ status: 201, body: createUser(state, parseCreateBody(body)) }),
  },
  {
    method: 'PATCH',
    path: '/users/:id',
    scopes: ['update:users', 'update:users_app_metadata'],
    audit: 'Update a User',
    handle: ({ state, params, body }) => ({ body: updateUser(state, params.id!, requireObject(body)) }),
  },
  {
    method: 'DELETE',
    path: '/users/:id',
    scopes: ['delete:users'],
    audit: 'Delete a User',
    handle: ({ state, params }) => {
      deleteUser(state, params.id!);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/users-by-email',
    scopes: ['read:users'],
    handle: ({ state, query }) => {
      if (!query.email)
        throw badRequest(
          "Query validation error: 'Missing required property: email'.",
          'invalid_query_string',
        );
      return { body: usersByEmail(state, query.email).map((u) => projectFields(u, query)) };
    },
  },
];
