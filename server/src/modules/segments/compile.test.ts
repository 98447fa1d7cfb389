// The compiler's SQL and the in-memory evaluator agree on generated stores and generated rules
// (embedded database by default, the PostgreSQL server when TEST_DATABASE_URL is set).
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Condition, DateValue, RuleGroup } from '../../../../contracts/segments.ts';
import { compareOps, eventTypes } from '../../../../contracts/segments.ts';
import { startTestApp, type TestApp } from '../../../test/harness.ts';
import { inWorkspace, rows } from '../../platform/db.ts';
import { ORDER_WINDOWS, recomputeCustomerMetrics, utcDay } from '../commerce/metrics.ts';
import { createWorkspaceWithOwner } from '../onboarding/onboarding.service.ts';
import { checkRules, matchingCustomers } from './compile.ts';
import { evaluateRules, type MemStore } from './evaluate.ts';
import { rulesArb } from './rules.arbitrary.ts';

const NOW = new Date('2026-06-15T10:30:00Z');
const DAY = 86_400_000;
const COUNTRIES = ['DE', 'de', 'FR', 'US', null];
const CITIES = ['Berlin', 'Paris', 'New York', null];
const TAGS = ['VIP', 'vip', 'wholesale', 'new'];
const CATEGORIES = ['Coffee', 'Tea', 'Mugs'];
const PRODUCTS = [
  { externalId: 'p1', title: 'House Blend', categories: ['Coffee'] },
  { externalId: 'p2', title: 'Green Tea', categories: ['Tea'] },
  { externalId: 'p3', title: 'Big Mug', categories: ['Mugs', 'Coffee'] },
  { externalId: 'p4', title: 'Sampler', categories: [] },
];
const CODES = ['WELCOME10', 'BF'];
const NAMES = ['Ada', 'ada', 'Bo', null];
const DOMAINS = ['example.com', 'Shop.io', 'mail.de'];

/** A workspace of the test's own (so statistics and rows of other tests do not matter). */
const freshWorkspace = async (t: TestApp, name: string) =>
  (
    await createWorkspaceWithOwner(t.database.db, {
      name,
      ownerEmail: `o-${randomUUID()}@example.com`,
      ownerPassword: 'correct horse battery',
    })
  ).workspaceId;

const day = (n: number) => new Date(NOW.getTime() + n * DAY + (n % 7) * 3_600_000);
// few distinct days, so that rule dates often fall on the very day of a stored date (boundaries are tested)
const DAYS = [-400, -200, -91, -90, -60, -30, -8, -7, -1, 0, 5];
const when = fc.constantFrom(...DAYS).map(day);

function storeArb(minOrders = 0): fc.Arbitrary<MemStore> {
  return fc.integer({ min: 10, max: 30 }).chain((n) => {
    const ids = Array.from({ length: n }, () => randomUUID()).sort();
    const cid = fc.constantFrom(...ids, null);
    const customer = (id: string) =>
      fc.record({
        id: fc.constant(id),
        email: fc.option(
          fc
            .tuple(fc.constantFrom(...NAMES.filter(Boolean)), fc.constantFrom(...DOMAINS))
            .map(([a, d]) => `${a}.${id.slice(0, 6)}@${d}`),
        ),
        firstName: fc.constantFrom(...NAMES),
        lastName: fc.constantFrom('Lovelace', 'Smith', null),
        company: fc.constantFrom('Acme GmbH', null),
        country: fc.constantFrom(...COUNTRIES),
        city: fc.constantFrom(...CITIES),
        tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 2 }),
        ordersCount: fc.nat(6),
        totalSpentMinor: fc.nat(40000),
        aovMinor: fc.nat(10000),
        firstOrderAt: fc.option(when),
        lastOrderAt: fc.option(when),
        createdAt: when,
      });
    return fc
      .record({
        customers: fc.tuple(...ids.map(customer)),
        orders: fc.array(
          fc.record({
            customerId: cid,
            status: fc.constantFrom('open', 'paid', 'cancelled'),
            totalMinor: fc.nat(30000),
            refundedMinor: fc.constantFrom(0, 0, 1500),
            discountCodes: fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 2 }),
            placedAt: when,
            lines: fc.array(
              fc.record({ productExternalId: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'gone', null) }),
              {
                minLength: 1,
                maxLength: 3,
              },
            ),
          }),
          { minLength: minOrders, maxLength: Math.max(60, minOrders) },
        ),
        products: fc.constant(PRODUCTS),
        events: fc.array(
          fc.record({
            customerId: cid,
            type: fc.constantFrom(...eventTypes),
            productExternalId: fc.constantFrom('p1', 'p2', null),
            occurredAt: when,
          }),
          { maxLength: 40 },
        ),
        checkouts: fc.array(fc.record({ customerId: cid, completedAt: fc.option(when), createdAt: when }), {
          maxLength: 15,
        }),
      })
      .map((s) => ({
        ...s,
        // the metrics handler keeps first/last order dates from the customer's counted orders; the
        // compiler relies on that to narrow windows, so the generated store keeps it too
        customers: s.customers.map((c) => {
          const placed = s.orders
            .filter((o) => o.customerId === c.id && o.status !== 'cancelled')
            .map((o) => o.placedAt.getTime());
          return placed.length
            ? {
                ...c,
                firstOrderAt: new Date(Math.min(...placed)),
                lastOrderAt: new Date(Math.max(...placed)),
              }
            : { ...c, firstOrderAt: null, lastOrderAt: null };
        }),
      })) as fc.Arbitrary<MemStore>;
  });
}

async function load(t: TestApp, s: MemStore): Promise<string> {
  const ws = await freshWorkspace(t, 'Segments');
  const db = t.database.db;
  for (const c of s.customers)
    await db.execute(sql`INSERT INTO customers (workspace_id, id, email, first_name, last_name, company, country, city, tags,
      orders_count, total_spent_minor, aov_minor, first_order_at, last_order_at, source_created_at)
      VALUES (${ws}, ${c.id}, ${c.email}, ${c.firstName}, ${c.lastName}, ${c.company}, ${c.country}, ${c.city},
        ${sql.param(c.tags)}::text[], ${c.ordersCount}, ${c.totalSpentMinor}, ${c.aovMinor},
        ${c.firstOrderAt?.toISOString() ?? null}::timestamptz, ${c.lastOrderAt?.toISOString() ?? null}::timestamptz,
        ${c.createdAt.toISOString()}::timestamptz)`);
  for (const p of s.products)
    await db.execute(sql`INSERT INTO products (workspace_id, id, source, external_id, title, categories)
      VALUES (${ws}, ${randomUUID()}, 'shopify', ${p.externalId}, ${p.title}, ${sql.param(p.categories)}::text[])`);
  let n = 0;
  for (const o of s.orders) {
    const id = randomUUID();
    n++;
    await db.execute(sql`INSERT INTO orders (workspace_id, id, source, external_id, number, customer_id, status, currency,
      total_minor, refunded_minor, discount_codes, placed_at, source_updated_at)
      VALUES (${ws}, ${id}, 'shopify', ${`o${n}`}, ${`#${n}`}, ${o.customerId}, ${o.status}, 'EUR', ${o.totalMinor}, ${o.refundedMinor},
        ${sql.param(o.discountCodes)}::text[], ${o.placedAt.toISOString()}::timestamptz, now())`);
    for (const [i, l] of o.lines.entries())
      await db.execute(sql`INSERT INTO order_lines (workspace_id, order_id, line_no, product_external_id, title, quantity)
        VALUES (${ws}, ${id}, ${i + 1}, ${l.productExternalId}, 'line', 1)`);
  }
  for (const e of s.events)
    await db.execute(sql`INSERT INTO browsing_events (workspace_id, id, visitor_id, customer_id, type, product_external_id, occurred_at)
      VALUES (${ws}, ${randomUUID()}, 'v', ${e.customerId}, ${e.type}, ${e.productExternalId}, ${e.occurredAt.toISOString()}::timestamptz)`);
  for (const [i, k] of s.checkouts.entries())
    await db.execute(sql`INSERT INTO checkouts (workspace_id, id, source, external_id, customer_id, currency, completed_at,
      source_created_at, source_updated_at)
      VALUES (${ws}, ${randomUUID()}, 'shopify', ${`k${i}`}, ${k.customerId}, 'EUR', ${k.completedAt?.toISOString() ?? null}::timestamptz,
        ${k.createdAt.toISOString()}::timestamptz, now())`);
  return ws;
}

const fromStore = fc.oneof(
  fc.constantFrom(...DAYS).map((days): DateValue => ({ days })),
  fc
    .constantFrom(...DAYS)
    .map((n): DateValue => ({ date: new Date(NOW.getTime() + n * DAY).toISOString().slice(0, 10) })),
);
const rulesOfStore = rulesArb(
  {
    date: fromStore,
    number: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 400 })),
    count: fc.integer({ min: 0, max: 6 }),
    text: fc.constantFrom('DE', 'de', 'Berlin', 'ada', 'shop.io', 'example.com', 'acme', 'Smith', 'e'),
    tag: fc.constantFrom(...TAGS),
    category: fc.constantFrom(...CATEGORIES),
    product: fc.constantFrom('house blend', 'Green Tea'),
    discountCode: fc.constantFrom(...CODES),
    orderFns: ['orders_placed', 'amount_spent', 'average_order_value', 'products_purchased'],
    eventFns: ['events', 'abandoned_checkouts'],
  },
  { maxDepth: 2, maxWidth: 3, canonical: false },
);

describe('segment compiler', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('finds the same customers as the in-memory evaluator on generated stores', async () => {
    const stores = fc.sample(storeArb(), { numRuns: 3, seed: 42 });
    for (const store of stores) {
      const ws = await load(t, store);
      let nonEmpty = 0;
      await fc.assert(
        fc.asyncProperty(rulesOfStore, async (r) => {
          fc.pre(checkRules(r, NOW).length === 0);
          const expected = evaluateRules(store, r, NOW);
          const got = await rows<{ id: string }>(
            t.database.db,
            sql`SELECT c.id FROM customers c WHERE ${matchingCustomers(ws, r, NOW)} ORDER BY c.id`,
          );
          if (expected.length) nonEmpty++;
          expect(got.map((x) => x.id)).toEqual(expected);
        }),
        { numRuns: 120, seed: 7 },
      );
      // the generated rules are not all trivially empty
      expect(nonEmpty).toBeGreaterThan(20);
    }
  }, 120_000);

  it('agrees on order aggregates in windows, where the compiler narrows by first/last order dates and reads stored rolling windows', async () => {
    // unfiltered aggregates with small thresholds, so that most windows hold orders that decide; the
    // rolling windows the metrics pass stores (since -30d … -365d, no end) come up often
    const rolling = fc.constantFrom(...ORDER_WINDOWS).map((n): DateValue => ({ days: -n }));
    const windowed = fc.record(
      {
        kind: fc.constant('orders' as const),
        fn: fc.constantFrom('orders_placed', 'amount_spent', 'average_order_value' as const),
        window: fc.oneof(
          fc.record({ since: fromStore, until: fromStore }, { requiredKeys: [] }),
          fc.record({ since: rolling }),
        ),
        op: fc.constantFrom(...compareOps),
        value: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 300 })),
      },
      { requiredKeys: ['kind', 'fn', 'window', 'op', 'value'] },
    ) as fc.Arbitrary<Condition>;
    const rules = fc.record({
      kind: fc.constant('group' as const),
      op: fc.constantFrom('and', 'or' as const),
      rules: fc.array(windowed, { minLength: 1, maxLength: 2 }),
    });
    const [store] = fc.sample(storeArb(80), { numRuns: 1, seed: 11 });
    const ws = await load(t, store!);
    // The stored windows as of different days: today's (exact), earlier days' (exact until their oldest
    // order leaves a window, then the orders are counted), a later day's (never read) and none at all.
    const asOfs = [NOW, day(-1), day(-40), day(-100), day(1), null];
    const ids = store!.customers.map((c) => c.id);
    for (const [i, asOf] of asOfs.entries()) {
      const group = ids.filter((_, k) => k % asOfs.length === i);
      if (asOf)
        await inWorkspace(t.database.db, ws, (tx) => recomputeCustomerMetrics(tx, ws, group, { asOf }));
    }
    const [read] = await rows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM customers WHERE workspace_id = ${ws} AND order_windows_from <= ${NOW.toISOString().slice(0, 10)}::date
            AND order_windows_until > ${NOW.toISOString().slice(0, 10)}::date AND orders_365d > 0`,
    );
    // some customers with orders answer from their stored windows, the others from their orders
    expect(read!.n).toBeGreaterThan(2);
    // Rules are asked on the stored day and on the days a stored order leaves a rolling window (and the
    // day before), where a span that ends a day late or early would answer wrongly.
    const edges = DAYS.flatMap((d) => ORDER_WINDOWS.flatMap((n) => [d + n, d + n + 1])).filter(
      (k) => k >= 0 && k <= 400,
    );
    const queryDay = fc.oneof(
      fc.constant(NOW),
      fc.constantFrom(...edges).map((k) => new Date(NOW.getTime() + k * DAY)),
    );
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(rules, queryDay, async (r, now) => {
        const expected = evaluateRules(store!, r, now);
        const got = await rows<{ id: string }>(
          t.database.db,
          sql`SELECT c.id FROM customers c WHERE ${matchingCustomers(ws, r, now)} ORDER BY c.id`,
        );
        if (expected.length > 0 && expected.length < store!.customers.length) decided++;
        expect(got.map((x) => x.id)).toEqual(expected);
      }),
      { numRuns: 250, seed: 3 },
    );
    // most rules split the customers: the windows are exercised, not trivially all or none
    expect(decided).toBeGreaterThan(80);
  }, 120_000);

  it('reads a stored rolling window only on the days it is exact: every day an order leaves a window, and the day before', async () => {
    const [store] = fc.sample(storeArb(80), { numRuns: 1, seed: 5 });
    const ws = await load(t, store!);
    const asOfs = [NOW, day(-1), day(-40), day(-100), day(1)];
    const ids = store!.customers.map((c) => c.id);
    for (const [i, asOf] of asOfs.entries())
      await inWorkspace(t.database.db, ws, (tx) =>
        recomputeCustomerMetrics(
          tx,
          ws,
          ids.filter((_, k) => k % asOfs.length === i),
          { asOf },
        ),
      );
    let checked = 0;
    for (const n of ORDER_WINDOWS)
      for (const k of new Set(DAYS.flatMap((d) => [d + n, d + n + 1]))) {
        const now = new Date(NOW.getTime() + k * DAY);
        const tests: Extract<Condition, { kind: 'orders' }>[] = [
          { kind: 'orders', fn: 'orders_placed', window: { since: { days: -n } }, op: '>=', value: 1 },
          { kind: 'orders', fn: 'orders_placed', window: { since: { days: -n } }, op: '>=', value: 2 },
          { kind: 'orders', fn: 'amount_spent', window: { since: { days: -n } }, op: '>', value: 150 },
          { kind: 'orders', fn: 'average_order_value', window: { since: { days: -n } }, op: '<', value: 120 },
        ];
        for (const c of tests) {
          const r = { kind: 'group' as const, op: 'and' as const, rules: [c] };
          const got = await rows<{ id: string }>(
            t.database.db,
            sql`SELECT c.id FROM customers c WHERE ${matchingCustomers(ws, r, now)} ORDER BY c.id`,
          );
          expect(
            got.map((x) => x.id),
            `${c.fn} ${c.op} ${c.value} since -${n}d on day ${k}`,
          ).toEqual(evaluateRules(store!, r, now));
          checked++;
        }
      }
    expect(checked).toBeGreaterThan(300);
  }, 120_000);

  it('lower-cases tags element by element, whatever characters they hold (the tag rules and their index)', async () => {
    const tags = [
      'VIP',
      'Say "Hi"',
      'a,b',
      '{Braces}',
      'back\\Slash',
      'two  Spaces',
      'NULL',
      'Null',
      'Émile',
      ' x ',
    ];
    const [r] = await rows<{ got: string[]; want: string[] }>(
      t.database.db,
      sql`SELECT patron_lower_tags(${sql.param(tags)}::text[]) AS got,
                 ARRAY(SELECT lower(x) FROM unnest(${sql.param(tags)}::text[]) AS x) AS want`,
    );
    expect(r!.got).toEqual(r!.want);
    expect(r!.got).toContain('null');
    expect(r!.got).toContain('say "hi"');
  });

  it('keeps the stored lower-cased tags equal to the tags on every write', async () => {
    const ws = await freshWorkspace(t, 'Tags');
    const db = t.database.db;
    const id = randomUUID();
    const stored = async () =>
      (
        await rows<{ tags_lower: string[] }>(
          db,
          sql`SELECT tags_lower FROM customers WHERE workspace_id = ${ws} AND id = ${id}`,
        )
      )[0]!.tags_lower;
    await db.execute(
      sql`INSERT INTO customers (workspace_id, id, tags) VALUES (${ws}, ${id}, ARRAY['VIP', 'Say "Hi"']::text[])`,
    );
    expect(await stored()).toEqual(['vip', 'say "hi"']);
    await db.execute(
      sql`UPDATE customers SET tags = array_append(tags, 'Newsletter') WHERE workspace_id = ${ws} AND id = ${id}`,
    );
    expect(await stored()).toEqual(['vip', 'say "hi"', 'newsletter']);
    // a write of the stored column itself cannot make it disagree; other writes leave it be
    await db.execute(
      sql`UPDATE customers SET tags_lower = ARRAY['other'], orders_count = 3 WHERE workspace_id = ${ws} AND id = ${id}`,
    );
    expect(await stored()).toEqual(['vip', 'say "hi"', 'newsletter']);
    await db.execute(sql`UPDATE customers SET tags = '{}' WHERE workspace_id = ${ws} AND id = ${id}`);
    expect(await stored()).toEqual([]);
  });

  it('compares country and city through their stored lower-cased columns, an index condition under RLS', async () => {
    const ws = await freshWorkspace(t, 'Places');
    const db = t.database.db;
    const places = [
      ['DE', 'Berlin'],
      ['de', 'BERLIN'],
      ['US', 'Berlin'],
      [null, null],
    ] as const;
    const ids = places.map(() => randomUUID());
    for (const [i, [country, city]] of places.entries())
      await db.execute(
        sql`INSERT INTO customers (workspace_id, id, country, city) VALUES (${ws}, ${ids[i]}, ${country}, ${city})`,
      );
    const rule = (field: 'country' | 'city', op: '=' | 'is_null', value = ''): RuleGroup => ({
      kind: 'group',
      op: 'and',
      rules: [{ kind: 'text', field, test: op === 'is_null' ? { op } : { op, value } } as Condition],
    });
    const match = (g: RuleGroup) =>
      inWorkspace(db, ws, (tx) =>
        rows<{ id: string }>(tx, sql`SELECT c.id FROM customers c WHERE ${matchingCustomers(ws, g, NOW)}`),
      ).then((r) => r.map((x) => x.id).sort());
    expect(await match(rule('country', '=', 'De'))).toEqual([ids[0], ids[1]].sort());
    expect(await match(rule('city', '=', 'berlin'))).toEqual([ids[0], ids[1], ids[2]].sort());
    expect(await match(rule('country', 'is_null'))).toEqual([ids[3]]);
    // the stored forms follow the fields
    await db.execute(sql`UPDATE customers SET country = 'Fr' WHERE workspace_id = ${ws} AND id = ${ids[2]}`);
    expect(await match(rule('country', '=', 'FR'))).toEqual([ids[2]]);
    // as the app's role, under row-level security, the country index answers the test itself (among
    // thousands of customers elsewhere; lower(country) = 'de' could only be a filter on every row)
    await db.execute(
      sql`INSERT INTO customers (workspace_id, id, country) SELECT ${ws}, gen_random_uuid(), 'US' FROM generate_series(1, 3000)`,
    );
    await db.execute(sql`ANALYZE customers`);
    const plan = await inWorkspace(db, ws, async (tx) => {
      const lines = await rows<{ 'QUERY PLAN': string }>(
        tx,
        sql`EXPLAIN SELECT count(*) FROM customers c WHERE ${matchingCustomers(ws, rule('country', '=', 'DE'), NOW)}`,
      );
      return lines.map((l) => l['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Cond: .*country_lower = /);
  });

  it('counts a windowed segment from the covering index of live customers alone, under RLS', async () => {
    const ws = await freshWorkspace(t, 'Windows');
    const db = t.database.db;
    // 3,000 customers with orders over two years, stored windows exact for NOW; every tenth merged and
    // every tenth (another) deleted: those two kinds are not in the index (migration 0022)
    await db.execute(sql`INSERT INTO customers (workspace_id, id, country, tags, orders_count, total_spent_minor,
        first_order_at, last_order_at, orders_90d, spent_90d_minor, gross_90d_minor,
        order_windows_from, order_windows_until, merged_into, deleted_at)
      SELECT ${ws}, gen_random_uuid(), CASE WHEN g % 3 = 0 THEN 'US' ELSE 'DE' END,
        CASE WHEN g % 2 = 0 THEN ARRAY['VIP'] ELSE '{}' END, 1, 20000,
        ${NOW.toISOString()}::timestamptz - interval '700 days',
        ${NOW.toISOString()}::timestamptz - (g % 700) * interval '1 day',
        CASE WHEN g % 700 < 90 THEN 1 ELSE 0 END, CASE WHEN g % 700 < 90 THEN 20000 ELSE 0 END,
        CASE WHEN g % 700 < 90 THEN 20000 ELSE 0 END,
        ${utcDay(NOW)}::date, ${utcDay(NOW)}::date + 1,
        CASE WHEN g % 10 = 1 THEN gen_random_uuid() END,
        CASE WHEN g % 10 = 2 THEN ${NOW.toISOString()}::timestamptz END
      FROM generate_series(1, 3000) g`);
    await db.execute(sql`ANALYZE customers`);
    const rules: RuleGroup = {
      kind: 'group',
      op: 'and',
      rules: [
        { kind: 'text', field: 'country', test: { op: '=', value: 'us' } },
        { kind: 'orders', fn: 'amount_spent', window: { since: { days: -90 } }, op: '>', value: 100 },
        { kind: 'tag', op: 'contains', value: 'vip' },
      ],
    };
    const where = matchingCustomers(ws, rules, NOW);
    const [count, plan] = await inWorkspace(db, ws, async (tx) => {
      const [n] = await rows<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM customers c WHERE ${where}`,
      );
      // bitmaps off: the choice is between walking this index and reading the table
      await tx.execute(sql`SELECT set_config('enable_bitmapscan', 'off', true)`);
      const lines = await rows<{ 'QUERY PLAN': string }>(
        tx,
        sql`EXPLAIN SELECT count(*) FROM customers c WHERE ${where}`,
      );
      return [n!.n, lines.map((l) => l['QUERY PLAN']).join('\n')] as const;
    });
    // independently: g % 6 = 0 (US and VIP), g % 700 < 90 (spent 200 in the window), not merged or deleted
    let expected = 0;
    for (let g = 1; g <= 3000; g++)
      if (g % 6 === 0 && g % 700 < 90 && g % 10 !== 1 && g % 10 !== 2) expected++;
    expect(count).toBe(expected);
    expect(plan).toMatch(/Index Only Scan using customers_last_order_idx/);
  });

  it('refuses unbounded or oversized rules', () => {
    const ev: Condition = { kind: 'events', fn: 'events', window: {}, op: '>=', value: 1 };
    expect(checkRules({ kind: 'group', op: 'and', rules: [ev] }, NOW)).toEqual([
      { path: 'rules.rules.0.window.since', message: expect.stringMatching(/needs since/) },
    ]);
    const wide: Condition = { ...ev, window: { since: { days: -5000 } } } as Condition;
    expect(checkRules({ kind: 'group', op: 'and', rules: [wide] }, NOW)[0]?.message).toMatch(
      /at most 3650 days/,
    );
    const many = Array.from({ length: 41 }, (): Condition => ({ kind: 'tag', op: 'contains', value: 'x' }));
    expect(checkRules({ kind: 'group', op: 'and', rules: many }, NOW)[0]?.message).toMatch(
      /at most 40 conditions/,
    );
  });
});
