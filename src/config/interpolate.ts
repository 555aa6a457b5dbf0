import { ConfigError } from '../core/errors.js';

const WHOLE_PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

function typed(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text) && text.length < 16) return Number(text);
  return text;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed YAML tree. Works on values, not on
 * the raw text, so a secret containing YAML syntax cannot change the document's structure, and a missing
 * variable is reported with the config path that needs it.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, path: string[] = []): unknown {
  if (typeof value === 'string') {
    const text = interpolateString(value, env, path);
    // `port: ${PORT:-8080}` means a number: a value that is one placeholder takes the type it reads as.
    if (text !== value && WHOLE_PLACEHOLDER.test(value)) return typed(text);
    return text;
  }
  if (Array.isArray(value))
    return value.map((item, index) => interpolateEnv(item, env, [...path, String(index)]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, [...path, key]);
    return out;
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, path: string[]): string {
  const missing: string[] = [];
  const result = text.replace(PLACEHOLDER, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  if (missing.length > 0) {
    const where = formatPath(path);
    throw new ConfigError(
      `${where}: environment variable ${missing.map((m) => `\${${m}}`).join(', ')} is not set. ` +
        `Set it before starting Concord, or give a default with \${${missing[0]}:-value}.`,
      [{ path: where, message: `missing environment variable ${missing.join(', ')}` }],
    );
  }
  return result;
}

/** `pipelines.0.params.target` → `pipelines[0].params.target` */
export function formatPath(path: readonly (string | number | symbol)[]): string {
  let out = '';
  for (const part of path) {
    const text = String(part);
    if (/^\d+$/.test(text)) out += `[${text}]`;
    else out += out === '' ? text : `.${text}`;
  }
  return out === '' ? '(root)' : out;
}
