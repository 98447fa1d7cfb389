import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type DatabaseKind,
  databaseKinds,
  openTestDatabase,
  silentLog,
  type TestDatabase,
} from '../../test/fixtures/databases.ts';
import { type Db, rows } from './db.ts';
import {
  analyzeDueTables,
  nudgeTableUpkeep,
  TABLE_UPKEEP_INTERVAL_MS,
  tableUpkeepSettled,
  vacuumDueTables,
} from './table-upkeep.ts';

describe.each(databaseKinds)('planner statistics upkeep (%s database)', (kind: DatabaseKind) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    db = t.database.db;
    // whatever the migrations left due is analyzed first, so each test sees only its own tables
    await analyzeDueTables(db);
  });
  afterAll(() => t?.close());

  // a table shaped like the workspace tables: a key (workspace, id) and another index led by workspace
  const table = async (name: string, n: number) => {
    await db.execute(
      sql.raw(`CREATE TABLE ${name} (ws uuid NOT NULL, id uuid NOT NULL, city text, PRIMARY KEY (ws, id))`),
    );
    await db.execute(sql.raw(`CREATE INDEX ${name}_city ON ${name} (ws, city)`));
    if (n > 0)
      await db.execute(
        sql.raw(`INSERT INTO ${name} SELECT '00000000-0000-7000-8000-000000000001', gen_random_uuid(), 'c' || (g % 7)
                   FROM generate_series(1, ${n}) g`),
      );
  };
  const tuples = async (name: string) =>
    Number(
      (
        await rows<{ n: number }>(
          db,
          sql`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = ${name}`,
        )
      )[0]!.n,
    );

  it('analyzes a table that has rows and was never analyzed, once, and leaves an empty one alone', async () => {
    await table('stats_filled', 2000);
    await table('stats_empty', 0);
    expect(await tuples('stats_filled')).toBeLessThan(0); // never analyzed
    const first = await analyzeDueTables(db);
    expect(first).toContain('public.stats_filled');
    expect(first).not.toContain('public.stats_empty');
    expect(await tuples('stats_filled')).toBe(2000);
    expect(await analyzeDueTables(db)).not.toContain('public.stats_filled');
  });

  const ws = '00000000-0000-7000-8000-0000000000aa';
  const probePlan = () =>
    db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL plan_cache_mode = force_generic_plan`);
      await tx.execute(
        sql`PREPARE key_check(uuid, uuid) AS SELECT 1 FROM ONLY customers x WHERE workspace_id = $1 AND id = $2 FOR KEY SHARE OF x`,
      );
      const r = await rows<{ 'QUERY PLAN': string }>(
        tx as unknown as Db,
        sql.raw(`EXPLAIN EXECUTE key_check('${ws}', '00000000-0000-7000-8000-000000000002')`),
      );
      await tx.execute(sql`DEALLOCATE key_check`);
      return r.map((x) => x['QUERY PLAN']).join('\n');
    });

  it("then checks a key against a workspace's customers by their primary key, not by another index", async () => {
    // what a foreign key to customers runs for every identity, search term and timeline item written;
    // planned from statistics that call the table empty, it walked every customer of the workspace
    await db.execute(sql`INSERT INTO workspaces (id, name, slug) VALUES (${ws}, 'Stats', 'stats-upkeep')`);
    await db.transaction(async (tx) => {
      await tx.execute(
        sql`INSERT INTO customers (workspace_id, id, email)
            SELECT ${ws}, gen_random_uuid(), 'c' || g || '@example.com' FROM generate_series(1, 3000) g`,
      );
      // the row counts reach the statistics collector when this transaction ends, not a second later
      await tx.execute(sql`SELECT pg_stat_force_next_flush()`);
    });
    // statistics that say the table is empty while it is not (taken while its rows were being
    // replaced, as autovacuum may): the size the planner reads is not rolled back with the delete
    await db
      .transaction(async (tx) => {
        await tx.execute(sql`DELETE FROM customers WHERE workspace_id = ${ws}`);
        await tx.execute(sql`ANALYZE customers`);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await probePlan()).not.toContain('customers_workspace_id_id_pk');
    await vi.waitFor(async () => expect(await analyzeDueTables(db)).toContain('public.customers'), {
      timeout: 15_000,
      interval: 200,
    });
    expect(await probePlan()).toContain('customers_workspace_id_id_pk');
  });

  it('after a write looks at once, and a write soon after is looked at when the interval is over', async () => {
    await table('stats_nudged', 500);
    nudgeTableUpkeep(db, silentLog);
    await tableUpkeepSettled(db);
    expect(await tuples('stats_nudged')).toBe(500);

    await table('stats_later', 500);
    nudgeTableUpkeep(db, silentLog); // within the interval: not now
    expect(await tuples('stats_later')).toBeLessThan(0);
    await vi.waitFor(async () => expect(await tuples('stats_later')).toBe(500), {
      timeout: TABLE_UPKEEP_INTERVAL_MS * 5,
      interval: 100,
    });
  });
  it('vacuums a table of deleted rows, and on the embedded database does so by itself after a write', async () => {
    await table('stats_queue', 5000);
    await db.transaction(async (tx) => {
      await tx.execute(sql`DELETE FROM stats_queue`);
      await tx.execute(sql`SELECT pg_stat_force_next_flush()`);
    });
    const size = async () =>
      Number((await rows<{ n: number }>(db, sql`SELECT pg_relation_size('stats_queue')::float8 AS n`))[0]!.n);
    expect(await size()).toBeGreaterThan(0);
    if (kind === 'embedded') {
      // no autovacuum there: the upkeep after a write is what gives the space back
      await new Promise((r) => setTimeout(r, TABLE_UPKEEP_INTERVAL_MS));
      nudgeTableUpkeep(db, silentLog);
      await vi.waitFor(async () => expect(await size()).toBe(0), { timeout: 15_000, interval: 200 });
    } else {
      // a server has autovacuum: the upkeep leaves vacuuming to it, and the function still works
      await vi.waitFor(async () => expect(await vacuumDueTables(db)).toContain('public.stats_queue'), {
        timeout: 15_000,
        interval: 200,
      });
      expect(await size()).toBe(0);
    }
    expect(await vacuumDueTables(db)).not.toContain('public.stats_queue'); // once a minute at most
  });
});
