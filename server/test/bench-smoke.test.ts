// The generator's load into a real database and the benchmark runner, at a tiny scale. Nothing here
// is about speed: it proves the bench still runs and the seeded store is one the app can open.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedRefused, seedStore } from '../../bench/generator/load.ts';
import { TABLES } from '../../bench/generator/store.ts';
import { ALL_SCENARIOS, BenchUsageError, parseRunArgs, runBench } from '../../bench/run.ts';
import { rows } from '../src/platform/db.ts';
import { patronBin, repoRoot, run } from './fixtures/processes.ts';
import { onServer, startTestApp, type TestApp } from './harness.ts';

/** The databases a bench run creates next to the server's (it drops its own when done). */
async function benchDatabases(): Promise<string[]> {
  if (!onServer) return [];
  const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  try {
    const r = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'patron_bench_%' ORDER BY 1",
    );
    return r.rows.map((x) => x.datname);
  } finally {
    await c.end();
  }
}

const asOf = new Date('2026-06-01T00:00:00Z');
const tables = Object.keys(TABLES);

async function countsByWorkspace(t: TestApp): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const table of tables) {
    const r = await rows<{ ws: string; n: number }>(
      t.database.db,
      sql.raw(`SELECT workspace_id AS ws, count(*)::int AS n FROM ${table} GROUP BY 1`),
    );
    for (const x of r) {
      out[x.ws] = { ...out[x.ws], [table]: x.n };
    }
  }
  return out;
}

describe('patron seed into a database', () => {
  let t: TestApp;
  let first: Awaited<ReturnType<typeof seedStore>>;
  beforeAll(async () => {
    t = await startTestApp();
    first = await seedStore(t.database, t.rt.config.databaseUrl, {
      seed: 3,
      customers: 300,
      asOf,
      years: 1,
      name: 'Seeded',
      addWorkspace: false,
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('loads every table and derives metrics the way the app computes them', async () => {
    const counts = await countsByWorkspace(t);
    expect(counts[first.workspaceId]).toMatchObject(first.counts);
    expect(first.counts.customers).toBe(300);
    expect(first.counts.orders).toBeGreaterThan(1000);
    // net spend = orders (not cancelled) less their refunds, for every customer
    const [mismatch] = await rows<{ n: number; buyers: number }>(
      t.database.db,
      sql`SELECT count(*) FILTER (WHERE c.total_spent_minor <> coalesce(o.net, 0) OR c.orders_count <> coalesce(o.n, 0))::int AS n,
                 count(*) FILTER (WHERE c.orders_count > 0)::int AS buyers
            FROM customers c
            LEFT JOIN (SELECT customer_id, count(*) AS n, sum(total_minor - refunded_minor) AS net FROM orders
                        WHERE workspace_id = ${first.workspaceId} AND status <> 'cancelled' GROUP BY 1) o ON o.customer_id = c.id
           WHERE c.workspace_id = ${first.workspaceId}`,
    );
    expect(mismatch?.buyers).toBeGreaterThan(200);
    expect(mismatch?.n).toBe(0);
  });

  it('is a store the app opens: the owner signs in and lists the richest customers', async () => {
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: first.ownerEmail, password: first.ownerPassword },
    });
    expect(signIn.statusCode).toBe(200);
    const cookie = String(signIn.headers['set-cookie']).split(';')[0]!;
    const res = await t.app.inject({ url: '/api/v1/customers?limit=5&minOrders=10', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const page = res.json() as { data: { ordersCount: number; totalSpentMinor: number; email: string }[] };
    expect(page.data).toHaveLength(5);
    for (const c of page.data) {
      expect(c.ordersCount).toBeGreaterThanOrEqual(10);
      expect(c.totalSpentMinor).toBeGreaterThan(0);
    }
  });

  it('refuses a database in use, changing nothing; with --workspace-new it adds a workspace and leaves the others alone', async () => {
    const before = await countsByWorkspace(t);
    await expect(
      seedStore(t.database, t.rt.config.databaseUrl, {
        seed: 4,
        customers: 50,
        asOf,
        years: 1,
        name: 'Again',
        addWorkspace: false,
      }),
    ).rejects.toThrow(SeedRefused);
    expect(await countsByWorkspace(t)).toEqual(before);
    const second = await seedStore(t.database, t.rt.config.databaseUrl, {
      seed: 3,
      customers: 60,
      asOf,
      years: 1,
      name: 'Another',
      addWorkspace: true,
    });
    const after = await countsByWorkspace(t);
    expect(after[first.workspaceId]).toEqual(before[first.workspaceId]);
    expect(after[second.workspaceId]).toMatchObject(second.counts);
    expect(second.ownerEmail).not.toBe(first.ownerEmail);
  }, 60_000);
});

describe('bench runner', () => {
  it('runs every scenario at a tiny scale and writes the results file', async () => {
    const before = await benchDatabases();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'patron-bench-')), 'results.json');
    const report = await runBench({
      ...parseRunArgs(['--db', onServer ? process.env.TEST_DATABASE_URL! : 'embedded', '--customers', '150']),
      orders: 200,
      budget: 0.2,
      json: file,
      log: () => {},
    });
    const names = report.results.map((r) => r.name);
    expect(names).toContain('ceiling.http_hello');
    for (const n of [
      'ingestion.orders_api',
      'ingestion.orders_bare',
      'customer.360.api',
      'customer.search.sql',
      'customer.list.service',
      'segment.count.api',
      'segment.count.others.api',
      'segment.upkeep',
      'rfm.recompute',
    ])
      expect(names).toContain(n);
    for (const r of report.results) {
      expect(Number.isFinite(r.value) && r.value > 0, r.name).toBe(true);
      if (r.baseline !== null) expect(r.ratio, r.name).toBeGreaterThan(0);
    }
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(written.customers).toBe(150);
    for (const r of written.results)
      expect(Object.keys(r)).toEqual(
        expect.arrayContaining(['name', 'unit', 'value', 'p50', 'p95', 'p99', 'baseline', 'ratio']),
      );
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    if (onServer) expect(await benchDatabases()).toEqual(before);
  }, 180_000);

  it('refuses an unknown scenario and an unreachable database with a clear message', async () => {
    expect(() => parseRunArgs(['--scenario', 'customer.nope', '--db', 'embedded'])).toThrow(
      /Unknown scenario "customer.nope"/,
    );
    expect(() => parseRunArgs(['--scenario', ALL_SCENARIOS[0]!.name])).toThrow(BenchUsageError);
    await expect(
      runBench({
        ...parseRunArgs(['--use-existing', 'postgres://postgres@127.0.0.1:1/none']),
        log: () => {},
      }),
    ).rejects.toThrow(/Cannot reach the database/);
    const cli = await run(
      [
        path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'),
        'bench/run.ts',
        '--scenario',
        'nope',
        '--db',
        'embedded',
      ],
      {},
    );
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/bench: Unknown scenario "nope"/);
    const seed = await run([patronBin, 'seed', '--scale', '1', '--customers', '5'], {
      DATABASE_URL: undefined,
    });
    expect(seed.code).toBe(2);
    expect(seed.stderr).toMatch(/exactly one of --demo, --scale, --customers/);
  }, 60_000);
});
