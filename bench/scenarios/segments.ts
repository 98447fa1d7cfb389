// Segment live count on the seeded store: three-rule segments through the app's preview (the count
// and the first page by spend) — service function, HTTP API — against the same compiled SQL run bare
// through the driver. Read-only.
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { upsertOrders } from '../../server/src/modules/commerce/ingest.service.ts';
import { matchingCustomers } from '../../server/src/modules/segments/compile.ts';
import { parseQuery } from '../../server/src/modules/segments/query.ts';
import { rfmScored } from '../../server/src/modules/segments/rfm.ts';
import { INTERACTIVE_SETTINGS, preview } from '../../server/src/modules/segments/segments.service.ts';
import { storeRfmScores } from '../../server/src/modules/segments/upkeep.ts';
import { type Db, inWorkspace, rows } from '../../server/src/platform/db.ts';
import type { DomainEvent } from '../../server/src/platform/events.ts';
import { allEventHandlers } from '../../server/src/runtime.ts';
import {
  type BenchContext,
  bareStatements,
  latencyResult,
  measureLatency,
  NO_JIT,
  percentile,
  type Result,
  type Scenario,
} from '../lib.ts';
import { asService } from './customers.ts';
import { generatedOrders } from './ingestion.ts';

/**
 * Segments a marketer builds first. The first is the service level's shape: one profile field, one
 * order aggregate in a 90-day window, one tag; then big spenders lately, repeat buyers in a country,
 * lapsed big spenders.
 */
export const SEGMENT_QUERIES = [
  "country = 'US' AND amount_spent(since: -90d) > 100 AND customer_tags CONTAINS 'newsletter'",
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

/** Bare SQL, service and HTTP latency of the preview of the given queries, taken in turn. */
async function countLatency(ctx: BenchContext, queries: string[], name: string): Promise<Result[]> {
  const now = new Date();
  const query = (i: number) => queries[i % queries.length]!;
  const statements = queries.map((q) => compiled(ctx.workspaceId, q, now));
  const opts = { seconds: ctx.budget, warmup: 3 };
  const sqlM = await measureLatency(
    (i) => bareStatements(ctx, statements[i % statements.length]!, [INTERACTIVE_SETTINGS]),
    opts,
  );
  const serviceM = await measureLatency(
    (i) => asService(ctx, (w) => preview(w, { query: query(i), limit: 20 }, now)),
    opts,
  );
  const out = [
    latencyResult(
      `${name}.sql`,
      sqlM,
      null,
      undefined,
      'the ceiling: the compiled SQL bare through the driver',
    ),
    latencyResult(`${name}.service`, serviceM, sqlM, `${name}.sql`),
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
    out.push(latencyResult(`${name}.api`, apiM, sqlM, `${name}.sql`));
  } else {
    ctx.log(`${name}.api: skipped (no signed-in session; pass --login <email>:<password>)`);
  }
  return out;
}

export const scenarios: Scenario[] = [
  {
    name: 'segment.count',
    description:
      "live count and first 20 customers: the service level's three-rule segment, then three other shapes",
    writes: false,
    async run(ctx): Promise<Result[]> {
      // the service level names one shape; the others are measured apart so as not to blur it
      return [
        ...(await countLatency(ctx, SEGMENT_QUERIES.slice(0, 1), 'segment.count')),
        ...(await countLatency(ctx, SEGMENT_QUERIES.slice(1), 'segment.count.others')),
      ];
    },
  },
  {
    name: 'segment.upkeep',
    description:
      "one new order for an existing customer, then the worker's handlers (metrics, every dynamic segment re-evaluated for that customer) — in a transaction rolled back",
    writes: false,
    async run(ctx): Promise<Result[]> {
      const picks = await rows<{ email: string }>(
        ctx.database.db,
        sql`SELECT email::text AS email FROM customers
            WHERE workspace_id = ${ctx.workspaceId} AND email IS NOT NULL AND orders_count > 0 LIMIT 500`,
      );
      if (picks.length === 0) throw new Error('segment.upkeep: the workspace has no customers with orders');
      const [dyn] = await rows<{ n: number }>(
        ctx.database.db,
        sql`SELECT count(*)::int AS n FROM segments WHERE workspace_id = ${ctx.workspaceId} AND kind = 'dynamic'`,
      );
      const template = generatedOrders(1, 7)[0]!;
      const order = (i: number) => ({
        ...template,
        externalId: `bench-upkeep-${Date.now()}-${i}`,
        number: `BU-${i}`,
        customer: { email: picks[i % picks.length]!.email },
        placedAt: new Date().toISOString(),
        updatedAt: new Date().toISOString(),
      });
      /** Runs fn in the workspace's transaction and rolls it back; answers the time fn took. */
      const rolledBack = async (fn: (tx: Db) => Promise<void>) => {
        let took = 0;
        await inWorkspace(ctx.database.db, ctx.workspaceId, async (tx) => {
          const t = performance.now();
          await fn(tx);
          took = performance.now() - t;
          throw ROLLBACK;
        }).catch((e) => {
          if (e !== ROLLBACK) throw e;
        });
        return took;
      };
      const timed = async (n: number, fn: (tx: Db, i: number) => Promise<void>) => {
        const samples: number[] = [];
        for (let i = 0; i < n + 3; i++) {
          const took = await rolledBack((tx) => fn(tx, i));
          if (i >= 3) samples.push(took);
        }
        return toLatency(samples);
      };
      const scope = { workspaceId: ctx.workspaceId, source: 'api' };
      const ingestOnly = await timed(30, async (tx, i) => {
        await upsertOrders(tx, scope, [order(i) as never]);
      });
      const withUpkeep = await timed(30, async (tx, i) => {
        const [r] = await upsertOrders(tx, scope, [order(i) as never]);
        const events = await rows<DomainEvent>(
          tx,
          sql`SELECT workspace_id AS "workspaceId", id, seq::text AS seq, type, subject_type AS "subjectType",
                     subject_id AS "subjectId", actor_user_id AS "actorUserId", payload, occurred_at AS "occurredAt"
                FROM events e WHERE workspace_id = ${ctx.workspaceId} AND subject_id = ${r!.id}
                 AND EXISTS (SELECT 1 FROM event_queue q WHERE q.seq = e.seq) ORDER BY seq`,
        );
        for (const h of allEventHandlers()) {
          const mine = events.filter((e) => h.types === '*' || h.types.includes(e.type));
          if (mine.length && h.handleBatch) await h.handleBatch(tx, mine);
        }
      });
      return [
        latencyResult(
          'segment.upkeep.ingest',
          ingestOnly,
          null,
          undefined,
          'the baseline: the same order ingested, without the handlers',
        ),
        latencyResult(
          'segment.upkeep',
          withUpkeep,
          ingestOnly,
          'segment.upkeep.ingest',
          `order to current membership of ${dyn?.n ?? 0} dynamic segments; level < 1 s`,
        ),
      ];
    },
  },
  {
    name: 'rfm.recompute',
    description: "stores every customer's R, F, M and group (one statement) — in a transaction rolled back",
    writes: false,
    async run(ctx): Promise<Result[]> {
      const runs = 3;
      const bareM: number[] = [];
      const storeM: number[] = [];
      const scored = dialect.sqlToQuery(sql`SELECT count(*) FROM ${rfmScored(ctx.workspaceId)} s`);
      for (let i = 0; i < runs; i++) {
        let t = performance.now();
        await bareStatements(ctx, [scored], NO_JIT);
        bareM.push(performance.now() - t);
        await inWorkspace(ctx.database.db, ctx.workspaceId, async (tx) => {
          t = performance.now();
          await storeRfmScores(tx, ctx.workspaceId);
          storeM.push(performance.now() - t);
          throw ROLLBACK;
        }).catch((e) => {
          if (e !== ROLLBACK) throw e;
        });
      }
      const b = toLatency(bareM);
      return [
        latencyResult(
          'rfm.score.sql',
          b,
          null,
          undefined,
          'the baseline: scoring every customer, bare, nothing stored',
        ),
        latencyResult('rfm.recompute', toLatency(storeM), b, 'rfm.score.sql', `${runs} runs; level < 30 s`),
      ];
    },
  },
];

const ROLLBACK = new Error('rolled back on purpose');

function toLatency(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), n: s.length };
}
