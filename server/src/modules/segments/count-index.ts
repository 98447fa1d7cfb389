// The upkeep of the covering index that segment counts walk (customers_last_order_idx). Its entries
// are keyed by the last order's time: a customer who orders again leaves a gap behind, and a bulk
// load that rewrites every customer (a store's history imported, a backfill) leaves most pages half
// empty. A count walks every page of its range, so it slows down with the index (at a million
// customers: 1,201 MB as a load left it, 311 MB rebuilt; the 3-rule count 327 ms p95, 265–300 ms
// rebuilt). A daily job rebuilds it — REINDEX CONCURRENTLY, so writes go on — once its bytes per
// entry have grown by half since the last rebuild.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, rows } from '../../platform/db.ts';
import type { JobDef } from '../../platform/jobs.ts';
import type { Runtime } from '../../platform/runtime.ts';

export const COUNT_INDEX = 'customers_last_order_idx';
/** Rebuild when the bytes per entry reach this multiple of what they were after the last rebuild. */
export const REBUILD_GROWTH = 1.5;

export type IndexUpkeep = {
  rebuilt: boolean;
  /** bytes per live entry before any rebuild, and after it */
  before: number;
  after: number;
  /** bytes per entry recorded at the previous rebuild (null: never rebuilt by the job) */
  baseline: number | null;
};

/** The index's size in bytes, and how many entries it holds (live customers only: its predicate). */
async function indexSize(db: Db): Promise<{ bytes: number; entries: number }> {
  const [r] = await rows<{ bytes: string; entries: string }>(
    db,
    sql`SELECT pg_relation_size(${COUNT_INDEX}::regclass)::text AS bytes,
               (SELECT count(*) FROM customers WHERE merged_into IS NULL AND deleted_at IS NULL)::text AS entries`,
  );
  return { bytes: Number(r!.bytes), entries: Math.max(1, Number(r!.entries)) };
}

/**
 * Rebuilds the count index if it has grown by REBUILD_GROWTH per entry since its last rebuild (or was
 * never rebuilt by this job), and records its new size. A server database only: REINDEX CONCURRENTLY
 * runs outside any transaction, and an interrupted one leaves an invalid copy, dropped first.
 */
export async function countIndexUpkeep(db: Db, log?: Logger): Promise<IndexUpkeep> {
  const { bytes, entries } = await indexSize(db);
  const before = bytes / entries;
  const [last] = await rows<{ b: number }>(
    db,
    sql`SELECT bytes_per_entry AS b FROM index_rebuilds WHERE index_name = ${COUNT_INDEX}`,
  );
  const baseline = last ? Number(last.b) : null;
  if (baseline !== null && before < baseline * REBUILD_GROWTH)
    return { rebuilt: false, before, after: before, baseline };
  const leftovers = await rows<{ name: string }>(
    db,
    sql`SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE NOT i.indisvalid AND c.relname LIKE ${`${COUNT_INDEX}_ccnew%`}`,
  );
  for (const { name } of leftovers)
    await db.execute(sql`DROP INDEX CONCURRENTLY IF EXISTS ${sql.identifier(name)}`);
  const t = performance.now();
  await db.execute(sql`REINDEX INDEX CONCURRENTLY ${sql.identifier(COUNT_INDEX)}`);
  // the rebuild changes the size, not the entries (the few written meanwhile do not matter)
  const [size] = await rows<{ bytes: string }>(
    db,
    sql`SELECT pg_relation_size(${COUNT_INDEX}::regclass)::text AS bytes`,
  );
  const after = Number(size!.bytes) / entries;
  await db.execute(
    sql`INSERT INTO index_rebuilds (index_name, bytes_per_entry, rebuilt_at) VALUES (${COUNT_INDEX}, ${after}, now())
        ON CONFLICT (index_name) DO UPDATE SET bytes_per_entry = excluded.bytes_per_entry, rebuilt_at = excluded.rebuilt_at`,
  );
  log?.info(
    { index: COUNT_INDEX, before, after, baseline, ms: Math.round(performance.now() - t) },
    'count index rebuilt',
  );
  return { rebuilt: true, before, after, baseline };
}

/** Daily at 03:37 UTC, once across all workers; on the embedded database (one small store) nothing. */
export const countIndexJobs = (rt: Pick<Runtime, 'database' | 'log'>): JobDef[] => [
  {
    name: 'segments.count-index-upkeep',
    schedule: '37 3 * * *',
    longRunning: async (db) => {
      if (rt.database.kind === 'server') await countIndexUpkeep(db, rt.log);
    },
  },
];
