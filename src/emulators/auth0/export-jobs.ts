import { gzipSync } from 'node:zlib';
import type { Auth0User } from '../../core/ports.js';
import { badRequest, notFound } from './api-error.js';
import { randomAlphanumeric } from './ids.js';
import { type EmulatorState, isoNow } from './state.js';

export interface ExportField {
  name: string;
  export_as?: string;
}

export interface ExportJob {
  id: string;
  type: 'users_export';
  format: 'json' | 'csv';
  connection_id?: string;
  connection?: string;
  limit?: number;
  fields?: ExportField[];
  created_at: string;
  readyAt: number;
  /** Gzipped file, built from the users at creation time. */
  file: Buffer;
}

export interface ExportJobInput {
  connection_id?: string;
  format?: 'json' | 'csv';
  limit?: number;
  fields?: ExportField[];
}

/** Fields exported when the job names none. */
const DEFAULT_FIELDS = [
  'user_id',
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'created_at',
  'updated_at',
  'last_login',
  'logins_count',
  'blocked',
];

function valueAt(user: Auth0User, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      user,
    );
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** JSON exports are NDJSON (one user per line); CSV has a header row of the `export_as` names. */
function render(users: Auth0User[], format: 'json' | 'csv', fields: ExportField[] | undefined): string {
  const columns: ExportField[] = fields ?? DEFAULT_FIELDS.map((name) => ({ name }));
  const rows = users.map((u) => columns.map((f) => [f.export_as ?? f.name, valueAt(u, f.name)] as const));
  if (format === 'json')
    return rows
      .map((row) => JSON.stringify(Object.fromEntries(row.filter(([, v]) => v !== undefined))))
      .join('\n')
      .concat(rows.length ? '\n' : '');
  const header = columns.map((f) => csvCell(f.export_as ?? f.name)).join(',');
  return [header, ...rows.map((row) => row.map(([, v]) => csvCell(v)).join(','))].join('\n').concat('\n');
}

/** `POST /api/v2/jobs/users-exports`: snapshots the users now; the file is ready after the job's duration. */
export function createExportJob(state: EmulatorState, input: ExportJobInput): ExportJob {
  const format = input.format ?? 'json';
  if (format !== 'json' && format !== 'csv')
    throw badRequest("Payload validation error: 'format' must be one of json, csv.");
  const connection = input.connection_id
    ? [...state.connectionIds].find(([, id]) => id === input.connection_id)?.[0]
    : undefined;
  if (input.connection_id && !connection)
    throw notFound('The connection does not exist.', 'inexistent_connection');
  let users = [...state.users.values()].filter(
    (u) => !connection || u.identities?.some((i) => i.connection === connection),
  );
  if (input.limit) users = users.slice(0, input.limit);
  const job: ExportJob = {
    id: `job_${randomAlphanumeric(16)}`,
    type: 'users_export',
    format,
    ...(input.connection_id ? { connection_id: input.connection_id, connection } : {}),
    ...(input.limit ? { limit: input.limit } : {}),
    ...(input.fields ? { fields: input.fields } : {}),
    created_at: isoNow(state),
    readyAt: state.now() + state.settings.exportJobDurationMs,
    file: gzipSync(render(users, format, input.fields)),
  };
  state.jobs.set(job.id, job);
  return job;
}

/** The job as `GET /api/v2/jobs/{id}` shows it; `location` appears once it is completed. */
export function jobView(state: EmulatorState, job: ExportJob, origin: string) {
  const { file: _file, readyAt, ...view } = job;
  const done = state.now() >= readyAt;
  return {
    ...view,
    status: done ? 'completed' : 'pending',
    ...(done ? { location: `${origin}/__emulator/exports/${job.id}/${state.tenant}.${job.format}.gz` } : {}),
  };
}

export function getJobOrThrow(state: EmulatorState, id: string): ExportJob {
  const job = state.jobs.get(id);
  if (!job) throw notFound('The job does not exist.', 'inexistent_job');
  return job;
}
