// The product page's data: variants, sales totals, months, top buyers, bought-with, latest orders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof ownerOf>>;
beforeAll(async () => {
  t = await startTestApp();
  owner = await ownerOf(t, 'Mug Shop');
});
afterAll(() => t?.close());

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
const line = (productExternalId: string, quantity: number, unitPriceMinor: number, discountMinor = 0) => ({
  productExternalId,
  title: productExternalId === 'P-MUG' ? 'Mug' : 'Teapot',
  quantity,
  unitPriceMinor,
  discountMinor,
});
const order = (id: string, email: string, days: number, lines: unknown[], extra = {}) => ({
  externalId: id,
  number: `#${id}`,
  currency: 'EUR',
  totalMinor: 1,
  lines,
  customer: { email },
  placedAt: daysAgo(days),
  updatedAt: daysAgo(days),
  ...extra,
});

type Detail = {
  id: string;
  title: string;
  variants: { sku: string | null; inventoryQuantity: number | null }[];
  sales: {
    orders: number;
    units: number;
    revenueMinor: number;
    customers: number;
    currency: string | null;
    mixedCurrencies: boolean;
    lastSoldAt: string | null;
  };
  monthly: { month: string; units: number; revenueMinor: number }[];
  topCustomers: { email: string | null; units: number; revenueMinor: number }[];
  boughtWith: { title: string; orders: number; id: string | null }[];
  recentOrders: { number: string; quantity: number }[];
};

async function productId(client: typeof owner.client, externalId: string) {
  const page = json<{ data: { id: string; externalId: string }[] }>(
    await client.get(`/api/v1/products?q=${externalId}`),
  );
  return page.data.find((p) => p.externalId === externalId)!.id;
}

describe('product page', () => {
  it('sums what the product sold, who bought it and what went with it; cancelled orders do not count', async () => {
    const products = await owner.client.post('/api/v1/products/batch', {
      items: [
        {
          externalId: 'P-MUG',
          title: 'Mug',
          currency: 'EUR',
          variants: [
            { externalId: 'V-MUG-B', sku: 'MUG-B', priceMinor: 1200, inventoryQuantity: 7 },
            { externalId: 'V-MUG-W', sku: 'MUG-W', priceMinor: 1200, inventoryQuantity: 3 },
          ],
          updatedAt: daysAgo(100),
        },
        { externalId: 'P-POT', title: 'Teapot', currency: 'EUR', updatedAt: daysAgo(100) },
      ],
    });
    expect(products.statusCode).toBe(200);
    const orders = await owner.client.post('/api/v1/orders/batch', {
      items: [
        order('M1', 'ann@example.com', 40, [line('P-MUG', 2, 1200, 400), line('P-POT', 1, 4000)]),
        order('M2', 'ann@example.com', 10, [line('P-MUG', 1, 1200)]),
        order('M3', 'bob@example.com', 5, [
          line('P-MUG', 2, 1200),
          line('P-POT', 1, 4000),
          line('P-MUG', 1, 1200),
        ]),
        order('M4', 'cy@example.com', 2, [line('P-MUG', 9, 1200)], {
          status: 'cancelled',
          cancelledAt: daysAgo(1),
        }),
      ],
    });
    expect(orders.statusCode).toBe(200);

    const id = await productId(owner.client, 'P-MUG');
    const res = await owner.client.get(`/api/v1/products/${id}`);
    expect(res.statusCode).toBe(200);
    const p = json<Detail>(res);
    expect(p.title).toBe('Mug');
    expect(p.variants.map((v) => [v.sku, v.inventoryQuantity])).toEqual([
      ['MUG-B', 7],
      ['MUG-W', 3],
    ]);
    // M1: 2×12.00 − 4.00 = 20.00, M2: 12.00, M3: 36.00; M4 is cancelled.
    expect(p.sales).toMatchObject({
      orders: 3,
      units: 6,
      revenueMinor: 6800,
      customers: 2,
      currency: 'EUR',
      mixedCurrencies: false,
    });
    expect(p.monthly.reduce((s, m) => s + m.units, 0)).toBe(6);
    expect(p.monthly.reduce((s, m) => s + m.revenueMinor, 0)).toBe(6800);
    expect(p.topCustomers).toEqual([
      expect.objectContaining({ email: 'bob@example.com', units: 3, revenueMinor: 3600 }),
      expect.objectContaining({ email: 'ann@example.com', units: 3, revenueMinor: 3200 }),
    ]);
    const pot = await productId(owner.client, 'P-POT');
    expect(p.boughtWith).toEqual([{ id: pot, externalId: 'P-POT', title: 'Teapot', orders: 2 }]);
    expect(p.recentOrders.map((o) => [o.number, o.quantity])).toEqual([
      ['#M3', 3],
      ['#M2', 1],
      ['#M1', 2],
    ]);
  });

  it('answers an unsold product with zeros, another workspace with 404 and a malformed id with 400', async () => {
    await owner.client.post('/api/v1/products/batch', {
      items: [{ externalId: 'P-NEW', title: 'New lamp', updatedAt: daysAgo(1) }],
    });
    const id = await productId(owner.client, 'P-NEW');
    const p = json<Detail>(await owner.client.get(`/api/v1/products/${id}`));
    expect(p.sales).toMatchObject({ orders: 0, units: 0, revenueMinor: 0, customers: 0, lastSoldAt: null });
    expect(p.monthly).toEqual([]);
    expect(p.topCustomers).toEqual([]);

    const other = await ownerOf(t, 'Other Shop');
    const foreign = await other.client.get(`/api/v1/products/${id}`);
    expect(foreign.statusCode).toBe(404);
    expect(json<{ code: string }>(foreign).code).toBe('not_found');
    const bad = await owner.client.get("/api/v1/products/1'%20OR%201=1");
    expect(bad.statusCode).toBe(400);
  });
});
