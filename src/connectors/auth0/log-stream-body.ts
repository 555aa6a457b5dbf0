import { BadInputError } from '../../core/errors.js';
/**
 * Auth0 custom-webhook log stream bodies: `{log_id, data}` wrappers as JSONARRAY (one array), JSONLINES (one
 * wrapper per line) or JSONOBJECT (one wrapper, or several objects back to back). All three are accepted
 * whatever the stream says, since the format's exact framing is not documented; a bad body is refused whole
 * with a message that says where it went wrong.
 */
export interface LogStreamRecord {
  logId: string;
  type: string;
  data: Record<string, unknown>;
}

export class LogStreamBodyError extends BadInputError {
  override readonly name = 'LogStreamBodyError';
}

export function parseLogStreamBody(text: string): LogStreamRecord[] {
  const body = text.replace(/^\uFEFF/, '').trim();
  if (body === '')
    throw new LogStreamBodyError('the body is empty; expected log stream records ({"log_id", "data"})');
  let values: unknown[];
  if (body.startsWith('[')) {
    const parsed = parseJson(body, 'the JSON array body');
    if (!Array.isArray(parsed)) throw new LogStreamBodyError('the body is not a JSON array');
    values = parsed;
  } else if (body.startsWith('{')) {
    values = splitJsonObjects(body);
  } else {
    throw new LogStreamBodyError(
      `the body starts with ${JSON.stringify(body.slice(0, 12))}; expected a JSON array or JSON objects (JSONARRAY, JSONLINES or JSONOBJECT)`,
    );
  }
  if (values.length === 0) throw new LogStreamBodyError('the body holds no records');
  return values.map((value, index) => toRecord(value, index));
}

function toRecord(value: unknown, index: number): LogStreamRecord {
  const where = `record ${index}`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new LogStreamBodyError(`${where} is not an object; expected {"log_id": "...", "data": {...}}`);
  }
  const wrapper = value as Record<string, unknown>;
  const logId = wrapper['log_id'];
  if (typeof logId !== 'string' || logId.trim() === '') {
    throw new LogStreamBodyError(
      `${where} has no "log_id" string; expected {"log_id": "...", "data": {...}}`,
    );
  }
  const data = wrapper['data'];
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new LogStreamBodyError(`${where} (log_id ${logId}) has no "data" object`);
  }
  const type = (data as Record<string, unknown>)['type'];
  return {
    logId,
    type: typeof type === 'string' && type !== '' ? type : 'unknown',
    data: data as Record<string, unknown>,
  };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LogStreamBodyError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Splits `{..}\n{..}` or `{..}{..}` into values, tracking strings and depth; names the line of a problem. */
function splitJsonObjects(body: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < body.length; i++) {
    const ch = body.charCodeAt(i);
    if (ch === 10) line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === 92)
        escaped = true; // backslash
      else if (ch === 34) inString = false; // quote
      continue;
    }
    if (ch === 34) {
      inString = true;
    } else if (ch === 123 || ch === 91) {
      if (depth === 0) {
        if (ch === 91) throw new LogStreamBodyError(`line ${line}: expected a JSON object, found an array`);
        start = i;
        startLine = line;
      }
      depth++;
    } else if (ch === 125 || ch === 93) {
      depth--;
      if (depth < 0) throw new LogStreamBodyError(`line ${line}: unbalanced "${String.fromCharCode(ch)}"`);
      if (depth === 0) {
        values.push(parseJson(body.slice(start, i + 1), `the object starting on line ${startLine}`));
        start = -1;
      }
    } else if (depth === 0 && ch !== 32 && ch !== 9 && ch !== 10 && ch !== 13 && ch !== 44) {
      throw new LogStreamBodyError(`line ${line}: unexpected ${JSON.stringify(body[i])} between records`);
    }
  }
  if (inString || depth !== 0)
    throw new LogStreamBodyError(`the object starting on line ${startLine} is not closed (truncated body?)`);
  return values;
}
