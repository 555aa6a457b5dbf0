/**
 * `UserSource` over Auth0: a users-export job (`POST /api/v2/jobs/users-exports`, poll `GET /api/v2/jobs/{id}`,
 * download the gzipped NDJSON from `location`, decompress and parse line by line), or, when the M2M app may not
 * run export jobs, the paged `GET /api/v2/users` listing (which Auth0 stops at 1,000 users).
 *
 * Memory stays bounded: the file is streamed to a temporary file, then through gunzip and readline, one user
 * at a time.
 */
import { createManagementSession } from './session.js';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import { z } from 'zod';
import type { UserListing, UserSource } from '../../core/backfill-ports.js';
import { ConcordError } from '../../core/errors.js';
import type { Auth0User } from '../../core/ports.js';
import type { Auth0ConnectorOptions } from './connector.js';
import { encodeId } from './management-client.js';
import { auth0UserSchema } from './schemas.js';

/** The fields exported by default: the profile the templates map, and both metadata objects. */
export const DEFAULT_EXPORT_FIELDS = [
  'user_id',
  'email',
  'email_verified',
  'name',
  'given_name',
  'family_name',
  'nickname',
  'phone_number',
  'created_at',
  'updated_at',
  'last_login',
  'logins_count',
  'blocked',
  'user_metadata',
  'app_metadata',
] as const;

export interface Auth0UserSourceOptions extends Auth0ConnectorOptions {
  /** Export fields (dotted paths such as `user_metadata.company` allowed). Default `DEFAULT_EXPORT_FIELDS`. */
  fields?: readonly string[];
  /** `export` only, `list` only, or `auto`: export, falling back to the listing when not permitted. */
  mode?: 'auto' | 'export' | 'list';
  /** First wait between job status reads; grows ×1.5 up to 10 s. Default 500 ms. */
  pollIntervalMs?: number;
  /** Runs one Management API call inside the tenant's rate budget. */
  guard?: <T>(call: () => Promise<T>) => Promise<T>;
  /** Called when the export is not permitted and the listing is used instead (the reason, no PII). */
  onFallback?: (reason: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

const jobSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  location: z.string().optional(),
});
const userPageSchema = z.looseObject({ users: z.array(auth0UserSchema), total: z.number().optional() });

const PAGE_SIZE = 100;
/** Auth0 answers at most 1,000 users through paging (reference §2, constraint 9). */
const LISTING_CAP = 1000;

/** Export lines name dotted fields flatly (`"user_metadata.company": …`): nest them as the API would. */
export function nestDottedKeys(line: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(line)) {
    const path = key.split('.');
    let target = out;
    for (const part of path.slice(0, -1)) {
      const next = target[part];
      if (next && typeof next === 'object') target = next as Record<string, unknown>;
      else {
        const created: Record<string, unknown> = {};
        target[part] = created;
        target = created;
      }
    }
    target[path[path.length - 1]!] = value;
  }
  return out;
}

export function createAuth0UserSource(options: Auth0UserSourceOptions): UserSource {
  const session = createManagementSession({ ...options, timeoutMs: options.timeoutMs ?? 30_000 });
  const { client } = session;
  const fetchImpl = session.fetch;
  const guard = options.guard ?? (<T>(call: () => Promise<T>) => call());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const fields = options.fields ?? DEFAULT_EXPORT_FIELDS;

  const getJob = (id: string) =>
    guard(() =>
      client.call({
        method: 'GET',
        path: `/jobs/${encodeId(id)}`,
        operation: 'GET /api/v2/jobs/{id}',
        schema: jobSchema,
        absentWhen: (status) => status === 404,
      }),
    );

  async function startExport(): Promise<string> {
    const job = await guard(() =>
      client.call({
        method: 'POST',
        path: '/jobs/users-exports',
        operation: 'POST /api/v2/jobs/users-exports',
        body: { format: 'json', fields: fields.map((name) => ({ name })) },
        schema: jobSchema,
      }),
    );
    return job!.id;
  }

  async function waitForLocation(id: string): Promise<string | undefined> {
    let wait = options.pollIntervalMs ?? 500;
    for (;;) {
      const job = await getJob(id);
      if (!job || job.status === 'failed' || job.status === 'expired') return undefined;
      if (job.status === 'completed' && job.location) return job.location;
      await sleep(wait);
      wait = Math.min(10_000, Math.ceil(wait * 1.5));
    }
  }

  /**
   * Downloads the file to a temporary file first: reading the stream only as fast as Bulk jobs finish would
   * hold the download open for minutes (and storage URLs drop slow readers); the disk copy is then read at
   * our pace through gunzip and readline. The file is removed as soon as it is open for reading, so a backfill
   * stopped while it works through the rows (even by SIGKILL) leaves no copy of the users behind.
   */
  async function* exportedUsers(location: string): AsyncGenerator<Auth0User> {
    let dir: string | undefined = await mkdtemp(join(tmpdir(), 'concord-export-'));
    const file = join(dir, 'users.ndjson.gz');
    const removeFile = async () => {
      const d = dir;
      dir = undefined;
      if (d) await rm(d, { recursive: true, force: true });
    };
    let stop = () => {};
    try {
      // `location` is a pre-signed storage URL: no Management API token goes with it.
      const response = await fetchImpl(location).catch((cause: unknown) => {
        throw new ConcordError('Auth0 export file could not be downloaded', { code: 'unavailable', cause });
      });
      if (!response.ok || !response.body) {
        throw new ConcordError(`Auth0 export file could not be downloaded: HTTP ${response.status}`, {
          code: response.status >= 500 ? 'unavailable' : 'invalid_request',
          status: response.status,
        });
      }
      await pipeline(Readable.fromWeb(response.body as WebReadableStream), createWriteStream(file));
      const handle = await open(file);
      await removeFile();
      const gunzip = createGunzip();
      stop = () => gunzip.destroy(); // a reader that stops early: close the file now, not at garbage collection
      const reading = pipeline(handle.createReadStream(), gunzip);
      reading.catch(() => undefined); // awaited below; a corrupt file surfaces there, not as an unhandled rejection
      const lines = createInterface({ input: gunzip, crlfDelay: Number.POSITIVE_INFINITY });
      let number = 0;
      for await (const line of lines) {
        number += 1;
        if (line.trim() === '') continue;
        const parsed = auth0UserSchema.safeParse(nestDottedKeys(JSON.parse(line) as Record<string, unknown>));
        if (!parsed.success) {
          throw new ConcordError(`Auth0 export line ${number} is not a user (no user_id?)`, {
            code: 'internal',
            retryable: false,
          });
        }
        yield parsed.data as Auth0User;
      }
      await reading;
    } finally {
      stop();
      await removeFile();
    }
  }

  async function* listedUsers(): AsyncGenerator<Auth0User> {
    for (let page = 0; page * PAGE_SIZE < LISTING_CAP; page += 1) {
      const body = await guard(() =>
        client.call({
          method: 'GET',
          path: '/users',
          operation: 'GET /api/v2/users',
          query: {
            page: String(page),
            per_page: String(PAGE_SIZE),
            include_totals: 'true',
            sort: 'created_at:1',
          },
          schema: userPageSchema,
        }),
      );
      const users = body?.users ?? [];
      for (const user of users) yield user as Auth0User;
      if (users.length < PAGE_SIZE) return;
    }
    options.onFallback?.(`the paged listing stops at ${LISTING_CAP} users; grant the export job to load all`);
  }

  async function openExport(resume: string | undefined): Promise<UserListing> {
    const previous = resume?.startsWith('export:') ? resume.slice('export:'.length) : undefined;
    if (previous) {
      const location = await waitForLocation(previous);
      if (location) return { snapshot: resume!, users: exportedUsers(location) };
    }
    const id = await startExport();
    const location = await waitForLocation(id);
    if (!location) {
      throw new ConcordError(`Auth0 users-export job ${id} did not complete`, {
        code: 'unavailable',
      });
    }
    return { snapshot: `export:${id}`, users: exportedUsers(location) };
  }

  return {
    async open(resume) {
      const mode = options.mode ?? 'auto';
      if (mode === 'list') return { snapshot: 'list', users: listedUsers() };
      try {
        return await openExport(resume);
      } catch (error) {
        const denied = error instanceof ConcordError && ['permission', 'not_found'].includes(error.code);
        if (mode === 'export' || !denied) throw error;
        options.onFallback?.(`users-export job not permitted (${error.message}); using the paged listing`);
        return { snapshot: 'list', users: listedUsers() };
      }
    },
  };
}
