/**
 * `POST /composite`: up to 25 subrequests in order, one API call. `@{ref.field}` references read earlier
 * results (`@{refAccount.id}`, `@{refQuery.records[0].Id}`). With `allOrNone` the first failure rolls
 * everything back and the other subrequests answer 400 PROCESSING_HALTED; without it, only subrequests that
 * reference a failed one are halted.
 */
import { sfError } from '../errors.js';
import { savepoint } from '../transaction.js';
import type { ApiRoute } from './types.js';

const MAX_SUBREQUESTS = 25;
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])+)\}/g;
const ROLLED_BACK = 'The transaction was rolled back since another operation in the same transaction failed.';

interface SubRequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
}

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const halted = (referenceId: string, message: string): SubResponse => ({
  body: [{ errorCode: 'PROCESSING_HALTED', message }],
  httpHeaders: {},
  httpStatusCode: 400,
  referenceId,
});

class UnresolvedReference extends Error {}

/** Walks `.field` and `[n]` steps through a previous subrequest's body. */
function lookup(results: Map<string, SubResponse>, ref: string, path: string): unknown {
  const previous = results.get(ref);
  if (!previous || previous.httpStatusCode >= 400) throw new UnresolvedReference(`${ref}${path}`);
  let value: unknown = previous.body;
  for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1);
    value = value && typeof value === 'object' ? (value as Record<string | number, unknown>)[key] : undefined;
  }
  if (value === undefined || value === null) throw new UnresolvedReference(`${ref}${path}`);
  return value;
}

function resolve(value: unknown, results: Map<string, SubResponse>, inUrl = false): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])+)\}$/.exec(value);
    if (whole && !inUrl) return lookup(results, whole[1]!, whole[2]!);
    return value.replace(REFERENCE, (_, ref: string, path: string) => {
      const v = String(lookup(results, ref, path));
      return inUrl ? encodeURIComponent(v) : v;
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results)]));
  }
  return value;
}

function readSubrequests(body: unknown): { allOrNone: boolean; requests: SubRequest[] } {
  const b = body as { allOrNone?: unknown; compositeRequest?: unknown } | undefined;
  if (!b || !Array.isArray(b.compositeRequest)) {
    throw sfError(
      400,
      'JSON_PARSER_ERROR',
      'The request body must be an object with a compositeRequest array',
    );
  }
  if (b.compositeRequest.length > MAX_SUBREQUESTS) {
    throw sfError(400, 'LIMIT_EXCEEDED', `Limit exceeded: maximum of ${MAX_SUBREQUESTS} subrequests allowed`);
  }
  const seen = new Set<string>();
  const requests = b.compositeRequest.map((raw: unknown) => {
    const r = raw as Partial<SubRequest>;
    if (typeof r.method !== 'string' || typeof r.url !== 'string' || typeof r.referenceId !== 'string') {
      throw sfError(400, 'INVALID_INPUT', 'Each subrequest needs method, url and referenceId');
    }
    if (seen.has(r.referenceId)) {
      throw sfError(400, 'INVALID_INPUT', `Duplicate referenceId provided in the request: ${r.referenceId}`);
    }
    seen.add(r.referenceId);
    return r as SubRequest;
  });
  return { allOrNone: b.allOrNone === true, requests };
}

export const compositeRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/composite',
    kind: 'composite',
    handle: async (call) => {
      const { allOrNone, requests } = readSubrequests(await call.json());
      const results = new Map<string, SubResponse>();
      const out: SubResponse[] = [];
      const undoAll = call.write.tx ? savepoint(call.write.tx) : () => {};
      let failedAt = -1;
      for (const [i, req] of requests.entries()) {
        let url: string;
        let body: unknown;
        try {
          url = resolve(req.url, results, true) as string;
          body = resolve(req.body, results);
        } catch (error) {
          if (!(error instanceof UnresolvedReference)) throw error;
          const message = `Invalid reference specified. No value for ${error.message} found in ${req.referenceId}. Provided referenceId ('${error.message.split(/[.[]/)[0]}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_').`;
          const response = halted(req.referenceId, message);
          results.set(req.referenceId, response);
          out.push(response);
          if (allOrNone) {
            failedAt = i;
            break;
          }
          continue;
        }
        const result = await call.dispatch(req.method, url, body);
        const location = (result.headers?.['Location'] ?? result.headers?.['location']) as string | undefined;
        const response: SubResponse = {
          body: result.status === 204 ? null : (result.body ?? null),
          httpHeaders: location ? { Location: location } : {},
          httpStatusCode: result.status,
          referenceId: req.referenceId,
        };
        results.set(req.referenceId, response);
        out.push(response);
        if (allOrNone && result.status >= 400) {
          failedAt = i;
          break;
        }
      }
      if (failedAt >= 0) {
        undoAll();
        const body = requests.map((req, i) =>
          i === failedAt ? out[i]! : halted(req.referenceId, ROLLED_BACK),
        );
        return { status: 200, body: { compositeResponse: body } };
      }
      return { status: 200, body: { compositeResponse: out } };
    },
  },
];
