// The benchmark runner: `npm run bench -- [--scenario <name>…] [--scale <f> | --customers <n>] --db <url> [--json <file>]`
//
//   --db <url>             generate a store into a FRESH database created next to <url> (dropped afterwards
//                          unless --keep); --db embedded uses an in-memory embedded database
//   --use-existing <url>   bench an already seeded database (query scenarios only read; the ingestion
//                          scenario writes into a workspace of its own and deletes it). --workspace <slug>
//                          picks the store (default: the workspace with the most customers), --login
//                          <email>:<password> signs in for the HTTP variants.
//
// Every scenario is measured against its ceiling in the same run (the same SQL bare through the
// driver; an HTTP hello-world on the same Fastify stack), so results read as ratios.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/platform/config.ts';
import { type Database, openDatabase, pendingMigrations, rows } from '../server/src/platform/db.ts';
import { startJobs } from '../server/src/platform/jobs.ts';
import { createLogger } from '../server/src/platform/logger.ts';
import { seedStore } from './generator/load.ts';
import { SF1 } from './generator/store.ts';
import { type BenchContext, latencyResult, measureLatency, type Result, type Scenario } from './lib.ts';
import { scenarios as customerScenarios } from './scenarios/customers.ts';
import { scenarios as ingestionScenarios } from './scenarios/ingestion.ts';
import { scenarios as segmentScenarios } from './scenarios/segments.ts';

export const ALL_SCENARIOS: Scenario[] = [...ingestionScenarios, ...customerScenarios, ...segmentScenarios];

export class BenchUsageError extends Error {}

export type RunOptions = {
  scenarios: string[];
  db?: string;
  useExisting?: string;
  workspace?: string;
  login?: string;
  customers?: number;
  seed: number;
  keep: boolean;
  json?: string;
  orders?: number;
  budget: number;
  log: (line: string) => void;
};

export type RunReport = {
  date: string;
  scale: number;
  customers: number;
  database: string;
  machine: { cpus: number; cpu: string; memoryGiB: number; node: string; postgres: string | null };
  results: Result[];
  file: string;
};

const here = path.dirname(fileURLToPath(import.meta.url));

export function parseRunArgs(argv: string[]): Omit<RunOptions, 'log'> & { list: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      scale: { type: 'string' },
      customers: { type: 'string' },
      db: { type: 'string' },
      'use-existing': { type: 'string' },
      workspace: { type: 'string' },
      login: { type: 'string' },
      seed: { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'string' },
      orders: { type: 'string' },
      budget: { type: 'string' },
      list: { type: 'boolean' },
    },
    strict: true,
  });
  const names = values.scenario ?? ALL_SCENARIOS.map((s) => s.name);
  const unknown = names.filter((n) => !ALL_SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new BenchUsageError(
      `Unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')}. Scenarios: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}.`,
    );
  if (!values.list && !values.db === !values['use-existing'])
    throw new BenchUsageError(
      'Give --db <url> (a fresh database is created next to it; or --db embedded) or --use-existing <url> (an already seeded database).',
    );
  const positive = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new BenchUsageError(`--${name}: a positive number`);
    return n;
  };
  if (values.scale !== undefined && values.customers !== undefined)
    throw new BenchUsageError('Give --scale or --customers, not both.');
  const scale = positive('scale', values.scale);
  const customers =
    positive('customers', values.customers) ??
    (scale !== undefined ? Math.max(1, Math.round(scale * SF1.customers)) : undefined);
  if (values['use-existing'] && customers !== undefined)
    throw new BenchUsageError(
      '--use-existing benches the store that is there: --scale and --customers do not apply.',
    );
  if (values.login !== undefined && !/^[^:]+:.+$/.test(values.login))
    throw new BenchUsageError('--login: <email>:<password>');
  return {
    list: Boolean(values.list),
    scenarios: names,
    db: values.db,
    useExisting: values['use-existing'],
    workspace: values.workspace,
    login: values.login,
    customers,
    seed: Math.round(positive('seed', values.seed) ?? 42),
    keep: Boolean(values.keep),
    json: values.json,
    orders: positive('orders', values.orders),
    budget: positive('budget', values.budget) ?? 10,
  };
}

async function reachable(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (err) {
    throw new BenchUsageError(
      `Cannot reach the database ${new URL(url).host}${new URL(url).pathname}: ${(err as Error).message}`,
    );
  } finally {
    await c.end().catch(() => {});
  }
}

/** A fresh database next to the one named (never the one named), and a way to drop it. */
async function freshDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  await reachable(url);
  const name = `patron_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** The HTTP ceiling: a hello-world on the same Fastify stack, over loopback. */
async function helloCeiling(budget: number): Promise<Result> {
  const app = Fastify();
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const m = await measureLatency(async () => (await fetch(`${base}/hello`)).json(), {
      warmup: 50,
      iterations: 2000,
      seconds: budget,
    });
    return latencyResult(
      'ceiling.http_hello',
      m,
      null,
      undefined,
      'the HTTP ceiling: a hello-world on the same Fastify stack',
    );
  } finally {
    await app.close();
  }
}

export async function runBench(o: RunOptions): Promise<RunReport> {
  const chosen = ALL_SCENARIOS.filter((s) => o.scenarios.includes(s.name));
  let url: string | undefined;
  let drop = async () => {};
  let seeded: { workspaceId: string; email: string; password: string } | undefined;
  if (o.useExisting) {
    await reachable(o.useExisting);
    url = o.useExisting;
  } else if (o.db !== 'embedded') {
    const fresh = await freshDatabase(o.db!);
    url = fresh.url;
    drop = fresh.drop;
    o.log(`created ${new URL(url).pathname.slice(1)} for this run${o.keep ? ' (kept afterwards)' : ''}`);
  }
  const database: Database = await openDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 10 });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}) });
  const log = createLogger(config);
  let jobs: Awaited<ReturnType<typeof startJobs>> | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    let workspaceId: string;
    if (o.useExisting) {
      if ((await pendingMigrations(database.db)) !== 0)
        throw new BenchUsageError(
          'The database is not at the current schema: run `patron migrate` on it first (a bench does not migrate a database it did not create).',
        );
      const found = await rows<{ id: string; slug: string; n: number }>(
        database.db,
        o.workspace
          ? sql`SELECT w.id, w.slug, (SELECT count(*) FROM customers c WHERE c.workspace_id = w.id)::int AS n FROM workspaces w WHERE w.slug = ${o.workspace}`
          : sql`SELECT w.id, w.slug, count(c.id)::int AS n FROM workspaces w LEFT JOIN customers c ON c.workspace_id = w.id GROUP BY w.id, w.slug ORDER BY n DESC LIMIT 1`,
      );
      if (!found[0])
        throw new BenchUsageError(
          o.workspace
            ? `No workspace with the slug "${o.workspace}".`
            : 'The database has no workspace to bench.',
        );
      workspaceId = found[0].id;
      o.log(`benching workspace "${found[0].slug}" (${found[0].n.toLocaleString('en')} customers)`);
    } else {
      const customers = o.customers ?? Math.round(0.01 * SF1.customers);
      const password = `bench-${randomBytes(8).toString('hex')}`;
      const r = await seedStore(
        database,
        url,
        {
          seed: o.seed,
          customers,
          asOf: new Date('2026-01-01T00:00:00Z'),
          years: 3,
          name: 'Bench store',
          ownerEmail: 'bench@example.com',
          ownerPassword: password,
          addWorkspace: false,
        },
        (line) => o.log(line),
      );
      workspaceId = r.workspaceId;
      seeded = { workspaceId, email: r.ownerEmail, password };
    }
    const [count] = await rows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM customers WHERE workspace_id = ${workspaceId}`,
    );
    const customers = count?.n ?? 0;

    jobs = await startJobs(database, { supervise: false, log });
    app = await buildApp({ config, database, jobs, log }, { serveWeb: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const [email, password] = seeded ? [seeded.email, seeded.password] : (o.login?.split(/:(.*)/s) ?? []);
    let cookie: string | null = null;
    if (email && password) {
      const res = await fetch(`${baseUrl}/api/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (res.status !== 200) throw new BenchUsageError(`Signing in as ${email} failed (${res.status}).`);
      cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    }
    const ctx: BenchContext = {
      database,
      url,
      workspaceId,
      baseUrl,
      cookie,
      budget: o.budget,
      ingestOrders: o.orders,
      log: o.log,
    };

    const results: Result[] = [await helloCeiling(o.budget)];
    for (const s of chosen) {
      o.log(`scenario ${s.name}: ${s.description}`);
      const t = performance.now();
      results.push(...(await s.run(ctx)));
      o.log(`scenario ${s.name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const [pgv] = url
      ? await rows<{ v: string }>(database.db, sql`SELECT current_setting('server_version') AS v`)
      : [];
    const scale = customers / SF1.customers;
    const date = new Date().toISOString();
    const file =
      o.json ??
      path.join(
        here,
        'results',
        `${date.slice(0, 10)}-${scale >= 0.01 ? scale : scale.toExponential(0)}.json`,
      );
    const report: RunReport = {
      date,
      scale,
      customers,
      database: url ? `PostgreSQL ${pgv?.v ?? ''} server` : 'embedded (PGlite)',
      machine: {
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? '?',
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        postgres: pgv?.v ?? null,
      },
      results,
      file,
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await app?.close();
    await jobs?.stop();
    await database.close();
    if (!o.keep) await drop();
  }
}

export function formatTable(results: Result[]): string {
  const head = ['scenario', 'unit', 'value', 'p50', 'p95', 'p99', 'baseline', 'ratio'];
  const cell = (x: number | null) => (x === null ? '' : x.toLocaleString('en', { maximumFractionDigits: 2 }));
  const body = results.map((r) => [
    r.name,
    r.unit,
    cell(r.value),
    cell(r.p50),
    cell(r.p95),
    cell(r.p99),
    cell(r.baseline),
    r.ratio === null ? '' : `${r.ratio}×`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const say = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  try {
    const opts = parseRunArgs(process.argv.slice(2));
    if (opts.list) {
      for (const s of ALL_SCENARIOS) console.log(`${s.name.padEnd(18)} ${s.description}`);
      return 0;
    }
    const report = await runBench({ ...opts, log: say });
    console.log(formatTable(report.results));
    console.log(
      `\n${report.customers.toLocaleString('en')} customers (scale ${report.scale}), ${report.database}; results in ${path.relative(process.cwd(), report.file)}`,
    );
    return 0;
  } catch (err) {
    const usage =
      err instanceof BenchUsageError ||
      (err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_'));
    console.error(`bench: ${usage ? (err as Error).message : (err as Error).stack}`);
    return usage ? 2 : 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code));
}
