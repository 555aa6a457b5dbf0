import { compileExpression, evaluateExpression } from '../../core/expressions.js';

/**
 * Task texts are plain strings with `{{ expression }}` placeholders (JSONata over `{event, user, state}`),
 * so a subject such as `First login` needs no quoting and a description can still show counts and times.
 */
const PLACEHOLDER = /\{\{\s*([\s\S]+?)\s*\}\}/g;

export function placeholderExpressions(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Compiles every placeholder; the first problem as a message, or undefined when the text is fine. */
export function checkTemplate(text: string): string | undefined {
  for (const source of placeholderExpressions(text)) {
    try {
      compileExpression(source);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

export async function renderTemplate(text: string, scope: unknown): Promise<string> {
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, match.index));
    parts.push(show(await evaluateExpression(match[1] ?? '', scope)));
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(show).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Whether an expression reads the top-level `user` (so the planner must load the Auth0 user first).
 * Conservative: any path step named `user` counts. Loading the user costs an API call, so rules that never
 * mention it (the defaults) never pay for it.
 */
export function mentionsUser(source: string): boolean {
  const visit = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(visit);
    if (node === null || typeof node !== 'object') return false;
    const record = node as Record<string, unknown>;
    if (record['type'] === 'name' && record['value'] === 'user') return true;
    return Object.values(record).some(visit);
  };
  return visit(compileExpression(source).ast());
}
