import jsonata from 'jsonata';
import { ConcordError } from './errors.js';

type Compiled = ReturnType<typeof jsonata>;
const cache = new Map<string, Compiled>();

/** Compiles a JSONata expression once; throws with the expression and the position of the problem. */
export function compileExpression(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
  try {
    const compiled = jsonata(source);
    cache.set(source, compiled);
    return compiled;
  } catch (error) {
    const detail = error as { message?: string; position?: number };
    throw new ConcordError(
      `invalid expression ${JSON.stringify(source)}: ${detail.message ?? String(error)}` +
        (detail.position !== undefined ? ` (at character ${detail.position})` : ''),
      { code: 'config', retryable: false, cause: error },
    );
  }
}

/** Evaluates an expression against an input; `undefined` when it selects nothing. */
export async function evaluateExpression(
  source: string,
  input: unknown,
  bindings?: Record<string, unknown>,
): Promise<unknown> {
  const compiled = compileExpression(source);
  try {
    return await compiled.evaluate(input, bindings);
  } catch (error) {
    throw new ConcordError(`expression ${JSON.stringify(source)} failed: ${(error as Error).message}`, {
      code: 'invalid_request',
      retryable: false,
      cause: error,
    });
  }
}
