import { setTimeout as delay } from 'node:timers/promises';

/** An override of one endpoint, like an msw handler placed in front of the real ones. */
export interface FaultInput {
  /** `path` is a pathname, `*` matching any run of characters (e.g. `/api/v2/users/*`). */
  match: { method?: string; path: string };
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many requests it answers before removing itself; unlimited when absent. */
  times?: number;
  /** Delay before answering (a slow upstream). */
  delayMs?: number;
}

export interface Fault extends FaultInput {
  pattern: RegExp;
  remaining: number;
}

export function createFault(input: FaultInput): Fault {
  const source = input.match.path
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return { ...input, pattern: new RegExp(`^${source}$`), remaining: input.times ?? Number.POSITIVE_INFINITY };
}

/** Finds and consumes the first matching fault; returns its response, or undefined. */
export async function answerWithFault(faults: Fault[], method: string, path: string) {
  const index = faults.findIndex(
    (f) => (!f.match.method || f.match.method.toUpperCase() === method) && f.pattern.test(path),
  );
  const fault = faults[index];
  if (!fault) return undefined;
  fault.remaining -= 1;
  if (fault.remaining <= 0) faults.splice(index, 1);
  if (fault.delayMs) await delay(fault.delayMs);
  const body = fault.body ?? defaultFaultBody(fault.status);
  return new Response(body === null ? null : JSON.stringify(body), {
    status: fault.status,
    headers: { 'content-type': 'application/json', ...fault.headers },
  });
}

function defaultFaultBody(status: number) {
  if (status === 204) return null;
  return {
    statusCode: status,
    error: status >= 500 ? 'Internal Server Error' : 'Error',
    message: 'Injected fault',
  };
}
