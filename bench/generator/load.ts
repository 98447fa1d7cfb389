// Loads a generated store into a Patron database through COPY (pg-copy-streams on a server, PGlite's
// COPY FROM '/dev/blob' on the embedded database), into the app's own tables, then derives what the
// app derives — customer metrics with the app's own recomputation, the timeline and scores — so the
// result is a store the app can open.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { recomputeCustomerMetrics } from '../../server/src/modules/commerce/metrics.ts';
import { createWorkspaceWithOwner } from '../../server/src/modules/onboarding/onboarding.service.ts';
import { type Database, type Db, inWorkspace, rows, runMigrations } from '../../server/src/platform/db.ts';
import { emptyRows, type Rows, StoreGenerator, TABLES, type TableName, type Value } from './store.ts';

export class SeedRefused extends Error {}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const escapeText = (s: string) =>
  NEEDS_ESCAPE.test(s)
    ? s.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!)
    : s;

function encodeValue(v: Value): string {
  if (v === null) return '\\N';
  if (typeof v === 'string') return escapeText(v);
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'string'))
    return escapeText(`{${(v as string[]).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  return escapeText(JSON.stringify(v));
}

/** Rows in COPY's text format. */
export function encodeCopy(data: Value[][]): string {
  let out = '';
  for (const row of data) out += `${row.map(encodeValue).join('\t')}\n`;
  return out;
}

type Sink = { copy(table: TableName, data: Value[][]): Promise<void>; close(): Promise<void> };

function sinkFor(database: Database, url: string | undefined): Sink {
  const statement = (t: TableName) => `COPY ${t} (${TABLES[t].join(', ')}) FROM`;
  if (database.pglite) {
    const pgl = database.pglite;
    return {
      copy: async (t, data) => {
        if (data.length === 0) return;
        await pgl.query(`${statement(t)} '/dev/blob'`, [], { blob: new Blob([encodeCopy(data)]) });
      },
      close: async () => {},
    };
  }
  // a pool of its own: loading sessions skip waiting for the disk flush of every commit
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('connect', (c) => {
    c.query('SET synchronous_commit = off').catch(() => {});
  });
  return {
    copy: async (t, data) => {
      if (data.length === 0) return;
      const client = await pool.connect();
      try {
        await pipeline(Readable.from([encodeCopy(data)]), client.query(copyFrom(`${statement(t)} STDIN`)));
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

export type Progress = (line: string) => void;

/**
 * A target is fit when it is empty (no tables) or a Patron database; one that already holds
 * workspaces is refused unless the caller asked to add a workspace to it.
 */
export async function preflight(database: Database, addWorkspace: boolean): Promise<void> {
  const [t] = await rows<{ tables: number; patron: boolean }>(
    database.db,
    sql`SELECT count(*)::int AS tables, bool_or(table_name = 'workspaces') AS patron
          FROM information_schema.tables WHERE table_schema = 'public'`,
  );
  if (t && t.tables > 0 && !t.patron)
    throw new SeedRefused(
      'The target database holds tables that are not Patron’s; seed into an empty or Patron database.',
    );
  if (t?.patron) {
    const [w] = await rows<{ n: number; users: number }>(
      database.db,
      sql`SELECT (SELECT count(*) FROM workspaces)::int AS n, (SELECT count(*) FROM users)::int AS users`,
    );
    if (w && (w.n > 0 || w.users > 0) && !addWorkspace)
      throw new SeedRefused(
        `The target database is in use (${w.n} workspace(s), ${w.users} account(s)). Pass --workspace-new to add a generated workspace next to them (nothing existing is changed).`,
      );
  }
}

export type SeedOptions = {
  seed: number;
  customers: number;
  asOf: Date;
  years: number;
  name: string;
  ownerEmail?: string;
  ownerPassword?: string;
  ownerName?: string;
  addWorkspace: boolean;
  chunk?: number;
};

export type SeedResult = {
  workspaceId: string;
  slug: string;
  ownerEmail: string;
  ownerPassword: string;
  counts: Record<TableName, number>;
  loadSeconds: number;
  deriveSeconds: number;
  rowsPerSecond: number;
};

/** Generates and loads a store into a new workspace of the database, then derives its metrics. */
export async function seedStore(
  database: Database,
  url: string | undefined,
  o: SeedOptions,
  progress: Progress = () => {},
): Promise<SeedResult> {
  await preflight(database, o.addWorkspace);
  await runMigrations(database);
  const ownerEmail = o.ownerEmail ?? (await freeEmail(database, 'demo@example.com'));
  const ownerPassword = o.ownerPassword ?? `demo-${randomBytes(6).toString('hex')}`;
  const ws = await createWorkspaceWithOwner(database.db, {
    name: o.name,
    ownerEmail,
    ownerPassword,
    ownerName: o.ownerName,
  });
  const started = performance.now();
  const gen = new StoreGenerator({
    seed: o.seed,
    customers: o.customers,
    workspaceId: ws.workspaceId,
    asOf: o.asOf,
    years: o.years,
  });
  const sink = sinkFor(database, url);
  const counts = Object.fromEntries(Object.keys(TABLES).map((t) => [t, 0])) as Record<TableName, number>;
  const load = async (r: Rows) => {
    // parents first: customers, then what points at them, then what points at orders
    const stages: TableName[][] = [
      ['products', 'customers'],
      ['product_variants', 'customer_identities', 'orders', 'checkouts', 'browsing_events'],
      ['order_lines', 'refunds'],
    ];
    for (const stage of stages) await Promise.all(stage.map((t) => sink.copy(t, r[t])));
    for (const t of Object.keys(r) as TableName[]) counts[t] += r[t].length;
  };
  const total = () => Object.values(counts).reduce((a, b) => a + b, 0);
  try {
    await load(gen.catalogue());
    const chunk = o.chunk ?? 2000;
    let pending: Promise<void> = Promise.resolve();
    let lastReport = 0;
    while (gen.next < o.customers) {
      // generate the next chunk in slices, letting the previous chunk's COPY stream meanwhile
      const next = emptyRows();
      const until = Math.min(o.customers, gen.next + chunk);
      while (gen.next < until) {
        const part = gen.generate(Math.min(250, until - gen.next));
        for (const t of Object.keys(part) as TableName[]) for (const row of part[t]) next[t].push(row);
        await new Promise((r) => setImmediate(r));
      }
      await pending;
      pending = load(next);
      const now = performance.now();
      if (now - lastReport > 5000) {
        lastReport = now;
        const s = (now - started) / 1000;
        const done = gen.next / o.customers;
        progress(
          `load: ${gen.next.toLocaleString('en')}/${o.customers.toLocaleString('en')} customers (${(done * 100).toFixed(1)} %), ${total().toLocaleString('en')} rows, ${Math.round(total() / s).toLocaleString('en')} rows/s, ${fmt(s)} elapsed, ~${fmt((s / done) * (1 - done))} to go`,
        );
      }
    }
    await pending;
  } finally {
    await sink.close();
  }
  const loadSeconds = (performance.now() - started) / 1000;
  progress(
    `load: done, ${total().toLocaleString('en')} rows in ${fmt(loadSeconds)} (${Math.round(total() / loadSeconds).toLocaleString('en')} rows/s)`,
  );
  const d0 = performance.now();
  await derive(database, ws.workspaceId, progress);
  const deriveSeconds = (performance.now() - d0) / 1000;
  return {
    workspaceId: ws.workspaceId,
    slug: ws.slug,
    ownerEmail,
    ownerPassword,
    counts,
    loadSeconds,
    deriveSeconds,
    rowsPerSecond: Math.round(total() / loadSeconds),
  };
}

async function freeEmail(database: Database, wanted: string): Promise<string> {
  const taken = await rows<{ email: string }>(
    database.db,
    sql`SELECT email::text AS email FROM users WHERE email::text LIKE 'demo%@example.com'`,
  );
  const set = new Set(taken.map((r) => r.email.toLowerCase()));
  if (!set.has(wanted)) return wanted;
  for (let n = 2; ; n++) if (!set.has(`demo${n}@example.com`)) return `demo${n}@example.com`;
}

/**
 * What the app derives from the loaded rows, computed the way the app computes it: every customer's
 * metrics through the app's own set-based recomputation, in workspace transactions; then the tables'
 * statistics. (Runs on its own with `patron seed --derive-only`.)
 */
export async function derive(
  database: Database,
  workspaceId: string,
  progress: Progress = () => {},
): Promise<void> {
  const t0 = performance.now();
  const [c] = await rows<{ n: number }>(
    database.db,
    sql`SELECT count(*)::int AS n FROM customers WHERE workspace_id = ${workspaceId}`,
  );
  const total = c?.n ?? 0;
  let after = '00000000-0000-0000-0000-000000000000';
  let done = 0;
  let lastReport = 0;
  for (;;) {
    const batch = await rows<{ id: string }>(
      database.db,
      sql`SELECT id FROM customers WHERE workspace_id = ${workspaceId} AND id > ${after} ORDER BY id LIMIT 5000`,
    );
    if (batch.length === 0) break;
    const ids = batch.map((r) => r.id);
    await inWorkspace(database.db, workspaceId, (tx) => recomputeCustomerMetrics(tx, workspaceId, ids));
    after = ids[ids.length - 1]!;
    done += ids.length;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      progress(
        `derive: metrics ${done.toLocaleString('en')}/${total.toLocaleString('en')} customers, ${fmt((performance.now() - t0) / 1000)}`,
      );
    }
  }
  progress(
    `derive: metrics of ${done.toLocaleString('en')} customers in ${fmt((performance.now() - t0) / 1000)}`,
  );
  // the rebuilds below query the loaded tables: statistics first, or the planner guesses
  const ta = performance.now();
  for (const t of Object.keys(TABLES)) await database.db.execute(sql.raw(`ANALYZE ${t}`));
  progress(`derive: statistics in ${fmt((performance.now() - ta) / 1000)}`);
  for (const step of WORKSPACE_REBUILDS) {
    const file = fileURLToPath(new URL(step.module, import.meta.url));
    if (!fs.existsSync(file)) {
      progress(`derive: ${step.what} — not part of this version of Patron, skipped`);
      continue;
    }
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const fn = mod[step.fn] as ((tx: Db, workspaceId: string) => Promise<unknown>) | undefined;
    if (typeof fn !== 'function') throw new Error(`${step.module} does not export ${step.fn}`);
    const t = performance.now();
    await inWorkspace(database.db, workspaceId, (tx) => fn(tx, workspaceId));
    progress(`derive: ${step.what} in ${fmt((performance.now() - t) / 1000)}`);
  }
  const t1 = performance.now();
  for (const t of ['customers', 'segment_members', 'rfm_scores'])
    await database.db.execute(sql.raw(`ANALYZE ${t}`));
  progress(`derive: statistics of the derived tables in ${fmt((performance.now() - t1) / 1000)}`);
}

/**
 * Whole-workspace rebuilds of the Customer-360 data (timeline, then scores, which read metrics),
 * run in this order after metrics; each is the app's own set-based function.
 */
const WORKSPACE_REBUILDS = [
  { what: 'timeline', module: '../../server/src/modules/customers/timeline.ts', fn: 'rebuildTimeline' },
  { what: 'scores', module: '../../server/src/modules/customers/scoring.ts', fn: 'rescoreCustomers' },
  {
    what: 'dynamic segments',
    module: '../../server/src/modules/segments/saved.service.ts',
    fn: 'refreshWorkspaceSegments',
  },
  { what: 'RFM scores', module: '../../server/src/modules/segments/upkeep.ts', fn: 'storeRfmScores' },
];

export function fmt(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
