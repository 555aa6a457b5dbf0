/** Single-record REST: read, create, update, delete, and read/upsert by external id. */
import { notFound, sfError } from '../errors.js';
import {
  createRecord,
  deleteRecord,
  requireId,
  requireTable,
  updateRecord,
  upsertRecord,
} from '../records.js';
import { lookupUnique } from '../state.js';
import { resolveFieldList, shapeRecord } from './shape.js';
import type { ApiCall, ApiRoute } from './types.js';

async function objectBody(call: ApiCall): Promise<Record<string, unknown>> {
  const body = await call.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw sfError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export const sobjectRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/sobjects/:object/:id',
    kind: 'sobject.get',
    handle: ({ env, params, query, apiBase }) => {
      const table = requireTable(env.state, params['object']!);
      const id = requireId(table.schema, params['id']!);
      const record = table.byId.get(id);
      if (!record || record.fields['IsDeleted'] === true) throw notFound();
      return {
        status: 200,
        body: shapeRecord(record, resolveFieldList(table.schema, query.get('fields')), apiBase),
      };
    },
  },
  {
    method: 'POST',
    path: '/sobjects/:object',
    kind: 'sobject.create',
    handle: async (call) => {
      const result = createRecord(call.env.state, call.params['object']!, await objectBody(call), call.write);
      const object = requireTable(call.env.state, call.params['object']!).schema.name;
      return {
        status: 201,
        body: { id: result.id, success: true, errors: [] },
        headers: { Location: `${call.apiBase}/sobjects/${object}/${result.id}` },
      };
    },
  },
  {
    method: 'PATCH',
    path: '/sobjects/:object/:id',
    kind: 'sobject.update',
    handle: async (call) => {
      updateRecord(
        call.env.state,
        call.params['object']!,
        call.params['id']!,
        await objectBody(call),
        call.write,
      );
      return { status: 204 };
    },
  },
  {
    method: 'DELETE',
    path: '/sobjects/:object/:id',
    kind: 'sobject.delete',
    handle: ({ env, params, write }) => {
      deleteRecord(env.state, params['object']!, params['id']!, write);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    path: '/sobjects/:object/:field/:value',
    kind: 'sobject.getByExternalId',
    handle: ({ env, params, query, apiBase }) => {
      const table = requireTable(env.state, params['object']!);
      const field = table.schema.byName.get(params['field']!.toLowerCase());
      if (!field?.externalId) throw notFound();
      const ids = lookupUnique(table, field.name, params['value']!);
      if (ids.length === 0) throw notFound();
      if (ids.length > 1) {
        return { status: 300, body: ids.map((id) => `${apiBase}/sobjects/${table.schema.name}/${id}`) };
      }
      const record = table.byId.get(ids[0]!)!;
      return {
        status: 200,
        body: shapeRecord(record, resolveFieldList(table.schema, query.get('fields')), apiBase),
      };
    },
  },
  {
    method: 'PATCH',
    path: '/sobjects/:object/:field/:value',
    kind: 'sobject.upsert',
    handle: async (call) => {
      const { params, env, write, apiBase } = call;
      const result = upsertRecord(
        env.state,
        params['object']!,
        params['field']!,
        params['value']!,
        await objectBody(call),
        write,
        apiBase,
      );
      return {
        status: result.created ? 201 : 200,
        body: { id: result.id, success: true, errors: [], created: result.created },
      };
    },
  },
];
