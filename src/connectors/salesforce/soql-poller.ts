/**
 * The default Salesforce trigger, which works against every org: poll `SystemModstamp` with an overlapping
 * window (late commits can carry an earlier stamp), dedupe on (Id, SystemModstamp), return the new cursor.
 * Pure with respect to storage: the caller stores the cursor and passes it back.
 */
import type { SfRecord } from '../../core/ports.js';

/** The connector's raw SOQL entry point (`SalesforceConnector.query`); `find` has no range conditions. */
export interface SoqlQueryPort {
  query(soql: string): Promise<SfRecord[]>;
}

export interface PollCursor {
  /** Highest SystemModstamp delivered (ISO 8601), or null before the first poll. */
  modstamp: string | null;
  /** `Id@SystemModstamp` keys already delivered inside the overlap window (the dedupe set). */
  ids: string[];
}

export interface PollResult {
  records: SfRecord[];
  cursor: PollCursor;
  /** The page was full: poll again at once. */
  hasMore: boolean;
}

const IDENT = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/;
const key = (r: SfRecord) => `${r.Id}@${Date.parse(String(r['SystemModstamp']))}`;
const stampOf = (k: string) => Number(k.slice(k.lastIndexOf('@') + 1));

/** Builds the polling query; field names are checked, the datetime is a formatted literal. */
export function pollSoql(
  object: string,
  fields: readonly string[],
  from: number | null,
  limit: number,
): string {
  for (const name of [object, ...fields]) {
    if (!IDENT.test(name)) throw new TypeError(`not a SOQL name: ${JSON.stringify(name)}`);
  }
  const select = [...new Set(['Id', 'SystemModstamp', ...fields])].join(', ');
  const where = from === null ? '' : ` WHERE SystemModstamp >= ${new Date(from).toISOString()}`;
  return `SELECT ${select} FROM ${object}${where} ORDER BY SystemModstamp, Id LIMIT ${limit}`;
}

export async function pollChanges(options: {
  port: SoqlQueryPort;
  object: string;
  fields: readonly string[];
  since: PollCursor;
  /** How far back each poll re-reads (default 60 s). */
  overlapMs?: number;
  /** Page size (default 2000, SOQL's batch). */
  limit?: number;
}): Promise<PollResult> {
  const overlapMs = options.overlapMs ?? 60_000;
  const limit = options.limit ?? 2000;
  const since = options.since.modstamp === null ? null : Date.parse(options.since.modstamp);
  const from = since === null ? null : since - overlapMs;
  const rows = await options.port.query(pollSoql(options.object, options.fields, from, limit));
  const seen = new Set(options.since.ids);
  const fresh = rows.filter((r) => !seen.has(key(r)));
  let high = since ?? Number.NEGATIVE_INFINITY;
  for (const r of rows) high = Math.max(high, Date.parse(String(r['SystemModstamp'])));
  const floor = high - overlapMs;
  const ids = [...new Set([...options.since.ids, ...rows.map(key)])].filter((k) => stampOf(k) >= floor);
  return {
    records: fresh,
    cursor: { modstamp: Number.isFinite(high) ? new Date(high).toISOString() : options.since.modstamp, ids },
    hasMore: rows.length >= limit,
  };
}
