import { z } from 'zod';
import { badRequest } from '../api-error.js';
import { createExportJob, getJobOrThrow, jobView } from '../export-jobs.js';
import { createPasswordTicket } from '../tickets.js';
import { type ApiRoute, requireObject } from './route.js';

const ticketBody = z.looseObject({
  user_id: z.string().optional(),
  email: z.string().optional(),
  connection_id: z.string().optional(),
  result_url: z.string().optional(),
  ttl_sec: z.number().int().nonnegative().optional(),
  mark_email_as_verified: z.boolean().optional(),
  includeEmailInRedirect: z.boolean().optional(),
  client_id: z.string().optional(),
});

const exportBody = z.object({
  connection_id: z.string().optional(),
  format: z.enum(['json', 'csv']).optional(),
  limit: z.number().int().positive().optional(),
  fields: z.array(z.object({ name: z.string().min(1), export_as: z.string().optional() })).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(requireObject(body));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw badRequest(`Payload validation error: '${issue.path.join('.')}: ${issue.message}'.`);
}

/** Password-change tickets (invitations, flow 6) and the users-export job (backfills). */
export const ticketAndJobRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/tickets/password-change',
    scopes: ['create:user_tickets'],
    audit: 'Create a password change ticket',
    handle: ({ state, body }) => ({
      status: 201,
      body: createPasswordTicket(state, parse(ticketBody, body)),
    }),
  },
  {
    method: 'POST',
    path: '/jobs/users-exports',
    scopes: ['read:users'],
    audit: 'Create an export users job',
    handle: ({ state, body, origin }) => ({
      status: 201,
      body: jobView(
        state,
        { ...createExportJob(state, parse(exportBody, body)), readyAt: Number.POSITIVE_INFINITY },
        origin,
      ),
    }),
  },
  {
    method: 'GET',
    path: '/jobs/:id',
    scopes: ['read:users', 'create:users'],
    handle: ({ state, params, origin }) => ({
      body: jobView(state, getJobOrThrow(state, params.id!), origin),
    }),
  },
];
