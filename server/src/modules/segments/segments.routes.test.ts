import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { rows } from '../../platform/db.ts';

const DAY = 86_400_000;

/** n customers: the i-th has i orders, spent i × 60.00 and last ordered i days ago; every third is VIP. */
async function seed(t: TestApp, ws: string, n: number) {
  for (let i = 1; i <= n; i++)
    await t.database.db.execute(sql`INSERT INTO customers (workspace_id, id, email, first_name, country, tags, orders_count,
        total_spent_minor, aov_minor, currency, first_order_at, last_order_at)
      VALUES (${ws}, ${randomUUID()}, ${`c${i}@example.com`}, ${`C${i}`}, ${i % 2 ? 'DE' : 'FR'},
        ${sql.param(i % 3 === 0 ? ['VIP'] : [])}::text[], ${i}, ${i * 6000}, 6000, 'EUR',
        ${new Date(Date.now() - 400 * DAY).toISOString()}::timestamptz, ${new Date(Date.now() - i * DAY).toISOString()}::timestamptz)`);
}

describe('segments API', () => {
  let t: TestApp;
  let a: Awaited<ReturnType<typeof ownerOf>>;
  let b: Awaited<ReturnType<typeof ownerOf>>;
  beforeAll(async () => {
    t = await startTestApp();
    a = await ownerOf(t, 'A');
    b = await ownerOf(t, 'B');
    await seed(t, a.workspaceId, 20);
    await seed(t, b.workspaceId, 3);
  });
  afterAll(() => t.close());

  it('previews query text: live count, first customers by spend, the canonical text and rules', async () => {
    const res = await a.client.post('/api/v1/segments/preview', {
      query: "amount_spent > 100 and customer_tags contains 'vip' AND last_order_date > -10d",
      limit: 2,
    });
    expect(res.statusCode).toBe(200);
    const body = json<{ count: number; query: string; customers: { email: string }[]; rules: unknown }>(res);
    // written independently: VIP (every third), spent over 100.00, last order within the last 10 days
    const [expected] = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(*) AS n FROM customers WHERE workspace_id = ${a.workspaceId} AND 'VIP' = ANY(tags)
          AND total_spent_minor > 10000 AND last_order_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '9 days'`,
    );
    expect(body.count).toBe(Number(expected!.n));
    expect(body.count).toBe(3); // c3, c6, c9
    expect(body.customers.map((c) => c.email)).toEqual(['c9@example.com', 'c6@example.com']);
    expect(body.query).toBe("amount_spent > 100 AND customer_tags CONTAINS 'vip' AND last_order_date > -10d");
    const again = await a.client.post('/api/v1/segments/preview', { rules: body.rules });
    expect(json(again).count).toBe(3);
  });

  it('exports the matching customers as CSV', async () => {
    const res = await a.client.post('/api/v1/segments/export', {
      query: "customer_tags CONTAINS 'VIP' AND country = 'FR'",
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const lines = res.body.trim().split('\n');
    expect(lines[0]).toBe(
      'id,email,phone,first_name,last_name,country,city,orders,total_spent,currency,last_order_at,tags',
    );
    // VIP = every third, FR = even: c6, c12, c18, by spend
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual([
      'c18@example.com',
      'c12@example.com',
      'c6@example.com',
    ]);
    expect(lines[1]).toContain(',18,1080.00,EUR,');
    const bad = await a.client.post('/api/v1/segments/export', { query: "country = 'FR" });
    expect(bad.statusCode).toBe(400);
  });

  it('refuses malformed text and rules with the position and the reason', async () => {
    const bad = await a.client.post('/api/v1/segments/preview', { query: 'amount_spent > 100 AND' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    expect(json(bad)).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'query', message: expect.stringMatching(/^at character 23: expected a field name/) }],
    });
    const unknown = await a.client.post('/api/v1/segments/preview', { query: "contry = 'DE'" });
    expect(json<{ errors: { message: string }[] }>(unknown).errors[0]!.message).toMatch(
      /unknown field 'contry' — did you mean country/,
    );
    const unbounded = await a.client.post('/api/v1/segments/preview', {
      rules: {
        kind: 'group',
        op: 'and',
        rules: [{ kind: 'events', fn: 'events', window: {}, op: '>=', value: 1 }],
      },
    });
    expect(unbounded.statusCode).toBe(400);
    expect(json(unbounded)).toMatchObject({ errors: [{ path: 'rules.rules.0.window.since' }] });
    const both = await a.client.post('/api/v1/segments/preview', {
      query: 'number_of_orders > 1',
      rules: { kind: 'group', op: 'and', rules: [] },
    });
    expect(both.statusCode).toBe(400);
    const wrongShape = await a.client.post('/api/v1/segments/preview', {
      rules: {
        kind: 'group',
        op: 'xor',
        rules: [{ kind: 'number', field: 'amount_spent', test: { op: '>', value: 1 } }],
      },
    });
    expect(wrongShape.statusCode).toBe(400);
  });

  it('scores RFM quintiles into named groups; a cell opens its customers', async () => {
    const res = await a.client.get('/api/v1/segments/rfm');
    expect(res.statusCode).toBe(200);
    const grid = json<{
      scored: number;
      revenueMinor: number;
      cells: { r: number; f: number; group: string; count: number }[];
      groups: { group: string; count: number; revenueShare: number }[];
    }>(res);
    expect(grid.scored).toBe(20);
    expect(grid.revenueMinor).toBe(((20 * 21) / 2) * 6000);
    // recency and frequency move together in the seed: most recent = fewest orders
    // (c1 ordered yesterday with 1 order → r 5, f 1 → new; c20: r 1, f 5 → can't lose)
    expect(grid.cells).toEqual(
      expect.arrayContaining([
        { r: 5, f: 1, group: 'new', count: 4, revenueMinor: (1 + 2 + 3 + 4) * 6000 },
        { r: 1, f: 5, group: 'cant_lose', count: 4, revenueMinor: (17 + 18 + 19 + 20) * 6000 },
      ]),
    );
    expect(grid.groups.find((g) => g.group === 'cant_lose')!.revenueShare).toBeCloseTo(74 / 210, 5);
    const cell = await a.client.get('/api/v1/segments/rfm/customers?r=1&f=5');
    expect(json(cell)).toMatchObject({ count: 4 });
    expect(json<{ customers: { email: string }[] }>(cell).customers.map((c) => c.email)).toEqual([
      'c20@example.com',
      'c19@example.com',
      'c18@example.com',
      'c17@example.com',
    ]);
    const group = await a.client.get('/api/v1/segments/rfm/customers?group=new');
    expect(json(group)).toMatchObject({ count: 4 });
    expect((await a.client.get('/api/v1/segments/rfm/customers?r=9&f=1')).statusCode).toBe(400);
  });

  it('keeps workspaces apart', async () => {
    const q = { query: 'number_of_orders >= 1' };
    expect(json(await a.client.post('/api/v1/segments/preview', q)).count).toBe(20);
    const other = json<{ count: number; customers: { email: string }[] }>(
      await b.client.post('/api/v1/segments/preview', q),
    );
    expect(other.count).toBe(3);
    expect(json(await b.client.get('/api/v1/segments/rfm')).scored).toBe(3);
    expect(json(await b.client.get('/api/v1/segments/rfm/customers?group=new')).count).toBeLessThanOrEqual(3);
    const anon = await t.app.inject({ method: 'GET', url: '/api/v1/segments/rfm' });
    expect(anon.statusCode).toBe(401);
  });
});
