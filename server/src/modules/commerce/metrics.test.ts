// Rolling order windows: stored with the metrics, exact over their span of days, and refreshed by the
// hourly pass for exactly the customers whose span has ended — in their own workspace only.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../../../contracts/commerce.ts';
import { ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { orderInput } from '../../../test/orders.ts';
import { type Db, inWorkspace, rows } from '../../platform/db.ts';
import { drainEvents } from '../../platform/events.ts';
import { createLogger } from '../../platform/logger.ts';
import { allJobs } from '../../runtime.ts';
import { upsertOrders } from './ingest.service.ts';
import { metricsHandler, recomputeCustomerMetrics, refreshOrderWindows } from './metrics.ts';

const DAY = 86_400_000;
const log = createLogger({ logLevel: 'silent' });
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const today = Math.floor(Date.now() / DAY) * DAY;
const daysAgo = (n: number) => new Date(today - n * DAY + 9 * 3_600_000).toISOString();
const order = (id: string, email: string, ago: number, totalMinor: number): OrderInput =>
  orderInput(id, { totalMinor, customer: { email }, placedAt: daysAgo(ago), updatedAt: daysAgo(0) });

async function drain(db: Db) {
  await drainEvents(db, [metricsHandler], log);
}

type Row = {
  email: string;
  from: string | null;
  until: string | null;
  o30: number;
  s30: string;
  o90: number;
  s90: string;
  o365: number;
};
const windowsOf = (workspaceId: string) =>
  rows<Row>(
    t.database.db,
    sql`SELECT email::text, order_windows_from::text AS from, order_windows_until::text AS until,
          orders_30d AS o30, spent_30d_minor::text AS s30, orders_90d AS o90, spent_90d_minor::text AS s90, orders_365d AS o365
          FROM customers WHERE workspace_id = ${workspaceId} ORDER BY email`,
  );
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function store() {
  const { workspaceId } = await ownerOf(t);
  await inWorkspace(t.database.db, workspaceId, (tx) =>
    upsertOrders(tx, { workspaceId, source: 'api' }, [
      order('a1', 'a@example.com', 10, 1000),
      order('a2', 'a@example.com', 70, 2000),
      order('b1', 'b@example.com', 500, 4000),
    ]),
  );
  await drain(t.database.db);
  return workspaceId;
}

describe('rolling order windows', () => {
  it('are stored with the metrics, with the days over which they stay exact', async () => {
    const ws = await store();
    const [a, b] = await windowsOf(ws);
    // a's oldest order in the 30-day window (10 days ago) leaves it first: on day 10 - 30 - 1 from now
    expect(a).toEqual({
      email: 'a@example.com',
      from: dayOf(today),
      until: dayOf(today + 21 * DAY),
      o30: 1,
      s30: '1000',
      o90: 2,
      s90: '3000',
      o365: 2,
    });
    // no order within a year: the figures (all zero) stay exact for ever
    expect(b).toMatchObject({ email: 'b@example.com', until: 'infinity', o30: 0, o365: 0 });
  });

  it('are refreshed by the pass for the customers whose span ended, in their workspace only', async () => {
    const ws = await store();
    const other = await store();
    const before = await windowsOf(other);
    // nothing is due today
    expect(await refreshOrderWindows(t.database.db, ws)).toBe(0);
    // 25 days on, a's order of 10 days ago has left the 30-day window; b (nothing in a year) is not due
    const later = new Date(today + 25 * DAY + 3_600_000);
    expect(await refreshOrderWindows(t.database.db, ws, later)).toBe(1);
    const [a, b] = await windowsOf(ws);
    // as of then, the order of 10 days ago is 35 days old (in the 60-day window until 51 days from
    // now) and the one of 70 days ago 95 (out of the 90-day window)
    expect(a).toMatchObject({
      from: dayOf(later.getTime()),
      until: dayOf(today + 51 * DAY),
      o30: 0,
      s30: '0',
      o90: 1,
      s90: '1000',
      o365: 2,
    });
    expect(b!.until).toBe('infinity');
    // the other workspace's customers are left as they were
    expect(await windowsOf(other)).toEqual(before);
  });

  it('the hourly job runs the pass for each workspace', async () => {
    const ws = await store();
    await t.database.db.execute(
      sql`UPDATE customers SET order_windows_from = NULL WHERE workspace_id = ${ws} AND email = 'a@example.com'`,
    );
    const jobs = allJobs(t.rt);
    expect(jobs.map((j) => j.name)).toEqual(
      expect.arrayContaining(['customers.order-windows', 'customers.order-windows-workspace']),
    );
    const perWorkspace = jobs.find((j) => j.name === 'customers.order-windows-workspace')!;
    await perWorkspace.longRunning!(t.database.db, { workspaceId: ws } as never, { id: 'j', retryCount: 0 });
    const [a] = await windowsOf(ws);
    expect(a).toMatchObject({ from: dayOf(today), o30: 1, o90: 2 });
  });

  it('a pass never overwrites windows recomputed after it began, and an unknown workspace changes nothing', async () => {
    const ws = await store();
    const before = await windowsOf(ws);
    const [a] = await rows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM customers WHERE workspace_id = ${ws} AND email = 'a@example.com'`,
    );
    // a pass as of an earlier day finds a's windows current (computed today): not due, left alone
    await inWorkspace(t.database.db, ws, (tx) =>
      recomputeCustomerMetrics(tx, ws, [a!.id], { asOf: new Date(today - 5 * DAY), onlyDue: true }),
    );
    expect(await windowsOf(ws)).toEqual(before);
    expect(await refreshOrderWindows(t.database.db, '00000000-0000-4000-8000-000000000000')).toBe(0);
    expect(await windowsOf(ws)).toEqual(before);
  });
});

describe('the metrics plan', () => {
  it("looks up each customer's orders by the customer's own index entries, even when the statistics have never seen the workspace", async () => {
    const { workspaceId } = await ownerOf(t);
    // statistics taken before this workspace had an order: to the planner it is (nearly) empty
    await t.database.db.execute(sql`ANALYZE orders`);
    await inWorkspace(t.database.db, workspaceId, (tx) =>
      upsertOrders(tx, { workspaceId, source: 'api' }, [order('plan-1', 'plan@example.com', 3, 1000)]),
    );
    const [c] = await rows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM customers WHERE workspace_id = ${workspaceId} AND email = 'plan@example.com'`,
    );
    // the statement as the handler runs it, explained instead of run
    const plan: string[] = [];
    await inWorkspace(t.database.db, workspaceId, async (tx) => {
      // the test database is small enough to read whole; what matters is which index a lookup takes
      await tx.execute(sql`SELECT set_config('enable_seqscan', 'off', true)`);
      const explaining = new Proxy(tx, {
        get: (target, prop) =>
          prop === 'execute'
            ? async (q: Parameters<Db['execute']>[0]) => {
                plan.push(
                  ...(await rows<{ 'QUERY PLAN': string }>(target, sql`EXPLAIN ${q}`)).map(
                    (r) => r['QUERY PLAN'],
                  ),
                );
                return { rows: [] };
              }
            : Reflect.get(target, prop),
      });
      await recomputeCustomerMetrics(explaining as Db, workspaceId, [c!.id]);
    });
    // a constant workspace let the planner walk the workspace's every order by date for each customer
    expect(plan.join('\n')).toMatch(
      /Index Scan using orders_customer_idx on orders[^\n]*\n\s*Index Cond: \(\(workspace_id = ids\.workspace_id\) AND \(customer_id = ids\.id\)\)/,
    );
  });
});
