/**
 * `GET /sobjects/X/updated|deleted?start=&end=`: the replication API, ids changed or deleted in a window
 * (by SystemModstamp), a polling alternative Salesforce documents alongside SOQL on SystemModstamp.
 */
import { sfError } from '../errors.js';
import { formatDatetime, requireTable } from '../records.js';
import type { ApiCall, ApiRoute } from './types.js';

function window(call: ApiCall): { start: number; end: number } {
  const start = Date.parse(call.query.get('start') ?? '');
  const end = Date.parse(call.query.get('end') ?? '');
  if (Number.isNaN(start) || Number.isNaN(end)) {
    throw sfError(400, 'MISSING_ARGUMENT', 'start and end are required ISO 8601 date-times');
  }
  if (end < start) throw sfError(400, 'INVALID_REPLICATION_DATE', 'start date must be before end date');
  return { start, end };
}

/** Salesforce truncates the window to whole minutes. */
const minute = (ms: number) => ms - (ms % 60_000);

export const replicationRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/sobjects/:object/updated',
    kind: 'replication.updated',
    handle: (call) => {
      const table = requireTable(call.env.state, call.params['object']!);
      const { start, end } = window(call);
      const ids: string[] = [];
      for (const r of table.byId.values()) {
        const at = Date.parse(String(r.fields['SystemModstamp']));
        if (r.fields['IsDeleted'] !== true && at >= minute(start) && at < minute(end))
          ids.push(r.fields['Id'] as string);
      }
      return { status: 200, body: { ids, latestDateCovered: formatDatetime(minute(end)) } };
    },
  },
  {
    method: 'GET',
    path: '/sobjects/:object/deleted',
    kind: 'replication.deleted',
    handle: (call) => {
      const table = requireTable(call.env.state, call.params['object']!);
      const { start, end } = window(call);
      const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
      let earliest = Number.POSITIVE_INFINITY;
      for (const r of table.byId.values()) {
        if (r.fields['IsDeleted'] !== true) continue;
        const at = Date.parse(String(r.fields['SystemModstamp']));
        earliest = Math.min(earliest, at);
        if (at >= minute(start) && at < minute(end)) {
          deletedRecords.push({
            id: r.fields['Id'] as string,
            deletedDate: String(r.fields['SystemModstamp']),
          });
        }
      }
      return {
        status: 200,
        body: {
          deletedRecords,
          earliestDateAvailable: formatDatetime(Number.isFinite(earliest) ? earliest : minute(start)),
          latestDateCovered: formatDatetime(minute(end)),
        },
      };
    },
  },
];
