// The count index's upkeep: rebuilt (without blocking writes) once it has grown by half per entry,
// left alone otherwise; still the index counts walk afterwards.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onServer, startTestApp, type TestApp } from '../../../test/harness.ts';
import { rows } from '../../platform/db.ts';
import { allJobs } from '../../runtime.ts';
import { createWorkspaceWithOwner } from '../onboarding/onboarding.service.ts';
import { COUNT_INDEX, countIndexUpkeep } from './count-index.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const indexBytes = async () =>
  Number(
    (
      await rows<{ b: string }>(
        t.database.db,
        sql`SELECT pg_relation_size(${COUNT_INDEX}::regclass)::text AS b`,
      )
    )[0]!.b,
  );

describe('the count index upkeep', () => {
  it('is a daily job of every worker', () => {
    const job = allJobs(t.rt).find((j) => j.name === 'segments.count-index-upkeep');
    expect(job?.schedule).toBe('37 3 * * *');
    expect(job?.longRunning).toBeTypeOf('function');
  });

  it.skipIf(!onServer)('rebuilds the index once it has grown by half per entry, and only then', async () => {
    const db = t.database.db;
    const { workspaceId: ws } = await createWorkspaceWithOwner(db, {
      name: 'Index',
      ownerEmail: `o-${randomUUID()}@example.com`,
      ownerPassword: 'correct horse battery',
    });
    await db.execute(sql`INSERT INTO customers (workspace_id, id, country, orders_count, total_spent_minor, last_order_at)
      SELECT ${ws}, gen_random_uuid(), 'US', 1, 1000, now() - g * interval '1 minute' FROM generate_series(1, 5000) g`);
    // the first run has no baseline: it rebuilds and records one
    const first = await countIndexUpkeep(db);
    expect(first).toMatchObject({ rebuilt: true, baseline: null });
    const compact = await indexBytes();
    // nothing changed: left alone
    expect(await countIndexUpkeep(db)).toMatchObject({ rebuilt: false, baseline: first.after });
    // every customer orders again three times (as a bulk load rewrites them): new keys, old entries dead
    for (let i = 1; i <= 3; i++)
      await db.execute(sql`UPDATE customers SET last_order_at = last_order_at + ${i} * interval '1 day',
                                orders_count = orders_count + 1 WHERE workspace_id = ${ws}`);
    await db.execute(sql`VACUUM customers`);
    const bloated = await indexBytes();
    expect(bloated).toBeGreaterThan(compact * 1.5);
    const rebuilt = await countIndexUpkeep(db);
    expect(rebuilt.rebuilt).toBe(true);
    expect(rebuilt.before).toBeGreaterThanOrEqual(first.after * 1.5);
    expect(await indexBytes()).toBeLessThan(bloated / 1.5);
    // the index is valid, alone (no copy left behind) and still the one a windowed count walks
    const copies = await rows<{ name: string; valid: boolean }>(
      db,
      sql`SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE c.relname LIKE ${`${COUNT_INDEX}%`}`,
    );
    expect(copies).toEqual([{ name: COUNT_INDEX, valid: true }]);
    const plan = await db.transaction(async (tx) => {
      await tx.execute(
        sql`SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`,
      );
      const lines = await rows<{ 'QUERY PLAN': string }>(
        tx as never,
        sql`EXPLAIN SELECT count(*) FROM customers
             WHERE workspace_id = ${ws} AND merged_into IS NULL AND deleted_at IS NULL AND last_order_at >= now()`,
      );
      return lines.map((l) => l['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Only Scan using customers_last_order_idx/);
  });

  it.skipIf(!onServer)('drops the invalid copy an interrupted rebuild left, then rebuilds', async () => {
    const db = t.database.db;
    // what a REINDEX CONCURRENTLY cut short leaves: an invalid index named <index>_ccnew
    await db.execute(sql.raw(`CREATE INDEX ${COUNT_INDEX}_ccnew ON customers (workspace_id)`));
    await db.execute(
      sql.raw(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = '${COUNT_INDEX}_ccnew'::regclass`),
    );
    await db.execute(sql`DELETE FROM index_rebuilds WHERE index_name = ${COUNT_INDEX}`);
    expect((await countIndexUpkeep(db)).rebuilt).toBe(true);
    const left = await rows<{ name: string }>(
      db,
      sql`SELECT relname AS name FROM pg_class WHERE relname LIKE ${`${COUNT_INDEX}_ccnew%`}`,
    );
    expect(left).toEqual([]);
  });
});
