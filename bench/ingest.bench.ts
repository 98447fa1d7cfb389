// Ingestion benchmark: orders through the batch API (HTTP, with identity resolution, events and
// metrics) against the same rows inserted bare through the driver, in the same run.
//   npm run bench -- --db postgres://postgres@127.0.0.1:5432/patron_bench --orders 20000
//   npm run bench -- --db embedded --orders 5000
// --alongside: the worker's dispatch runs during the ingestion, as a worker process does, and the
// figures are the times until the last order is in and its metrics (then everything) are current.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { buildApp } from '../server/src/app.ts';
import { createWorkspaceWithOwner } from '../server/src/modules/onboarding/onboarding.service.ts';
import { loadConfig } from '../server/src/platform/config.ts';
import { openDatabase, rows, runMigrations } from '../server/src/platform/db.ts';
import { DISPATCH_BATCH, dispatchBatch, drainEvents } from '../server/src/platform/events.ts';
import { startJobs } from '../server/src/platform/jobs.ts';
import { createLogger } from '../server/src/platform/logger.ts';
import { allEventHandlers } from '../server/src/runtime.ts';
import { Rng } from './generator/rng.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    orders: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '2' },
    json: { type: 'string' },
    alongside: { type: 'boolean', default: false },
  },
});
if (!values.db) {
  console.error(
    'bench: --db <postgres url> or --db embedded is required (a bench only writes where it is pointed)',
  );
  process.exit(2);
}
const N = Number(values.orders);
const BATCH = Number(values.batch);
const CLIENTS = Number(values.clients);
const embedded = values.db === 'embedded';

// A fresh database: on a server, a new database next to the one named (never the one named).
let url: string | undefined;
let drop = async () => {};
if (!embedded) {
  const base = new URL(values.db);
  const name = `patron_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect().catch((err) => {
    console.error(`bench: cannot reach ${base.host}: ${err.message}`);
    process.exit(2);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  url = u.toString();
  drop = async () => {
    const c = new pg.Client({ connectionString: base.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.end();
  };
}

const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...(url ? { DATABASE_URL: url } : {}) });
const log = createLogger(config);
const database = await openDatabase({ databaseUrl: url, dataDir: 'memory://', poolSize: 10 });
await runMigrations(database);
const jobs = await startJobs(database, { supervise: false, log });
const rt = { config, database, jobs, log };
const app = await buildApp(rt, { serveWeb: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

const email = 'bench@example.com';
const ws = await createWorkspaceWithOwner(database.db, {
  name: 'Bench',
  ownerEmail: email,
  ownerPassword: 'correct horse battery',
});
const signIn = await fetch(`${base}/api/v1/auth/sign-in`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email, password: 'correct horse battery' }),
});
const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;

// Realistic enough: 3 lines per order on average, ~1 customer per 4 orders (repeat buyers).
// (the generator's seeded source: a hand-rolled congruential one lost precision in floating point and
// repeated itself after some 3,000 orders, so the orders named only 2,319 customers)
const rng = new Rng(42);
const rnd = () => rng.next();
const makeOrder = (i: number) => {
  const lines = Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, n) => ({
    title: `Product ${n}`,
    sku: `SKU-${Math.floor(rnd() * 5000)}`,
    quantity: 1 + Math.floor(rnd() * 3),
    unitPriceMinor: 500 + Math.floor(rnd() * 5000),
  }));
  const total = lines.reduce((s, l) => s + l.quantity * l.unitPriceMinor, 0);
  const day = Math.floor(rnd() * 365);
  const at = new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString();
  return {
    externalId: `o${i}`,
    number: `#${1000 + i}`,
    currency: 'USD',
    totalMinor: total,
    lines,
    customer: { email: `c${Math.floor(rnd() * (N / 4))}@example.com` },
    placedAt: at,
    updatedAt: at,
  };
};
const orders = Array.from({ length: N }, (_, i) => makeOrder(i));

// 1. The batch API.
// Bodies are serialised before the clock starts: the client's own JSON work is not the server's.
const bodies: string[] = [];
for (let i = 0; i < N; i += BATCH) bodies.push(JSON.stringify({ items: orders.slice(i, i + BATCH) }));
const t0 = performance.now();
// With --alongside, the worker's loop (every lane, as startWorker dispatches) runs meanwhile.
let apiDone = false;
let metricsCurrentAt = 0;
let everythingCurrentAt = 0;
const queued = async (lane?: string) => {
  const [q] = await rows<{ n: string }>(
    database.db,
    sql`SELECT count(*)::text AS n FROM event_queue ${lane ? sql`WHERE lane = ${lane}` : sql``}`,
  );
  return Number(q!.n);
};
const worker = values.alongside
  ? (async () => {
      for (;;) {
        const n = await dispatchBatch(database.db, allEventHandlers(), log, DISPATCH_BATCH[database.kind]);
        if (apiDone) {
          if (!metricsCurrentAt && (await queued('metrics')) === 0) metricsCurrentAt = performance.now();
          if ((await queued()) === 0) {
            everythingCurrentAt = performance.now();
            return;
          }
        }
        if (n === 0) await new Promise((r) => setTimeout(r, 10));
      }
    })()
  : null;
let next = 0;
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const res = await fetch(`${base}/api/v1/orders/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie },
        body,
      });
      if (res.status !== 200) throw new Error(`batch failed: ${res.status} ${await res.text()}`);
    }
  }),
);
const apiSeconds = (performance.now() - t0) / 1000;
apiDone = true;
await worker;
// 2. The worker's dispatcher brings everything derived current, as the worker does: the metrics lane
// (customer metrics) first, then the main lane (scores, segment upkeep and the timeline, which wait
// for an event's metrics). "With metrics" is the time until the metrics lane is empty — metrics are
// current then, whatever the main lane still has to do — and "with everything" until both are.
const handlerSeconds: Record<string, number> = {};
const timed = allEventHandlers().map((h) => ({
  ...h,
  handleBatch: async (
    tx: Parameters<NonNullable<typeof h.handleBatch>>[0],
    events: Parameters<NonNullable<typeof h.handleBatch>>[1],
  ) => {
    const t = performance.now();
    if (h.handleBatch) await h.handleBatch(tx, events);
    else for (const e of events) await h.handle(tx, e);
    handlerSeconds[h.name] = (handlerSeconds[h.name] ?? 0) + (performance.now() - t) / 1000;
  },
}));
const t1 = performance.now();
await drainEvents(
  database.db,
  timed.filter((h) => h.lane === 'metrics'),
  log,
  DISPATCH_BATCH[database.kind],
);
const metricsSeconds = worker ? (metricsCurrentAt - t0) / 1000 - apiSeconds : (performance.now() - t1) / 1000;
await drainEvents(database.db, timed, log, DISPATCH_BATCH[database.kind]);
const dispatchSeconds = worker
  ? (everythingCurrentAt - t0) / 1000 - apiSeconds
  : (performance.now() - t1) / 1000;
const handlersTotal = Object.values(handlerSeconds).reduce((a, b) => a + b, 0);
const [check] = await rows<{ n: string; spent: string }>(
  database.db,
  sql`SELECT count(*)::text AS n, sum(total_spent_minor)::text AS spent FROM customers WHERE workspace_id = ${ws.workspaceId}`,
);
const expectedSpent = orders.reduce((s, o) => s + o.totalMinor, 0);
if (Number(check!.spent) !== expectedSpent)
  throw new Error(`metrics disagree: ${check!.spent} vs ${expectedSpent}`);

// 3. Baseline: the same orders and lines inserted bare (multi-row INSERTs, no identity, events or checks).
await database.db.execute(sql`CREATE TABLE bench_orders (LIKE orders INCLUDING DEFAULTS)`);
await database.db.execute(sql`CREATE TABLE bench_lines (LIKE order_lines INCLUDING DEFAULTS)`);
const t2 = performance.now();
let nextBare = 0;
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    while (nextBare < N) {
      const i = nextBare;
      nextBare += BATCH;
      await bareInsert(orders.slice(i, i + BATCH));
    }
  }),
);
async function bareInsert(chunk: typeof orders) {
  await database.db.transaction(async (tx) => {
    await tx.execute(sql`INSERT INTO bench_orders (workspace_id, id, source, external_id, number, status, currency, total_minor, placed_at, source_updated_at)
      SELECT ${ws.workspaceId}::uuid, gen_random_uuid(), 'api', x.e, x.n, 'open', 'USD', x.t, x.p, x.p
        FROM unnest(${sql.param(chunk.map((o) => o.externalId))}::text[], ${sql.param(chunk.map((o) => o.number))}::text[], ${sql.param(chunk.map((o) => o.totalMinor))}::bigint[], ${sql.param(chunk.map((o) => o.placedAt))}::timestamptz[]) AS x(e, n, t, p)`);
    const lines = chunk.flatMap((o, k) => o.lines.map((l, n) => ({ k, n, l })));
    await tx.execute(sql`INSERT INTO bench_lines (workspace_id, order_id, line_no, title, sku, quantity, unit_price_minor)
      SELECT ${ws.workspaceId}::uuid, gen_random_uuid(), x.n, x.t, x.s, x.q, x.u
        FROM unnest(${sql.param(lines.map((x) => x.n + 1))}::int[], ${sql.param(lines.map((x) => x.l.title))}::text[], ${sql.param(lines.map((x) => x.l.sku))}::text[], ${sql.param(lines.map((x) => x.l.quantity))}::int[], ${sql.param(lines.map((x) => x.l.unitPriceMinor))}::bigint[]) AS x(n, t, s, q, u)`);
  });
}
const bareSeconds = (performance.now() - t2) / 1000;

const result = {
  name: values.alongside ? 'ingest.orders_batch_api.worker_alongside' : 'ingest.orders_batch_api',
  database: embedded ? 'embedded (PGlite)' : 'PostgreSQL server',
  orders: N,
  clients: CLIENTS,
  linesPerOrder: orders.reduce((s, o) => s + o.lines.length, 0) / N,
  unit: 'orders/s',
  value: Math.round(N / apiSeconds),
  withMetrics: Math.round(N / (apiSeconds + metricsSeconds)),
  withEverything: Math.round(N / (apiSeconds + dispatchSeconds)),
  baseline: Math.round(N / bareSeconds),
  ratio: Number((apiSeconds / bareSeconds).toFixed(2)),
};
console.table([result]);
console.log(
  worker
    ? `with the worker alongside: the last order in after ${apiSeconds.toFixed(2)} s, its metrics current ${metricsSeconds.toFixed(2)} s later, everything ${dispatchSeconds.toFixed(1)} s later`
    : `API ${apiSeconds.toFixed(2)} s; metrics lane ${metricsSeconds.toFixed(2)} s; dispatch ${dispatchSeconds.toFixed(1)} s: ${Object.entries(
        handlerSeconds,
      )
        .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
        .join(', ')}, the dispatcher itself ${(dispatchSeconds - handlersTotal).toFixed(1)} s`,
);
if (values.json) (await import('node:fs')).writeFileSync(values.json, JSON.stringify([result], null, 2));
await app.close();
await jobs.stop();
await database.close();
await drop();
