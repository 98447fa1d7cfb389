// Order ingestion on the target database, next to the seeded store (so indexes are as big as the
// store's): generated orders posted to the batch API over HTTP in batches of 1,000 — identity
// resolution, events and all — then the worker's dispatcher brings the customers' metrics current;
// against the same orders and lines inserted bare through the driver into the same tables in the
// same run. Everything is written into a workspace of the scenario's own, deleted afterwards.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createWorkspaceWithOwner } from '../../server/src/modules/onboarding/onboarding.service.ts';
import { type Db, rows } from '../../server/src/platform/db.ts';
import { DISPATCH_BATCH, drainEvents } from '../../server/src/platform/events.ts';
import { createLogger } from '../../server/src/platform/logger.ts';
import { allEventHandlers } from '../../server/src/runtime.ts';
import { StoreGenerator, TABLES, type Value } from '../generator/store.ts';
import { type BenchContext, type Result, rateResult, type Scenario } from '../lib.ts';

const col = <T extends keyof typeof TABLES>(t: T) =>
  Object.fromEntries(TABLES[t].map((c, i) => [c, i])) as Record<(typeof TABLES)[T][number], number>;
const O = col('orders');
const L = col('order_lines');
const C = col('customers');

type OrderInput = Record<string, unknown> & { externalId: string; lines: Record<string, unknown>[] };

/** Orders as a store platform would send them, from the generator (customers known by id and email). */
export function generatedOrders(count: number, seed: number): OrderInput[] {
  const gen = new StoreGenerator({
    seed,
    customers: Math.max(10, Math.ceil(count / 9)),
    workspaceId: '00000000-0000-7000-8000-000000000000',
    asOf: new Date('2026-01-01T00:00:00Z'),
    years: 2,
  });
  const out: OrderInput[] = [];
  while (out.length < count && gen.next < gen.opts.customers) {
    const r = gen.generate(50);
    const emails = new Map(
      r.customers.map((c) => [
        c[C.id] as string,
        {
          email: c[C.email] as string,
          externalId: String(6_000_000_000 + Number.parseInt((c[C.id] as string).slice(-12), 16)),
        },
      ]),
    );
    const linesOf = new Map<string, Value[][]>();
    for (const l of r.order_lines)
      linesOf.set(l[L.order_id] as string, [...(linesOf.get(l[L.order_id] as string) ?? []), l]);
    for (const o of r.orders) {
      if (out.length >= count) break;
      const customer = o[O.customer_id] ? emails.get(o[O.customer_id] as string) : undefined;
      out.push({
        externalId: o[O.external_id] as string,
        number: o[O.number] as string,
        customer: customer ?? null,
        status: o[O.status],
        financialStatus: o[O.financial_status],
        fulfillmentStatus: o[O.fulfillment_status],
        currency: o[O.currency],
        subtotalMinor: o[O.subtotal_minor],
        discountMinor: o[O.discount_minor],
        taxMinor: o[O.tax_minor],
        shippingMinor: o[O.shipping_minor],
        totalMinor: o[O.total_minor],
        discountCodes: o[O.discount_codes],
        sourceName: o[O.source_name],
        placedAt: o[O.placed_at],
        updatedAt: o[O.source_updated_at],
        cancelledAt: o[O.cancelled_at],
        lines: (linesOf.get(o[O.id] as string) ?? []).map((l) => ({
          externalId: l[L.external_id],
          productExternalId: l[L.product_external_id],
          variantExternalId: l[L.variant_external_id],
          sku: l[L.sku],
          title: l[L.title],
          quantity: l[L.quantity],
          unitPriceMinor: l[L.unit_price_minor],
          discountMinor: l[L.discount_minor],
        })),
      });
    }
  }
  return out;
}

/** A workspace of the scenario's own, and a way to remove it (and its owner) completely. */
async function scratchWorkspace(ctx: BenchContext) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = `bench-${randomBytes(8).toString('hex')}`;
  const ws = await createWorkspaceWithOwner(ctx.database.db, {
    name: 'Ingestion bench',
    ownerEmail: email,
    ownerPassword: password,
  });
  const res = await fetch(`${ctx.baseUrl}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in for the ingestion workspace failed: ${res.status}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const remove = async () => {
    const db = ctx.database.db;
    await db.execute(sql`DELETE FROM events WHERE workspace_id = ${ws.workspaceId}`);
    await db.execute(sql`DELETE FROM workspaces WHERE id = ${ws.workspaceId}`);
    await db.execute(sql`DELETE FROM users WHERE email = ${email}`);
  };
  return { workspaceId: ws.workspaceId, cookie, remove };
}

async function bareInsert(db: Db, workspaceId: string, orders: OrderInput[], batch: number): Promise<void> {
  for (let i = 0; i < orders.length; i += batch) {
    const chunk = orders.slice(i, i + batch);
    const ids = chunk.map(() => crypto.randomUUID());
    const arr = (f: (o: OrderInput) => unknown) => sql.param(chunk.map(f));
    await db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO orders (workspace_id, id, source, external_id, number, status, financial_status, currency,
          subtotal_minor, discount_minor, tax_minor, shipping_minor, total_minor, placed_at, source_updated_at)
        SELECT ${workspaceId}::uuid, x.id, 'bare', x.e, x.n, x.s, x.f, x.c, x.sub, x.d, x.t, x.sh, x.tot, x.p, x.u
          FROM unnest(${sql.param(ids)}::uuid[], ${arr((o) => o.externalId)}::text[], ${arr((o) => o.number)}::text[], ${arr((o) => o.status)}::text[],
                      ${arr((o) => o.financialStatus)}::text[], ${arr((o) => o.currency)}::text[], ${arr((o) => o.subtotalMinor)}::bigint[],
                      ${arr((o) => o.discountMinor)}::bigint[], ${arr((o) => o.taxMinor)}::bigint[], ${arr((o) => o.shippingMinor)}::bigint[],
                      ${arr((o) => o.totalMinor)}::bigint[], ${arr((o) => o.placedAt)}::timestamptz[], ${arr((o) => o.updatedAt)}::timestamptz[])
            AS x(id, e, n, s, f, c, sub, d, t, sh, tot, p, u)`);
      const lines = chunk.flatMap((o, k) => o.lines.map((l, n) => ({ id: ids[k]!, n: n + 1, l })));
      const la = (f: (x: (typeof lines)[number]) => unknown) => sql.param(lines.map(f));
      await tx.execute(sql`INSERT INTO order_lines (workspace_id, order_id, line_no, external_id, sku, title, quantity, unit_price_minor, discount_minor)
        SELECT ${workspaceId}::uuid, x.o, x.n, x.e, x.s, x.t, x.q, x.u, x.d
          FROM unnest(${la((x) => x.id)}::uuid[], ${la((x) => x.n)}::int[], ${la((x) => x.l.externalId)}::text[], ${la((x) => x.l.sku)}::text[],
                      ${la((x) => x.l.title)}::text[], ${la((x) => x.l.quantity)}::int[], ${la((x) => x.l.unitPriceMinor)}::bigint[], ${la((x) => x.l.discountMinor)}::bigint[])
            AS x(o, n, e, s, t, q, u, d)`);
    });
  }
}

export const ORDERS_DEFAULT = 10_000;

export const scenarios: Scenario[] = [
  {
    name: 'ingestion',
    description:
      'orders through the batch API (HTTP, 1,000 a batch) then metrics current, vs the same rows inserted bare',
    writes: true,
    async run(ctx): Promise<Result[]> {
      const n = ctx.ingestOrders ?? ORDERS_DEFAULT;
      const orders = generatedOrders(n, 4242);
      const lineCount = orders.reduce((s, o) => s + o.lines.length, 0);
      const scratch = await scratchWorkspace(ctx);
      try {
        const batch = 1000;
        // warm-up: one small batch, not counted (its orders are posted again below: an update)
        await post(ctx, scratch.cookie, orders.slice(0, 50));
        const t0 = performance.now();
        for (let i = 0; i < orders.length; i += batch)
          await post(ctx, scratch.cookie, orders.slice(i, i + batch));
        const apiSeconds = (performance.now() - t0) / 1000;
        const log = createLogger({ logLevel: 'silent' });
        const handlers = allEventHandlers();
        const limit = DISPATCH_BATCH[ctx.database.kind];
        // metrics are current once their own lane is empty, as in the worker (which takes that lane
        // first); then the rest is drained so the scenario leaves nothing queued
        const t1 = performance.now();
        await drainEvents(
          ctx.database.db,
          handlers.filter((h) => h.lane === 'metrics'),
          log,
          limit,
        );
        const metricsSeconds = (performance.now() - t1) / 1000;
        await drainEvents(ctx.database.db, handlers, log, limit);
        const [check] = await rows<{ n: number }>(
          ctx.database.db,
          sql`SELECT count(*)::int AS n FROM orders WHERE workspace_id = ${scratch.workspaceId}`,
        );
        if (check?.n !== orders.length)
          throw new Error(`ingestion: ${check?.n} orders stored, ${orders.length} sent`);
        const t2 = performance.now();
        await bareInsert(
          ctx.database.db,
          scratch.workspaceId,
          orders.map((o) => ({ ...o, externalId: `bare-${o.externalId}` })),
          batch,
        );
        const bareSeconds = (performance.now() - t2) / 1000;
        const note = `${orders.length.toLocaleString('en')} orders, ${(lineCount / orders.length).toFixed(1)} lines each`;
        return [
          rateResult(
            'ingestion.orders_api',
            'orders/s',
            orders.length / apiSeconds,
            orders.length / bareSeconds,
            'ingestion.orders_bare',
            note,
          ),
          rateResult(
            'ingestion.orders_api_with_metrics',
            'orders/s',
            orders.length / (apiSeconds + metricsSeconds),
            orders.length / bareSeconds,
            'ingestion.orders_bare',
            note,
          ),
          rateResult(
            'ingestion.orders_bare',
            'orders/s',
            orders.length / bareSeconds,
            null,
            undefined,
            'the ceiling: multi-row inserts through the driver, same tables',
          ),
        ];
      } finally {
        await scratch.remove();
      }
    },
  },
];

async function post(ctx: BenchContext, cookie: string, items: OrderInput[]): Promise<void> {
  const res = await fetch(`${ctx.baseUrl}/api/v1/orders/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ items }),
  });
  if (res.status !== 200) throw new Error(`orders batch: ${res.status} ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as { results?: unknown[] };
  if (body.results?.length !== items.length)
    throw new Error(`orders batch: ${body.results?.length} results for ${items.length} orders`);
}
