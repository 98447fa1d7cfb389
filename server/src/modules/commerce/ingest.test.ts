import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderInput } from '../../../../contracts/commerce.ts';
import { ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { orderInput } from '../../../test/orders.ts';
import { type Db, inWorkspace, rows } from '../../platform/db.ts';
import { drainEvents } from '../../platform/events.ts';
import { createLogger } from '../../platform/logger.ts';
import { mergeCustomers } from './commerce.service.ts';
import { upsertCustomers, upsertOrders, upsertRefunds } from './ingest.service.ts';
import { metricsHandler } from './metrics.ts';

let t: TestApp;
const log = createLogger({ logLevel: 'silent' });
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const at = (day: number) => new Date(Date.UTC(2025, 0, 1) + day * 86_400_000).toISOString();
const order = (id: string, o: Partial<OrderInput> = {}): OrderInput =>
  orderInput(id, { placedAt: at(0), updatedAt: at(0), ...o });

async function drain(db: Db) {
  await drainEvents(db, [metricsHandler], log);
}

const scope = (workspaceId: string) => ({ workspaceId, source: 'api' });

describe('ingestion', () => {
  it('is idempotent by external id and never lets an older update win', async () => {
    const { workspaceId } = await ownerOf(t);
    const run = (items: OrderInput[]) =>
      inWorkspace(t.database.db, workspaceId, (tx) => upsertOrders(tx, scope(workspaceId), items));
    const first = await run([order('1001', { customer: { email: 'Ann@Example.com' }, updatedAt: at(1) })]);
    expect(first[0]!.status).toBe('created');
    const again = await run([order('1001', { customer: { email: 'ann@example.com' }, updatedAt: at(1) })]);
    expect(again[0]!.status).toBe('stale');
    const newer = await run([
      order('1001', { totalMinor: 1500, updatedAt: at(2), customer: { email: 'ann@example.com' } }),
    ]);
    expect(newer[0]!.status).toBe('updated');
    const older = await run([order('1001', { totalMinor: 999, updatedAt: at(1) })]);
    expect(older[0]!.status).toBe('stale');
    const [o] = await rows<{ total_minor: string; n: string }>(
      t.database.db,
      sql`SELECT total_minor::text, (SELECT count(*) FROM orders WHERE workspace_id = ${workspaceId})::text AS n FROM orders WHERE workspace_id = ${workspaceId}`,
    );
    expect(o).toEqual({ total_minor: '1500', n: '1' });
    const lines = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(*)::text AS n FROM order_lines WHERE workspace_id = ${workspaceId}`,
    );
    expect(lines[0]!.n).toBe('1');
  });

  it('resolves one customer per person across email, phone and platform ids', async () => {
    const { workspaceId } = await ownerOf(t);
    await inWorkspace(t.database.db, workspaceId, async (tx) => {
      await upsertCustomers(tx, { workspaceId, source: 'shopify' }, [
        {
          externalId: '9007199254740993',
          email: 'bo@example.com',
          phone: '+1 (555) 010-2000',
          updatedAt: at(0),
        },
      ]);
      await upsertOrders(tx, { workspaceId, source: 'shopify' }, [
        order('A', { customer: { externalId: '9007199254740993' } }),
      ]);
      await upsertOrders(tx, { workspaceId, source: 'woocommerce' }, [
        order('B', { customer: { email: 'BO@example.com' } }),
      ]);
      await upsertOrders(tx, scope(workspaceId), [order('C', { customer: { phone: '+15550102000' } })]);
      await upsertOrders(tx, scope(workspaceId), [
        order('D', { customer: { email: 'someone-else@example.com' } }),
      ]);
      await upsertOrders(tx, scope(workspaceId), [order('E', {})]);
    });
    const people = await rows<{ customer_id: string | null; n: string }>(
      t.database.db,
      sql`SELECT customer_id, count(*)::text AS n FROM orders WHERE workspace_id = ${workspaceId} GROUP BY customer_id ORDER BY count(*) DESC`,
    );
    expect(people.map((p) => p.n)).toEqual(['3', '1', '1']);
    expect(people.filter((p) => p.customer_id === null)).toHaveLength(1);
    const ids = await rows<{ value: string }>(
      t.database.db,
      sql`SELECT value FROM customer_identities WHERE workspace_id = ${workspaceId} AND kind = 'shopify'`,
    );
    expect(ids[0]!.value).toBe('9007199254740993');
  });

  it('creates one customer when deliveries name the same new person at once', async () => {
    const { workspaceId } = await ownerOf(t);
    // both deliveries of a round name one known buyer and two new people (in another order, one
    // spelt in capitals): whichever creates a new person, the other finds them
    const deliver = (round: number, prefix: string, emails: string[]) =>
      inWorkspace(t.database.db, workspaceId, (tx) =>
        upsertOrders(
          tx,
          scope(workspaceId),
          emails.map((email, i) => order(`${prefix}${round}-${i}`, { customer: { email } })),
        ),
      );
    await deliver(0, 'first', ['known@example.com']);
    for (let r = 0; r < 6; r++)
      await Promise.all([
        deliver(r, 'a', ['known@example.com', `n${r}@example.com`, `m${r}@example.com`]),
        deliver(r, 'b', [`M${r}@example.com`, `n${r}@example.com`, 'known@example.com']),
      ]);
    const people = await rows<{ email: string; n: string }>(
      t.database.db,
      sql`SELECT c.email, count(o.id)::text AS n FROM customers c
            JOIN orders o ON o.workspace_id = c.workspace_id AND o.customer_id = c.id
           WHERE c.workspace_id = ${workspaceId} GROUP BY c.id, c.email`,
    );
    expect(people).toHaveLength(13);
    expect(people.find((p) => p.email === 'known@example.com')?.n).toBe('13');
    expect(people.filter((p) => p.email !== 'known@example.com').every((p) => p.n === '2')).toBe(true);
  });

  it('never leaves an order naming a customer that is gone: the app may not delete customers', async () => {
    const { workspaceId } = await ownerOf(t);
    await inWorkspace(t.database.db, workspaceId, (tx) =>
      upsertOrders(tx, scope(workspaceId), [order('keep-1', { customer: { email: 'kept@example.com' } })]),
    );
    const [named] = await rows<{ customer_id: string }>(
      t.database.db,
      sql`SELECT customer_id FROM orders WHERE workspace_id = ${workspaceId} AND external_id = 'keep-1'`,
    );
    // orders carry no foreign key to customers (ADR 0006); the app's role holds no DELETE on them
    const refused = await inWorkspace(t.database.db, workspaceId, (tx) =>
      tx.execute(
        sql`DELETE FROM customers WHERE workspace_id = ${workspaceId} AND id = ${named!.customer_id}`,
      ),
    ).then(
      () => null,
      (err: Error) => err,
    );
    expect(String(refused?.cause ?? refused)).toMatch(/permission denied for table customers/);
    const [still] = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(*)::text AS n FROM orders o JOIN customers c ON c.workspace_id = o.workspace_id AND c.id = o.customer_id
           WHERE o.workspace_id = ${workspaceId} AND o.external_id = 'keep-1'`,
    );
    expect(still!.n).toBe('1');
  });

  it('takes the lines of deleted orders with them, in that workspace only (ADR 0007, 0011)', async () => {
    const a = await ownerOf(t);
    const b = await ownerOf(t);
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        title: `Line ${i}`,
        quantity: 1,
        unitPriceMinor: 100,
        discountMinor: 0,
      }));
    for (const { workspaceId } of [a, b])
      await inWorkspace(t.database.db, workspaceId, (tx) =>
        upsertOrders(tx, scope(workspaceId), [
          order('gone-1', { lines: lines(3), totalMinor: 300 }),
          order('gone-2', { lines: lines(2), totalMinor: 200 }),
          order('stays', {
            lines: lines(4),
            totalMinor: 400,
            customer: { email: 'stays@example.com', externalId: 'c-stays' },
          }),
        ]).then(() =>
          upsertRefunds(tx, scope(workspaceId), [
            {
              externalId: 'r-stays',
              orderExternalId: 'stays',
              amountMinor: 100,
              currency: 'USD',
              createdAt: at(1),
              lines: [],
            },
          ]),
        ),
      );
    const count = async (workspaceId: string) =>
      (
        await rows<{ n: string }>(
          t.database.db,
          sql`SELECT count(*)::text AS n FROM order_lines WHERE workspace_id = ${workspaceId}`,
        )
      )[0]!.n;
    expect([await count(a.workspaceId), await count(b.workspaceId)]).toEqual(['9', '9']);
    // as the app: one statement deleting two orders takes their five lines, not the others'
    await inWorkspace(t.database.db, a.workspaceId, (tx) =>
      tx.execute(
        sql`DELETE FROM orders WHERE workspace_id = ${a.workspaceId} AND external_id IN ('gone-1', 'gone-2')`,
      ),
    );
    expect([await count(a.workspaceId), await count(b.workspaceId)]).toEqual(['4', '9']);
    // deleting a workspace cascades to its orders, and from them to their lines; its customers, their
    // identities, refunds, events and queued events go too (a statement trigger where orders and
    // identities carry no key, ADR 0011); another workspace's stay
    const held = async (workspaceId: string) => {
      const [r] = await rows<Record<string, string>>(
        t.database.db,
        sql`SELECT (SELECT count(*) FROM orders WHERE workspace_id = ${workspaceId})::text AS orders,
                   (SELECT count(*) FROM refunds WHERE workspace_id = ${workspaceId})::text AS refunds,
                   (SELECT count(*) FROM customers WHERE workspace_id = ${workspaceId})::text AS customers,
                   (SELECT count(*) FROM customer_identities WHERE workspace_id = ${workspaceId})::text AS identities,
                   (SELECT count(*) FROM events WHERE workspace_id = ${workspaceId})::text AS events,
                   (SELECT count(*) FROM event_queue WHERE workspace_id = ${workspaceId})::text AS queued`,
      );
      return r!;
    };
    const theirs = await held(b.workspaceId);
    expect(theirs).toMatchObject({ orders: '3', refunds: '1', customers: '1', identities: '2' });
    expect(Number(theirs.events)).toBeGreaterThan(0);
    expect(Number(theirs.queued)).toBeGreaterThan(0);
    await t.database.db.execute(sql`DELETE FROM workspaces WHERE id = ${a.workspaceId}`);
    expect([await count(a.workspaceId), await count(b.workspaceId)]).toEqual(['0', '9']);
    expect(await held(a.workspaceId)).toEqual({
      orders: '0',
      refunds: '0',
      customers: '0',
      identities: '0',
      events: '0',
      queued: '0',
    });
    expect(await held(b.workspaceId)).toEqual(theirs);
  });

  it('keeps metrics equal to a recomputation after any sequence of creates, updates, refunds and merges', async () => {
    type Op =
      | {
          kind: 'order';
          id: number;
          person: number;
          total: number;
          day: number;
          cancelled: boolean;
          version: number;
        }
      | { kind: 'refund'; id: number; order: number; amount: number }
      | { kind: 'merge'; a: number; b: number };
    const opArb: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        kind: fc.constant('order' as const),
        id: fc.integer({ min: 1, max: 6 }),
        person: fc.integer({ min: 1, max: 3 }),
        total: fc.integer({ min: 0, max: 50_000 }),
        day: fc.integer({ min: 0, max: 400 }),
        cancelled: fc.boolean(),
        version: fc.integer({ min: 1, max: 5 }),
      }),
      fc.record({
        kind: fc.constant('refund' as const),
        id: fc.integer({ min: 1, max: 100 }),
        order: fc.integer({ min: 1, max: 6 }),
        amount: fc.integer({ min: 1, max: 5000 }),
      }),
      fc.record({
        kind: fc.constant('merge' as const),
        a: fc.integer({ min: 1, max: 3 }),
        b: fc.integer({ min: 1, max: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { workspaceId } = await ownerOf(t);
        const db = t.database.db;
        for (const op of ops) {
          await inWorkspace(db, workspaceId, async (tx) => {
            if (op.kind === 'order') {
              await upsertOrders(tx, scope(workspaceId), [
                order(`o${op.id}`, {
                  customer: { email: `p${op.person}@example.com` },
                  totalMinor: op.total,
                  status: op.cancelled ? 'cancelled' : 'open',
                  // within the last 400 days, so every rolling window holds some
                  placedAt: new Date(Date.now() - (400 - op.day) * 86_400_000).toISOString(),
                  updatedAt: at(op.version),
                }),
              ]);
            } else if (op.kind === 'refund') {
              await upsertRefunds(tx, scope(workspaceId), [
                {
                  externalId: `r${op.id}`,
                  orderExternalId: `o${op.order}`,
                  amountMinor: op.amount,
                  currency: 'USD',
                  lines: [],
                  createdAt: at(1),
                },
              ]);
            } else {
              const found = await rows<{ email: string; id: string }>(
                tx,
                sql`SELECT email, id FROM customers WHERE merged_into IS NULL AND email IN (${`p${op.a}@example.com`}, ${`p${op.b}@example.com`})`,
              );
              const a = found.find((f) => f.email === `p${op.a}@example.com`);
              const b = found.find((f) => f.email === `p${op.b}@example.com`);
              if (a && b && a.id !== b.id) {
                await mergeCustomers(
                  {
                    db: tx,
                    workspaceId,
                    userId: null,
                    email: null,
                    role: 'owner',
                    meta: { ip: null, userAgent: null, requestId: null },
                  },
                  a.id,
                  b.id,
                );
              }
            }
          });
          await drain(db);
        }
        // From scratch, written independently of the handler's SQL.
        const stored = await rows<{
          id: string;
          orders_count: number;
          total_spent_minor: string;
          refunded_minor: string;
          last: string | null;
          windows: string[];
        }>(
          db,
          sql`SELECT id, orders_count, total_spent_minor::text, refunded_minor::text, last_order_at::text AS last,
                ARRAY[orders_30d, spent_30d_minor, gross_30d_minor, orders_60d, spent_60d_minor, gross_60d_minor,
                      orders_90d, spent_90d_minor, gross_90d_minor, orders_180d, spent_180d_minor, gross_180d_minor,
                      orders_365d, spent_365d_minor, gross_365d_minor]::text[] AS windows
                FROM customers WHERE workspace_id = ${workspaceId} AND merged_into IS NULL ORDER BY id`,
        );
        const allOrders = await rows<{
          id: string;
          customer_id: string;
          status: string;
          total_minor: string;
          placed_at: string;
        }>(
          db,
          sql`SELECT id, customer_id, status, total_minor::text, placed_at::text FROM orders WHERE workspace_id = ${workspaceId}`,
        );
        const allRefunds = await rows<{
          order_id: string | null;
          customer_id: string | null;
          amount_minor: string;
        }>(
          db,
          sql`SELECT order_id, customer_id, amount_minor::text FROM refunds WHERE workspace_id = ${workspaceId}`,
        );
        for (const c of stored) {
          const mine = allOrders.filter((o) => o.customer_id === c.id && o.status !== 'cancelled');
          const refundedOnMine = allRefunds
            .filter((r) => mine.some((o) => o.id === r.order_id))
            .reduce((s, r) => s + Number(r.amount_minor), 0);
          const gross = mine.reduce((s, o) => s + Number(o.total_minor), 0);
          expect(c.orders_count).toBe(mine.length);
          expect(Number(c.total_spent_minor)).toBe(gross - refundedOnMine);
          expect(Number(c.refunded_minor)).toBe(
            allRefunds.filter((r) => r.customer_id === c.id).reduce((s, r) => s + Number(r.amount_minor), 0),
          );
          const last = mine.map((o) => new Date(o.placed_at).getTime()).sort((x, y) => y - x)[0];
          expect(c.last ? new Date(c.last).getTime() : undefined).toBe(last);
          // the rolling windows as of today: orders placed since the start of the day n days back
          const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
          const windows = [30, 60, 90, 180, 365].flatMap((n) => {
            const inside = mine.filter((o) => new Date(o.placed_at).getTime() >= today - n * 86_400_000);
            const gross = inside.reduce((s, o) => s + Number(o.total_minor), 0);
            const refunded = allRefunds
              .filter((r) => inside.some((o) => o.id === r.order_id))
              .reduce((s, r) => s + Number(r.amount_minor), 0);
            return [inside.length, gross - refunded, gross].map(String);
          });
          expect(c.windows).toEqual(windows);
        }
      }),
      { numRuns: 25 },
    );
  });
});
