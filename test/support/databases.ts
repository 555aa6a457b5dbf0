import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { type Db, openDatabase, type StoreOptions } from '../../src/store/index.js';

export interface TestDialect {
  name: 'sqlite' | 'postgres';
  /** A skip reason when this dialect cannot run here. */
  skip: string | false;
}

const postgresUrl = process.env.CONCORD_TEST_POSTGRES_URL;

/** Both store dialects; PostgreSQL runs when CONCORD_TEST_POSTGRES_URL points at a server (`.ci/run` starts one). */
export const DIALECTS: TestDialect[] = [
  { name: 'sqlite', skip: false },
  {
    name: 'postgres',
    skip: postgresUrl
      ? false
      : 'PostgreSQL tests skipped: set CONCORD_TEST_POSTGRES_URL (eval "$(scripts/start-test-postgres.sh)")',
  },
];

/** A brand-new database for one test, and how to throw it away. */
export async function freshDatabase(
  dialect: TestDialect['name'],
): Promise<{ options: StoreOptions; cleanup(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'concord-test-'));
    return {
      options: { driver: 'sqlite', path: join(dir, 'concord.db') },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!postgresUrl) throw new Error('CONCORD_TEST_POSTGRES_URL is not set');
  const name = `concord_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    options: { driver: 'postgres', url: url.toString(), poolSize: 4 },
    cleanup: async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * For a suite: opens a brand-new store of this dialect before its tests (handing it to `use`) and closes and
 * throws it away after them.
 */
export function useFreshStore(
  dialect: TestDialect['name'],
  use: (store: { db: Db; options: StoreOptions }) => void,
) {
  let db: Db | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  before(async () => {
    const fresh = await freshDatabase(dialect);
    cleanup = fresh.cleanup;
    db = await openDatabase(fresh.options);
    use({ db, options: fresh.options });
  });
  after(async () => {
    await db?.close();
    await cleanup?.();
  });
}
