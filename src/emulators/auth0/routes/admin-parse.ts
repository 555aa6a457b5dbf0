import type { Context } from 'hono';
import { z } from 'zod';
import { badRequest } from '../api-error.js';

/** Parses an admin request body; a bad one is a 400 in the Management API's error shape. */
export async function parseBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const result = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!result.success) throw badRequest(`Admin payload error: ${z.prettifyError(result.error)}`);
  return result.data;
}
