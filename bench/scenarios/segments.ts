// Segment live count on the seeded store: three-rule segments through the app's preview (the count
// and the first page by spend) — service function, HTTP API — against the same compiled SQL run bare
// through the driver. Read-only.
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Role } from '../../contracts/roles.ts';
import { matchingCustomers } from '../../server/src/modules/segments/compile.ts';
import { parseQuery } from '../../server/src/modules/segments/query.ts';
import { preview } from '../../server/src/modules/segments/segments.service.ts';
import { inWorkspace } from '../../server/src/platform/db.ts';
import { type BenchContext, latencyResult, measureLatency, type Result, type Scenario } from '../lib.ts';

/** Segments a marketer builds first: big spenders lately, repeat buyers in a country, lapsed VIPs. */
export const SEGMENT_QUERIES = [
  "amount_spent > 100 AND country = 'US' AND last_order_date > -90d",
  "number_of_orders > 3 AND country = 'DE' AND amount_spent > 250",
  'amount_spent > 500 AND number_of_orders >= 2 AND last_order_date < -180d',
];

const dialect = new PgDialect();

/** The two statements the preview runs, as text and parameters for the bare driver. */
function compiled(workspaceId: string, query: string, now: Date) {
  const where = matchingCustomers(workspaceId, parseQuery(query), now);
  const q = (s: SQL) => dialect.sqlToQuery(s);
  return [
    q(sql`SELECT count(*) AS n FROM customers c WHERE ${where}`),
    q(sql`SELECT c.id, c.email::text AS email, c.first_name, c.last_name, c.country, c.orders_count,
            c.total_spent_minor, c.currency, c.last_order_at
            FROM customers c WHERE ${where} ORDER BY c.total_spent_minor DESC, c.id LIMIT 20`),
  ];
}

async function bare(ctx: BenchContext, statements: { sql: string; params: unknown[] }[]): Promise<void> {
  if (ctx.database.pglite) {
    await ctx.database.pglite.transaction(async (tx) => {
      await tx.query("SELECT set_config('jit', 'off', true)");
      for (const s of statements) await tx.query(s.sql, s.params);
    });
    return;
  }
  const client = await ctx.database.pool!.connect();
  try {
    // the app runs live counts without JIT; so does the ceiling
    await client.query('SET jit = off');
    for (const s of statements) await client.query(s.sql, s.params);
  } finally {
    await client.query('RESET jit').catch(() => {});
    client.release();
  }
}

export const scenarios: Scenario[] = [
  {
    name: 'segment.count',
    description:
      'live count and first 20 customers of a three-rule segment (spend, orders, country, recency)',
    writes: false,
    async run(ctx): Promise<Result[]> {
      const now = new Date();
      const query = (i: number) => SEGMENT_QUERIES[i % SEGMENT_QUERIES.length]!;
      const statements = SEGMENT_QUERIES.map((q) => compiled(ctx.workspaceId, q, now));
      const opts = { seconds: ctx.budget, warmup: 3 };
      const sqlM = await measureLatency((i) => bare(ctx, statements[i % statements.length]!), opts);
      const serviceM = await measureLatency(
        (i) =>
          inWorkspace(ctx.database.db, ctx.workspaceId, (tx) =>
            preview(
              {
                db: tx,
                workspaceId: ctx.workspaceId,
                userId: null,
                email: null,
                role: 'owner' as Role,
                meta: { ip: null, userAgent: 'bench', requestId: null },
              },
              { query: query(i), limit: 20 },
              now,
            ),
          ),
        opts,
      );
      const out = [
        latencyResult(
          'segment.count.sql',
          sqlM,
          null,
          undefined,
          'the ceiling: the compiled SQL bare through the driver',
        ),
        latencyResult('segment.count.service', serviceM, sqlM, 'segment.count.sql'),
      ];
      if (ctx.cookie) {
        const apiM = await measureLatency(async (i) => {
          const res = await fetch(`${ctx.baseUrl}/api/v1/segments/preview`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', cookie: ctx.cookie! },
            body: JSON.stringify({ query: query(i), limit: 20 }),
          });
          if (res.status !== 200) throw new Error(`segment preview: ${res.status} ${await res.text()}`);
          await res.json();
        }, opts);
        out.push(latencyResult('segment.count.api', apiM, sqlM, 'segment.count.sql'));
      } else {
        ctx.log('segment.count.api: skipped (no signed-in session; pass --login <email>:<password>)');
      }
      return out;
    },
  },
];
