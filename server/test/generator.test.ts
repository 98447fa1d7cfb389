// The store generator: the same seed gives the same store, chunking does not change it, and the
// store has the shapes the benchmarks and a new user's first look rely on.
import { describe, expect, it } from 'vitest';
import { emptyRows, type Rows, StoreGenerator, TABLES, type TableName } from '../../bench/generator/store.ts';

const WS = '0193aaaa-0000-7000-8000-000000000001';
const asOf = new Date('2026-11-01T00:00:00Z');
const make = (seed: number, customers: number) =>
  new StoreGenerator({ seed, customers, workspaceId: WS, asOf, years: 3 });

function all(g: StoreGenerator, step: number): Rows {
  const out = emptyRows();
  const cat = g.catalogue();
  for (const t of Object.keys(cat) as TableName[]) out[t].push(...cat[t]);
  while (g.next < g.opts.customers) {
    const r = g.generate(step);
    for (const t of Object.keys(r) as TableName[]) for (const row of r[t]) out[t].push(row);
  }
  return out;
}

const idx = <T extends TableName>(t: T, c: (typeof TABLES)[T][number]) =>
  (TABLES[t] as readonly string[]).indexOf(c);

describe('store generator', () => {
  it('gives the same store for the same seed, whatever the chunk size, and another store for another seed', () => {
    const a = all(make(7, 400), 400);
    const b = all(make(7, 400), 37);
    expect(b).toEqual(a);
    const c = all(make(8, 400), 400);
    expect(c.customers.map((r) => r[idx('customers', 'email')])).not.toEqual(
      a.customers.map((r) => r[idx('customers', 'email')]),
    );
    expect(c.orders.length).not.toBe(a.orders.length);
  });

  it('has the shapes of a real store', () => {
    const s = all(make(42, 4000), 500);
    const oc = (c: (typeof TABLES)['orders'][number]) => idx('orders', c);
    const orders = s.orders;
    // about ten orders per customer, 1–5 lines each
    expect(orders.length / 4000).toBeGreaterThan(7);
    expect(orders.length / 4000).toBeLessThan(13);
    const lines = new Map<string, number>();
    for (const l of s.order_lines) lines.set(l[1] as string, (lines.get(l[1] as string) ?? 0) + 1);
    expect(Math.min(...lines.values())).toBe(1);
    expect(Math.max(...lines.values())).toBe(5);
    // refunds ≈ 5 % of orders
    const refundRate = s.refunds.length / orders.length;
    expect(refundRate).toBeGreaterThan(0.035);
    expect(refundRate).toBeLessThan(0.065);
    // guest orders ≈ 8 %
    const guests = orders.filter((o) => o[oc('customer_id')] === null).length / orders.length;
    expect(guests).toBeGreaterThan(0.05);
    expect(guests).toBeLessThan(0.11);
    // heavy-tailed spend: the top 20 % of buying customers bring more than half the net revenue
    const spend = new Map<string, number>();
    for (const o of orders) {
      const c = o[oc('customer_id')] as string | null;
      if (c && o[oc('status')] !== 'cancelled')
        spend.set(
          c,
          (spend.get(c) ?? 0) + (o[oc('total_minor')] as number) - (o[oc('refunded_minor')] as number),
        );
    }
    const sorted = [...spend.values()].sort((x, y) => y - x);
    const total = sorted.reduce((x, y) => x + y, 0);
    const top = sorted.slice(0, Math.round(sorted.length * 0.2)).reduce((x, y) => x + y, 0);
    expect(top / total).toBeGreaterThan(0.5);
    // customers go quiet: a good share of buyers have not ordered for 180 days, many still buy
    const last = new Map<string, number>();
    for (const o of orders) {
      const c = o[oc('customer_id')] as string | null;
      if (c) last.set(c, Math.max(last.get(c) ?? 0, Date.parse(o[oc('placed_at')] as string)));
    }
    const quiet = [...last.values()].filter((t) => asOf.getTime() - t > 180 * 86_400_000).length / last.size;
    expect(quiet).toBeGreaterThan(0.25);
    expect(quiet).toBeLessThan(0.8);
    // seasonality: Black Friday week sells far more a day than the rest of November
    const nov = orders
      .map((o) => new Date(o[oc('placed_at')] as string))
      .filter((d) => d.getUTCMonth() === 10 && d.getUTCFullYear() === 2025);
    const bfDays = nov.filter((d) => d.getUTCDate() >= 28).length / 3; // 28 Nov – 1 Dec 2025, November part
    const otherDays = nov.filter((d) => d.getUTCDate() < 27).length / 26;
    expect(bfDays / otherDays).toBeGreaterThan(1.5);
    // discount codes, B2B buyers, several countries, unique emails
    expect(
      orders.filter((o) => (o[oc('discount_codes')] as string[]).length > 0).length / orders.length,
    ).toBeGreaterThan(0.05);
    expect(s.customers.filter((c) => c[idx('customers', 'company')] !== null).length).toBeGreaterThan(40);
    expect(new Set(s.customers.map((c) => c[idx('customers', 'country')])).size).toBeGreaterThan(8);
    const emails = s.customers.map((c) => c[idx('customers', 'email')]);
    expect(new Set(emails).size).toBe(emails.length);
    // browsing: tens of events per customer, mostly tied to a known customer
    expect(s.browsing_events.length / 4000).toBeGreaterThan(25);
    // every row fills every column of its table
    for (const t of Object.keys(TABLES) as TableName[])
      for (const row of s[t].slice(0, 50)) expect(row.length, t).toBe(TABLES[t].length);
  });
});
