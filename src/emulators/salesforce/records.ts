/**
 * Record writes with Salesforce's validation: each write is validated completely, then applied in one
 * step, and returns an undo step so all-or-none batches can roll back.
 */
import { publishTransaction } from './cdc/log.js';
import { checkDuplicates } from './duplicates.js';
import { notFound, SfApiError, sfError } from './errors.js';
import { normalizeId } from './ids.js';
import { applyObjectRules } from './rules.js';
import { objectForId } from './schema.js';
import type { FieldDef, ObjectSchema } from './schema.js';
import {
  lookupUnique,
  putRecord,
  tableOf,
  type ObjectTable,
  type OrgState,
  type StoredRecord,
} from './state.js';
import { type ChangeType, createTransaction, type PendingChange, type Transaction } from './transaction.js';

export interface WriteContext {
  /** The acting user (token user, or the human admin for UI edits). */
  userId: string;
  /** `Sforce-Call-Options` client, undefined for UI edits. */
  client: string | undefined;
  now: number;
  /** CDC `changeOrigin`: `com/salesforce/api/rest/60.0;client=concord`; '' for UI edits (the default without a client). */
  origin?: string;
  /** The API call's unit of work; without one each write publishes its change at once. */
  tx?: Transaction;
  /** `Sforce-Duplicate-Rule-Header: allowSave=true` was sent (bypasses alert-only duplicate rules). */
  allowDuplicateSave?: boolean;
  /** `/services/data/v60.0`, for URLs in error payloads. */
  apiBase?: string;
}

function originOf(ctx: WriteContext): string {
  if (ctx.origin !== undefined) return ctx.origin;
  return ctx.client ? `com/salesforce/api/rest/60.0;client=${ctx.client}` : '';
}

/** Stores the new version, records its change event and returns an (idempotent) undo step. */
function commitWrite(
  state: OrgState,
  table: ObjectTable,
  ctx: WriteContext,
  changeType: ChangeType,
  before: StoredRecord | undefined,
  next: StoredRecord,
): () => void {
  const undoPut = putRecord(table, next);
  const change: PendingChange = {
    object: table.schema.name,
    recordId: next.fields['Id'] as string,
    changeType,
    before: before?.fields,
    after: next.fields,
    userId: ctx.userId,
    origin: originOf(ctx),
    at: ctx.now,
  };
  const tx = ctx.tx;
  if (!tx) {
    const single = createTransaction();
    single.changes.push(change);
    publishTransaction(state.changeLog, state.config, single, ctx.now);
    return undoPut;
  }
  tx.changes.push(change);
  let done = false;
  const undo = () => {
    if (done) return;
    done = true;
    const i = tx.changes.indexOf(change);
    if (i >= 0) tx.changes.splice(i, 1);
    undoPut();
  };
  tx.undo.push(undo);
  return undo;
}

export interface WriteOutcome {
  id: string;
  created: boolean;
  undo: () => void;
}

/** Salesforce's datetime wire format: `2026-01-01T00:00:00.000+0000`. */
export function formatDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function requireTable(state: OrgState, object: string): ObjectTable {
  const table = tableOf(state, object);
  if (!table) throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return table;
}

/** Resolves an id for this object, or throws MALFORMED_ID. */
export function requireId(schema: ObjectSchema, raw: string): string {
  const id = normalizeId(raw);
  if (!id || objectForId(id) !== schema.name) {
    throw sfError(400, 'MALFORMED_ID', `${schema.name} ID: id value of incorrect type: ${raw}`, ['Id']);
  }
  return id;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function coerce(state: OrgState, field: FieldDef, value: unknown): unknown {
  if (value === null || value === '') return null;
  const bad = () =>
    sfError(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${field.type} from value ${JSON.stringify(value)}`,
      [field.name],
    );
  switch (field.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw bad();
      return value;
    case 'double':
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n)) throw bad();
      return n;
    }
    case 'datetime': {
      const ms =
        typeof value === 'string' || typeof value === 'number' ? Date.parse(String(value)) : Number.NaN;
      if (Number.isNaN(ms)) throw bad();
      return formatDatetime(ms);
    }
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value.slice(0, 10))) throw bad();
      return value.slice(0, 10);
    case 'reference': {
      const id = typeof value === 'string' ? normalizeId(value) : undefined;
      const target = id ? objectForId(id) : undefined;
      if (!id || !target || !field.referenceTo?.includes(target)) {
        throw sfError(400, 'MALFORMED_ID', `${field.name}: id value of incorrect type: ${String(value)}`, [
          field.name,
        ]);
      }
      const parent = state.tables.get(target)?.byId.get(id);
      if (!parent || parent.fields['IsDeleted'] === true) {
        throw sfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]);
      }
      return id;
    }
    default: {
      if (typeof value === 'object') throw bad();
      const s = String(value);
      if (field.length !== undefined && s.length > field.length) {
        throw sfError(
          400,
          'STRING_TOO_LONG',
          `${field.name}: data value too large: ${s.slice(0, 20)} (max length=${field.length})`,
          [field.name],
        );
      }
      if (field.type === 'email' && !EMAIL.test(s)) {
        throw sfError(400, 'INVALID_EMAIL_ADDRESS', `${field.name}: invalid email address: ${s}`, [
          field.name,
        ]);
      }
      return s;
    }
  }
}

/** Validates the body's field names and values; returns canonical-name → coerced value. */
function readInput(
  state: OrgState,
  schema: ObjectSchema,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const readOnly: string[] = [];
  for (const [name, value] of Object.entries(input)) {
    if (name === 'attributes') continue;
    const field = schema.byName.get(name.toLowerCase());
    if (!field) {
      throw sfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${schema.name}`, [
        name,
      ]);
    }
    if (field.readOnly || (mode === 'update' && field.createOnly)) {
      readOnly.push(field.name);
      continue;
    }
    out[field.name] = coerce(state, field, value);
  }
  if (readOnly.length > 0) {
    throw sfError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  }
  return out;
}

function checkRequired(schema: ObjectSchema, fields: Record<string, unknown>, only?: Set<string>): void {
  const missing = schema.fields
    .filter((f) => f.required && (!only || only.has(f.name)))
    .filter((f) => fields[f.name] === null || fields[f.name] === undefined)
    .map((f) => f.name);
  if (missing.length > 0) {
    throw sfError(
      400,
      'REQUIRED_FIELD_MISSING',
      `Required fields are missing: [${missing.join(', ')}]`,
      missing,
    );
  }
}

function checkUnique(table: ObjectTable, fields: Record<string, unknown>, selfId: string | undefined): void {
  for (const field of table.schema.uniqueFields) {
    if (!field.unique) continue;
    const value = fields[field.name];
    if (value === null || value === undefined) continue;
    const other = lookupUnique(table, field.name, value).find((id) => id !== selfId);
    if (other) {
      throw sfError(
        400,
        'DUPLICATE_VALUE',
        `duplicate value found: ${field.name} duplicates value on record with id: ${other}`,
        [],
      );
    }
  }
}

/** The audit fields every write moves: who and when (SystemModstamp is what pollers follow). */
function modified(ctx: WriteContext) {
  const stamp = formatDatetime(ctx.now);
  return { LastModifiedDate: stamp, SystemModstamp: stamp, LastModifiedById: ctx.userId };
}

function derive(schema: ObjectSchema, fields: Record<string, unknown>): void {
  if (schema.byName.has('firstname') && schema.byName.has('lastname') && schema.byName.has('name')) {
    fields['Name'] = [fields['FirstName'], fields['LastName']].filter((v) => v).join(' ') || null;
  }
}

/** The object's table, when the API may write it (User and other read-only objects may not). */
function writableTable(state: OrgState, object: string, verb: 'create' | 'update') {
  const table = requireTable(state, object);
  if (!table.schema.createable) {
    throw sfError(
      400,
      'INSUFFICIENT_ACCESS_OR_READONLY',
      `entity type ${table.schema.name} does not support ${verb}`,
    );
  }
  return table;
}

export function createRecord(
  state: OrgState,
  object: string,
  input: Record<string, unknown>,
  ctx: WriteContext,
): WriteOutcome {
  const table = writableTable(state, object, 'create');
  const schema = table.schema;
  if (Object.keys(input).some((k) => k.toLowerCase() === 'id')) {
    throw sfError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', 'Unable to create/update fields: Id.', ['Id']);
  }
  const values = readInput(state, schema, input, 'create');
  const fields: Record<string, unknown> = {};
  for (const f of schema.fields) fields[f.name] = f.defaultValue ?? null;
  for (const [k, v] of Object.entries(values)) {
    const def = schema.byName.get(k.toLowerCase());
    fields[k] = v === null && def?.defaultValue !== undefined ? def.defaultValue : v;
  }
  checkRequired(schema, fields);
  checkUnique(table, fields, undefined);
  applyObjectRules(state, schema, fields);
  checkDuplicates(state, schema, fields, undefined, ctx.allowDuplicateSave === true, ctx.apiBase);
  const id = state.ids.next(schema.keyPrefix);
  const stamp = modified(ctx);
  Object.assign(fields, {
    Id: id,
    IsDeleted: false,
    CreatedDate: stamp.SystemModstamp,
    CreatedById: ctx.userId,
    ...stamp,
  });
  if (schema.byName.has('ownerid') && !fields['OwnerId']) fields['OwnerId'] = ctx.userId;
  derive(schema, fields);
  const next = { object: schema.name, fields, lastModifiedByClient: ctx.client };
  const undo = commitWrite(state, table, ctx, 'CREATE', undefined, next);
  return { id, created: true, undo };
}

/** The live record with this id, or the right error (404, ENTITY_IS_DELETED). */
export function requireLive(table: ObjectTable, id: string): StoredRecord {
  const record = table.byId.get(id);
  if (!record) throw notFound();
  if (record.fields['IsDeleted'] === true) throw sfError(400, 'ENTITY_IS_DELETED', 'entity is deleted', []);
  return record;
}

export function updateRecord(
  state: OrgState,
  object: string,
  rawId: string,
  input: Record<string, unknown>,
  ctx: WriteContext,
): WriteOutcome {
  const table = writableTable(state, object, 'update');
  const schema = table.schema;
  const id = requireId(schema, rawId);
  const current = requireLive(table, id);
  if (current.fields['IsConverted'] === true) {
    throw sfError(400, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead', []);
  }
  const body = { ...input };
  for (const k of Object.keys(body)) if (k.toLowerCase() === 'id') delete body[k];
  const values = readInput(state, schema, body, 'update');
  const fields = { ...current.fields, ...values };
  checkRequired(schema, fields, new Set(Object.keys(values)));
  checkUnique(table, fields, id);
  applyObjectRules(state, schema, fields);
  if (Object.keys(values).some((k) => current.fields[k] !== values[k])) {
    checkDuplicates(state, schema, fields, id, ctx.allowDuplicateSave === true, ctx.apiBase);
  }
  Object.assign(fields, modified(ctx));
  derive(schema, fields);
  const next = { object: schema.name, fields, lastModifiedByClient: ctx.client };
  const undo = commitWrite(state, table, ctx, 'UPDATE', current, next);
  return { id, created: false, undo };
}

/** Upsert by an external-id field: 0 matches create, 1 updates, several → 300 with the record URLs. */
export function upsertRecord(
  state: OrgState,
  object: string,
  externalField: string,
  value: string,
  input: Record<string, unknown>,
  ctx: WriteContext,
  apiBase: string,
): WriteOutcome {
  const table = requireTable(state, object);
  const field = table.schema.byName.get(externalField.toLowerCase());
  if (!field || !(field.externalId || field.name === 'Id')) {
    throw sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }
  const body = { ...input };
  for (const k of Object.keys(body)) if (k.toLowerCase() === field.name.toLowerCase()) delete body[k];
  const matches =
    field.name === 'Id' ? [value].filter((v) => table.byId.has(v)) : lookupUnique(table, field.name, value);
  if (matches.length > 1) {
    const urls = matches.map((id) => `${apiBase}/sobjects/${table.schema.name}/${id}`);
    throw new SfApiError(300, 'MULTIPLE_CHOICES', 'Multiple records found', [], urls);
  }
  if (matches.length === 1) return updateRecord(state, object, matches[0]!, body, ctx);
  return createRecord(state, object, { ...body, [field.name]: value }, ctx);
}

/** Moves a record to the recycle bin (IsDeleted = true, still visible to queryAll). */
export function deleteRecord(
  state: OrgState,
  object: string,
  rawId: string,
  ctx: WriteContext,
): WriteOutcome {
  const table = requireTable(state, object);
  const id = requireId(table.schema, rawId);
  const current = requireLive(table, id);
  const fields = { ...current.fields, IsDeleted: true, ...modified(ctx) };
  const next = { object: table.schema.name, fields, lastModifiedByClient: ctx.client };
  const undo = commitWrite(state, table, ctx, 'DELETE', current, next);
  return { id, created: false, undo };
}

/** Restores a record from the recycle bin (UNDELETE); unique values must still be free. */
export function undeleteRecord(
  state: OrgState,
  object: string,
  rawId: string,
  ctx: WriteContext,
): WriteOutcome {
  const table = requireTable(state, object);
  const id = requireId(table.schema, rawId);
  const current = table.byId.get(id);
  if (!current) throw notFound();
  if (current.fields['IsDeleted'] !== true) {
    throw sfError(400, 'UNDELETE_FAILED', 'Entity is not in the recycle bin', []);
  }
  const fields = { ...current.fields, IsDeleted: false, ...modified(ctx) };
  checkUnique(table, fields, id);
  const next = { object: table.schema.name, fields, lastModifiedByClient: ctx.client };
  const undo = commitWrite(state, table, ctx, 'UNDELETE', current, next);
  return { id, created: false, undo };
}

/** Writes a record as-is (admin actions such as lead conversion), through the same change feed. */
export function writeRaw(
  state: OrgState,
  object: string,
  fields: Record<string, unknown>,
  ctx: WriteContext,
): void {
  const table = requireTable(state, object);
  const current = table.byId.get(fields['Id'] as string);
  const next = { object: table.schema.name, fields, lastModifiedByClient: ctx.client };
  commitWrite(state, table, ctx, current ? 'UPDATE' : 'CREATE', current, next);
}
