import { z } from 'zod';
import type { Auth0LogPage, Auth0NewUser, Auth0Role } from '../../core/ports.js';
import { type createManagementClient, encodeId } from './management-client.js';
import { auth0LogRecordSchema, auth0UserSchema } from './schemas.js';

type Client = ReturnType<typeof createManagementClient>;

const roleSchema = z.looseObject({ id: z.string(), name: z.string(), description: z.string().nullish() });
const rolesPage = z.union([
  z.array(roleSchema),
  z.looseObject({ roles: z.array(roleSchema), total: z.number().optional() }),
]);
const noBody = z.unknown();
const logPage = z.array(auth0LogRecordSchema);

const toRole = (r: z.infer<typeof roleSchema>): Auth0Role => ({
  id: r.id,
  name: r.name,
  ...(r.description ? { description: r.description } : {}),
});

/** The Management API writes and list calls behind `Auth0Port`, one request each (retries are the pipeline's). */
export function managementOperations(client: Client) {
  async function allRoles(path: string, operation: string): Promise<Auth0Role[]> {
    const out: Auth0Role[] = [];
    for (let page = 0; page < 100; page++) {
      const body = await client.call({
        method: 'GET',
        path,
        operation,
        query: { page: String(page), per_page: '100', include_totals: 'false' },
        schema: rolesPage,
      });
      const roles = Array.isArray(body) ? body : (body?.roles ?? []);
      out.push(...roles.map(toRole));
      if (roles.length < 100) break;
    }
    return out;
  }

  return {
    async createUser(user: Auth0NewUser) {
      const created = await client.call({
        method: 'POST',
        path: '/users',
        operation: 'POST /api/v2/users',
        body: user,
        schema: auth0UserSchema,
      });
      return created!;
    },
    async updateUser(userId: string, patch: Record<string, unknown>) {
      const updated = await client.call({
        method: 'PATCH',
        path: `/users/${encodeId(userId)}`,
        operation: 'PATCH /api/v2/users/{id}',
        body: patch,
        schema: auth0UserSchema,
      });
      return updated!;
    },
    getUserRoles: (userId: string) =>
      allRoles(`/users/${encodeId(userId)}/roles`, 'GET /api/v2/users/{id}/roles'),
    listRoles: () => allRoles('/roles', 'GET /api/v2/roles'),
    async assignRoles(userId: string, roleIds: readonly string[]) {
      if (roleIds.length === 0) return;
      await client.call({
        method: 'POST',
        path: `/users/${encodeId(userId)}/roles`,
        operation: 'POST /api/v2/users/{id}/roles',
        body: { roles: roleIds },
        schema: noBody,
      });
    },
    async removeRoles(userId: string, roleIds: readonly string[]) {
      if (roleIds.length === 0) return;
      await client.call({
        method: 'DELETE',
        path: `/users/${encodeId(userId)}/roles`,
        operation: 'DELETE /api/v2/users/{id}/roles',
        body: { roles: roleIds },
        schema: noBody,
      });
    },
    /** Authentication API: Auth0 emails the user its "Change Password" template (the invitation). */
    async sendPasswordChangeEmail(input: { email: string; connection: string; clientId: string }) {
      await client.authentication({
        path: '/dbconnections/change_password',
        operation: 'POST /dbconnections/change_password',
        body: { client_id: input.clientId, email: input.email, connection: input.connection },
      });
    },
    /** Checkpoint mode: only `from` and `take` are honoured by Auth0 in this mode. */
    async getLogs(input: { from?: string; take: number }): Promise<Auth0LogPage> {
      const records = await client.call({
        method: 'GET',
        path: '/logs',
        operation: 'GET /api/v2/logs (checkpoint)',
        query: {
          ...(input.from ? { from: input.from } : {}),
          take: String(Math.min(100, Math.max(1, input.take))),
        },
        schema: logPage,
      });
      const list = (records ?? []) as Auth0LogPage['records'];
      // "the order by date is not guaranteed" in this mode: continue after the greatest id seen.
      const next = list.reduce<string | undefined>(
        (max, r) => (max === undefined || r.log_id > max ? r.log_id : max),
        input.from,
      );
      return { records: list, next };
    },
  };
}
