/**
 * The emulated org's in-memory state: records per object keyed by Id, indexes for unique and external-id
 * fields, users, tokens and API usage. Handlers never scan when an index answers.
 */
import type { BulkJob } from './bulk/jobs.js';
import { createChangeLog, type ChangeLog } from './cdc/log.js';
import { DEFAULT_STAGES, HOUR, type OrgConfig } from './config.js';
import { createIdGenerator, type IdGenerator } from './ids.js';
import { OBJECTS, objectSchema, type ObjectSchema } from './schema.js';

export interface StoredRecord {
  object: string;
  /** Field values under their canonical API names; includes system fields. */
  fields: Record<string, unknown>;
  /** `Sforce-Call-Options` client of the last write (flows into CDC changeOrigin later); undefined for UI. */
  lastModifiedByClient: string | undefined;
}

export interface ObjectTable {
  schema: ObjectSchema;
  byId: Map<string, StoredRecord>;
  /** Field name → normalised value → Ids, for unique / external-id fields (live records only). */
  unique: Map<string, Map<string, Set<string>>>;
}

export interface TokenInfo {
  userId: string;
  clientId: string;
  issuedAt: number;
  /** Last use, for the inactivity timeout. */
  lastUsedAt?: number;
}

export interface OrgState {
  orgId: string;
  ids: IdGenerator;
  tables: Map<string, ObjectTable>;
  tokens: Map<string, TokenInfo>;
  apiUsage: number;
  dailyApiLimit: number;
  integrationUserId: string;
  adminUserId: string;
  /** Query locators for `nextRecordsUrl`: locator → remaining rows. */
  cursors: Map<string, { records: unknown[]; pageSize: number }>;
  config: OrgConfig;
  changeLog: ChangeLog;
  /** Bulk API 2.0 ingest and query jobs by id. */
  bulkJobs: Map<string, BulkJob>;
}

export const defaultOrgConfig = (): OrgConfig => ({
  stages: [...DEFAULT_STAGES],
  duplicateRules: [],
  cdcEntities: undefined,
  sessionTimeoutMs: 2 * HOUR,
  cdcRetentionMs: 72 * HOUR,
  metadataModifiedAt: 0,
});

export function createOrgState(
  orgId: string,
  dailyApiLimit: number,
  config: OrgConfig = defaultOrgConfig(),
): OrgState {
  const tables = new Map<string, ObjectTable>();
  for (const def of OBJECTS) {
    const schema = objectSchema(def.name)!;
    tables.set(def.name, {
      schema,
      byId: new Map(),
      unique: new Map(schema.uniqueFields.map((f) => [f.name, new Map()])),
    });
  }
  return {
    orgId,
    ids: createIdGenerator(),
    tables,
    tokens: new Map(),
    apiUsage: 0,
    dailyApiLimit,
    integrationUserId: '',
    adminUserId: '',
    cursors: new Map(),
    config,
    changeLog: createChangeLog(),
    bulkJobs: new Map(),
  };
}

/** Live ids holding this value of an indexed field. */
export function lookupUnique(table: ObjectTable, fieldName: string, value: unknown): string[] {
  const field = table.schema.byName.get(fieldName.toLowerCase());
  if (!field) return [];
  const ids = table.unique.get(field.name)?.get(uniqueKey(value, field.caseSensitive));
  return ids ? [...ids] : [];
}

/** The table of an object by any casing of its name. */
export function tableOf(state: OrgState, object: string): ObjectTable | undefined {
  const schema = objectSchema(object);
  return schema ? state.tables.get(schema.name) : undefined;
}

/** How a value is keyed in a unique index: case-insensitive unless the field says otherwise. */
export function uniqueKey(value: unknown, caseSensitive: boolean | undefined): string {
  const s = String(value);
  return caseSensitive ? s : s.toLowerCase();
}

export function indexRecord(table: ObjectTable, record: StoredRecord): void {
  if (record.fields['IsDeleted'] === true) return;
  for (const field of table.schema.uniqueFields) {
    const value = record.fields[field.name];
    if (value === null || value === undefined || value === '') continue;
    const index = table.unique.get(field.name)!;
    const key = uniqueKey(value, field.caseSensitive);
    let ids = index.get(key);
    if (!ids) {
      ids = new Set();
      index.set(key, ids);
    }
    ids.add(record.fields['Id'] as string);
  }
}

export function unindexRecord(table: ObjectTable, record: StoredRecord): void {
  for (const field of table.schema.uniqueFields) {
    const value = record.fields[field.name];
    if (value === null || value === undefined || value === '') continue;
    const index = table.unique.get(field.name)!;
    const key = uniqueKey(value, field.caseSensitive);
    const ids = index.get(key);
    if (!ids) continue;
    ids.delete(record.fields['Id'] as string);
    if (ids.size === 0) index.delete(key);
  }
}

/** Replaces a record (or inserts it) keeping indexes right; returns an undo step for all-or-none batches. */
export function putRecord(table: ObjectTable, next: StoredRecord): () => void {
  const id = next.fields['Id'] as string;
  const previous = table.byId.get(id);
  if (previous) unindexRecord(table, previous);
  table.byId.set(id, next);
  indexRecord(table, next);
  return () => {
    unindexRecord(table, next);
    if (previous) {
      table.byId.set(id, previous);
      indexRecord(table, previous);
    } else {
      table.byId.delete(id);
    }
  };
}
