/**
 * sObject Collections: create, update, upsert, delete (≤ 200 records) and retrieve (≤ 2000 ids). One API
 * call each; per-record results in request order; `allOrNone` rolls everything back but still answers 200.
 */
import { SfApiError, sfError } from '../errors.js';
import { normalizeId } from '../ids.js';
import { objectForId } from '../schema.js';
import {
  createRecord,
  deleteRecord,
  requireTable,
  updateRecord,
  upsertRecord,
  type WriteOutcome,
} from '../records.js';
import { resolveFieldList, shapeRecord } from './shape.js';
import type { ApiCall, ApiRoute } from './types.js';

const MAX_RECORDS = 200;
const MAX_RETRIEVE = 2000;
const ROLLED_BACK = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

type Item = Record<string, unknown>;

async function readBatch(call: ApiCall): Promise<{ allOrNone: boolean; records: Item[] }> {
  const body = (await call.json()) as { allOrNone?: unknown; records?: unknown } | undefined;
  if (!body || !Array.isArray(body.records)) {
    throw sfError(400, 'JSON_PARSER_ERROR', 'The request body must be an object with a records array');
  }
  if (body.records.length > MAX_RECORDS) {
    throw sfError(
      400,
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
    );
  }
  return { allOrNone: body.allOrNone === true, records: body.records as Item[] };
}

/** Applies one write per item; on all-or-none failure undoes the applied ones in reverse. */
function runBatch(
  call: ApiCall,
  allOrNone: boolean,
  items: unknown[],
  write: (item: unknown) => WriteOutcome,
  withCreated: boolean,
  idOf: (item: unknown) => string | undefined = () => undefined,
) {
  const outcomes = items.map((item) => {
    try {
      const fault = item && typeof item === 'object' ? call.env.faults.takeRecord(item as Item) : undefined;
      if (fault) throw sfError(400, fault.errorCode, fault.message);
      return { ok: true as const, outcome: write(item) };
    } catch (error) {
      if (!(error instanceof SfApiError)) throw error;
      return { ok: false as const, error, id: idOf(item) };
    }
  });
  const failed = outcomes.some((o) => !o.ok);
  if (allOrNone && failed) {
    for (const o of [...outcomes].reverse()) if (o.ok) o.outcome.undo();
  }
  return outcomes.map((o) => {
    if (!o.ok) {
      return { ...(o.id ? { id: o.id } : {}), success: false, errors: [o.error.toItem()] };
    }
    if (allOrNone && failed) return { success: false, errors: [ROLLED_BACK] };
    return {
      id: o.outcome.id,
      success: true,
      errors: [],
      ...(withCreated ? { created: o.outcome.created } : {}),
    };
  });
}

function typeOf(item: Item): string {
  const type = (item['attributes'] as { type?: unknown } | undefined)?.type;
  if (typeof type !== 'string')
    throw sfError(400, 'INVALID_TYPE', 'Must specify a type in the attributes property');
  return type;
}

function idField(item: Item): string | undefined {
  const id = item['id'] ?? item['Id'];
  return typeof id === 'string' ? id : undefined;
}

function withoutId(item: Item): Item {
  const { id: _a, Id: _b, ...rest } = item;
  return rest;
}

export const collectionRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/composite/sobjects',
    kind: 'collections.create',
    handle: async (call) => {
      const { allOrNone, records } = await readBatch(call);
      const body = runBatch(
        call,
        allOrNone,
        records,
        (item) => createRecord(call.env.state, typeOf(item as Item), item as Item, call.write),
        false,
      );
      return { status: 200, body };
    },
  },
  {
    method: 'PATCH',
    path: '/composite/sobjects',
    kind: 'collections.update',
    handle: async (call) => {
      const { allOrNone, records } = await readBatch(call);
      const body = runBatch(
        call,
        allOrNone,
        records,
        (raw) => {
          const item = raw as Item;
          const id = idField(item);
          if (!id) throw sfError(400, 'MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
          return updateRecord(call.env.state, typeOf(item), id, withoutId(item), call.write);
        },
        false,
        (item) => idField(item as Item),
      );
      return { status: 200, body };
    },
  },
  {
    method: 'PATCH',
    path: '/composite/sobjects/:object/:field',
    kind: 'collections.upsert',
    handle: async (call) => {
      const { allOrNone, records } = await readBatch(call);
      const table = requireTable(call.env.state, call.params['object']!);
      const field = table.schema.byName.get(call.params['field']!.toLowerCase());
      if (!field?.externalId) {
        throw sfError(
          400,
          'INVALID_FIELD',
          `Field name provided, ${call.params['field']} is not an External ID or indexed field for ${table.schema.name}`,
        );
      }
      const body = runBatch(
        call,
        allOrNone,
        records,
        (raw) => {
          const item = raw as Item;
          const key = Object.keys(item).find((k) => k.toLowerCase() === field.name.toLowerCase());
          const value = key ? item[key] : undefined;
          if (value === undefined || value === null || value === '') {
            throw sfError(400, 'MISSING_ARGUMENT', `${field.name} not specified`, [field.name]);
          }
          try {
            return upsertRecord(
              call.env.state,
              table.schema.name,
              field.name,
              String(value),
              item,
              call.write,
              call.apiBase,
            );
          } catch (error) {
            // Several matches: the single-record API answers 300; a collection reports it per record.
            if (error instanceof SfApiError && error.status === 300) {
              throw sfError(
                400,
                'DUPLICATE_EXTERNAL_ID',
                `more than one record found for external id field: ${JSON.stringify(error.body)}`,
                [field.name],
              );
            }
            throw error;
          }
        },
        true,
      );
      return { status: 200, body };
    },
  },
  {
    method: 'DELETE',
    path: '/composite/sobjects',
    kind: 'collections.delete',
    handle: (call) => {
      const { env, query, write } = call;
      const ids = (query.get('ids') ?? '').split(',').filter((s) => s);
      if (ids.length === 0) throw sfError(400, 'MISSING_ARGUMENT', 'ids parameter is required');
      if (ids.length > MAX_RECORDS) {
        throw sfError(
          400,
          'EXCEEDED_ID_LIMIT',
          `record limit reached. cannot submit more than ${MAX_RECORDS} records into this call`,
        );
      }
      const body = runBatch(
        call,
        query.get('allOrNone') === 'true',
        ids,
        (raw) => {
          const id = normalizeId(raw as string);
          const object = id ? objectForId(id) : undefined;
          if (!id || !object) throw sfError(400, 'MALFORMED_ID', `malformed id ${String(raw)}`, []);
          return deleteRecord(env.state, object, id, write);
        },
        false,
        (raw) => raw as string,
      );
      return { status: 200, body };
    },
  },
  {
    method: 'GET',
    path: '/composite/sobjects/:object',
    kind: 'collections.retrieve',
    handle: ({ env, params, query, apiBase }) => {
      const table = requireTable(env.state, params['object']!);
      const ids = (query.get('ids') ?? '').split(',').filter((s) => s);
      if (ids.length === 0 || !query.get('fields')) {
        throw sfError(400, 'MISSING_ARGUMENT', 'ids and fields parameters are required');
      }
      if (ids.length > MAX_RETRIEVE)
        throw sfError(400, 'EXCEEDED_ID_LIMIT', `cannot retrieve more than ${MAX_RETRIEVE} ids`);
      const fields = resolveFieldList(table.schema, query.get('fields'));
      const body = ids.map((raw) => {
        const id = normalizeId(raw);
        if (!id) throw sfError(400, 'MALFORMED_ID', `malformed id ${raw}`, []);
        const record = table.byId.get(id);
        return record && record.fields['IsDeleted'] !== true ? shapeRecord(record, fields, apiBase) : null;
      });
      return { status: 200, body };
    },
  },
];
