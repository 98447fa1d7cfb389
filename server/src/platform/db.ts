import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import * as schema from '../schema.ts';
import { tableUpkeepSettled, upkeepVacuums } from './table-upkeep.ts';

export type Schema = typeof schema;
/** A Drizzle handle: the database or a transaction on it (a transaction is a database too). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type Database = {
  kind: 'embedded' | 'server';
  db: Db;
  /** the embedded engine, when embedded */
  pglite?: PGlite;
  /** the connection pool, on a server */
  pool?: pg.Pool;
  close(): Promise<void>;
};

export const migrationsFolder = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../migrations',
);

// JSON numbers beyond 2^53 must never pass through here: bigint columns come back as strings.
pg.types.setTypeParser(20, (v) => v);

export async function openDatabase(opts: {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
}): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 20 });
    pool.on('error', () => {
      // an idle client lost its connection; the pool replaces it on the next checkout
    });
    const db = drizzleNodePg(pool, { schema }) as unknown as Db;
    // a statistics refresh in flight finishes first (it would fail on a closed pool)
    const close = async () => {
      await tableUpkeepSettled(db);
      await pool.end();
    };
    return { kind: 'server', db, pool, close };
  }
  const dataDir = opts.dataDir ?? 'memory://';
  if (!dataDir.startsWith('memory://')) fs.mkdirSync(dataDir, { recursive: true });
  const pglite = await PGlite.create(dataDir, { extensions: { citext, pg_trgm } });
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  // PGlite runs no autovacuum: the app's table upkeep vacuums for it (ADR 0009)
  upkeepVacuums(db);
  const close = async () => {
    await tableUpkeepSettled(db);
    await pglite.close();
  };
  return { kind: 'embedded', db, pglite, close };
}

const MIGRATION_LOCK = 724_210_001;

/** Applies committed migrations once, even when several processes start at the same moment. */
export async function runMigrations(database: Database): Promise<void> {
  if (database.pglite) {
    const pgl = database.pglite;
    await migratePglite(drizzlePglite(pgl, { schema }), { migrationsFolder });
    return;
  }
  const pool = database.pool!;
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** How many committed migrations are not applied yet (0 means the schema is current). */
export async function pendingMigrations(db: Db): Promise<number> {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
    entries: unknown[];
  };
  const applied = await rows<{ n: string | number }>(
    db,
    sql`SELECT count(*) AS n FROM drizzle.__drizzle_migrations`,
  ).catch(() => [{ n: 0 }]);
  return journal.entries.length - Number(applied[0]?.n ?? 0);
}

/** Runs raw SQL and returns its rows, the same on both drivers. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * Runs fn in a transaction scoped to one workspace: row-level security policies then admit
 * only that workspace's rows, a second lock behind the workspace_id in every query.
 */
export async function inWorkspace<T>(db: Db, workspaceId: string, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`SELECT set_config('app.workspace_id', ${workspaceId}, true), set_config('role', 'patron_app', true)`,
    );
    return fn(tx as unknown as Db);
  });
}
