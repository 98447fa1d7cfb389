// Webhooks through HTTP: Shopify and WooCommerce topics with their real payloads, signatures,
// redeliveries, malformed bodies, and workspace isolation.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { rows } from '../../platform/db.ts';

const data = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../../../shared/data');
const fixture = (dir: string, file: string) => fs.readFileSync(path.join(data, dir, file), 'utf8');
const shopify = (file: string, key: string) =>
  JSON.stringify(JSON.parse(fixture('shopify-rest-fixtures', file))[key]);

let t: TestApp;
let owner: Awaited<ReturnType<typeof ownerOf>>;
let other: Awaited<ReturnType<typeof ownerOf>>;
const SHOP = 'patron-test.myshopify.com';
const SECRET = 'shpss_test_secret_123456';
const WOO = 'https://woo.example.com';
const WOO_SECRET = 'woo-secret-abcdef';

beforeAll(async () => {
  t = await startTestApp();
  owner = await ownerOf(t, 'Store A');
  other = await ownerOf(t, 'Store B');
  expect(
    (await owner.client.post('/api/v1/integrations', { kind: 'shopify', address: SHOP, secret: SECRET }))
      .statusCode,
  ).toBe(201);
  expect(
    (
      await owner.client.post('/api/v1/integrations', {
        kind: 'woocommerce',
        address: WOO,
        secret: WOO_SECRET,
      })
    ).statusCode,
  ).toBe(201);
});
afterAll(() => t?.close());

const sign = (body: string, secret: string) => createHmac('sha256', secret).update(body).digest('base64');
let seq = 0;
function sendShopify(
  topic: string,
  body: string,
  opts: { hmac?: string; shop?: string; eventId?: string } = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/shopify',
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-shop-domain': opts.shop ?? SHOP,
      'x-shopify-hmac-sha256': opts.hmac ?? sign(body, SECRET),
      'x-shopify-event-id': opts.eventId ?? `evt-${++seq}`,
    },
    payload: body,
  });
}
function sendWoo(topic: string, body: string, opts: { signature?: string; deliveryId?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/woocommerce',
    headers: {
      'content-type': 'application/json',
      'x-wc-webhook-topic': topic,
      'x-wc-webhook-source': `${WOO}/`,
      'x-wc-webhook-signature': opts.signature ?? sign(body, WOO_SECRET),
      'x-wc-webhook-delivery-id': opts.deliveryId ?? `d-${++seq}`,
    },
    payload: body,
  });
}
const count = async (table: string, workspaceId: string) =>
  Number(
    (
      await rows<{ n: string }>(
        t.database.db,
        sql`SELECT count(*)::text AS n FROM ${sql.raw(table)} WHERE workspace_id = ${workspaceId}`,
      )
    )[0]!.n,
  );

describe('Shopify webhooks', () => {
  it('refuses a wrong signature or an unknown shop with 401 and stores nothing', async () => {
    const body = shopify('order.json', 'order');
    const before = await count('webhook_deliveries', owner.workspaceId);
    expect((await sendShopify('orders/create', body, { hmac: sign(body, 'wrong-secret') })).statusCode).toBe(
      401,
    );
    expect((await sendShopify('orders/create', body, { hmac: 'garbage' })).statusCode).toBe(401);
    expect((await sendShopify('orders/create', body, { shop: 'unknown.myshopify.com' })).statusCode).toBe(
      401,
    );
    expect((await sendShopify('orders/create', `${body} `, { hmac: sign(body, SECRET) })).statusCode).toBe(
      401,
    );
    expect(await count('orders', owner.workspaceId)).toBe(0);
    expect(await count('webhook_deliveries', owner.workspaceId)).toBe(before);
  });

  it('stores an order with its customer, and a redelivery changes nothing', async () => {
    const body = shopify('order.json', 'order');
    const first = await sendShopify('orders/create', body, { eventId: 'order-evt' });
    expect(first.statusCode).toBe(200);
    expect(json(first).status).toBe('processed');
    const again = await sendShopify('orders/create', body, { eventId: 'order-evt' });
    expect(json(again).status).toBe('duplicate');
    const list = json<{
      data: { number: string; totalMinor: number; customerEmail: string; externalId: string }[];
    }>(await owner.client.get('/api/v1/orders?q=1001'));
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({
      number: '#1001',
      totalMinor: 40994,
      customerEmail: 'bob.norman@hostmail.com',
      externalId: '450789469',
    });
    // the same payload delivered under a new event id is stale (not newer), still one order
    expect(json(await sendShopify('orders/updated', body)).status).toBe('processed');
    expect(await count('orders', owner.workspaceId)).toBe(1);
  });

  it('takes refunds, customers, products and checkouts from their real payloads', async () => {
    expect((await sendShopify('refunds/create', shopify('refund.json', 'refund'))).statusCode).toBe(200);
    expect((await sendShopify('customers/create', shopify('customer.json', 'customer'))).statusCode).toBe(
      200,
    );
    expect((await sendShopify('products/create', shopify('product.json', 'product'))).statusCode).toBe(200);
    const checkout = JSON.stringify(
      JSON.parse(fixture('shopify-rest-fixtures', 'checkouts.json')).checkouts[0],
    );
    expect((await sendShopify('checkouts/create', checkout)).statusCode).toBe(200);
    expect(await count('refunds', owner.workspaceId)).toBe(1);
    expect(await count('checkouts', owner.workspaceId)).toBe(1);
    const products = json<{ data: { title: string; variants: unknown[] }[] }>(
      await owner.client.get('/api/v1/products'),
    );
    expect(products.data[0]!.title).toBe('IPod Nano - 8GB');
    expect(products.data[0]!.variants.length).toBeGreaterThan(0);
    // the order's customer and the customer webhook are one person
    const customers = json<{ data: { email: string }[] }>(
      await owner.client.get('/api/v1/customers?q=bob.norman'),
    );
    expect(customers.data).toHaveLength(1);
  });

  it('keeps every digit of ids beyond 2^53', async () => {
    const body = shopify('order.json', 'order')
      .replace('"id":450789469', '"id":12345678901234567890')
      .replace('"name":"#1001"', '"name":"#9001"');
    expect((await sendShopify('orders/create', body)).statusCode).toBe(200);
    const list = json<{ data: { externalId: string }[] }>(
      await owner.client.get('/api/v1/orders?q=12345678901234567890'),
    );
    expect(list.data.map((o) => o.externalId)).toEqual(['12345678901234567890']);
  });

  it('records consent changes and privacy requests', async () => {
    const consent = JSON.stringify({
      customer_id: 207119551,
      email_address: 'bob.norman@hostmail.com',
      email_marketing_consent: {
        state: 'unsubscribed',
        opt_in_level: 'single_opt_in',
        consent_updated_at: '2026-11-01T10:00:00Z',
      },
    });
    expect((await sendShopify('customers/email_marketing_consent_update', consent)).statusCode).toBe(200);
    const c = json<{ data: { emailConsent: string }[] }>(
      await owner.client.get('/api/v1/customers?q=bob.norman'),
    );
    expect(c.data[0]!.emailConsent).toBe('unsubscribed');
    const redact = JSON.stringify({
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 207119551, email: 'bob.norman@hostmail.com', phone: null },
      orders_to_redact: [450789469],
    });
    expect((await sendShopify('customers/redact', redact)).statusCode).toBe(200);
    expect(await count('privacy_requests', owner.workspaceId)).toBe(1);
  });

  it('answers 422 for a signed payload it cannot read, keeps the failed delivery and stores no data', async () => {
    const before = await count('orders', owner.workspaceId);
    const broken = '{"id": 1, "line_items": "not a list", "total_price": "abc"';
    const res = await sendShopify('orders/create', broken);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const missing = await sendShopify('orders/create', JSON.stringify({ id: 77 }));
    expect(missing.statusCode).toBe(422);
    expect(json<{ detail: string }>(missing).detail).toMatch(/\w+/);
    expect(await count('orders', owner.workspaceId)).toBe(before);
    const rejected = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(*)::text AS n FROM webhook_deliveries WHERE workspace_id = ${owner.workspaceId} AND status = 'rejected'`,
    );
    expect(Number(rejected[0]!.n)).toBeGreaterThanOrEqual(2);
  });

  it('never shows one workspace the other one’s store data', async () => {
    expect(json<{ data: unknown[] }>(await other.client.get('/api/v1/orders')).data).toEqual([]);
    expect(json<{ data: unknown[] }>(await other.client.get('/api/v1/customers')).data).toEqual([]);
    expect(json<{ data: unknown[] }>(await other.client.get('/api/v1/integrations')).data).toEqual([]);
    // B cannot take over A's shop
    const res = await other.client.post('/api/v1/integrations', {
      kind: 'shopify',
      address: SHOP,
      secret: 'another-secret-1',
    });
    expect(res.statusCode).toBe(409);
  });
});

describe('WooCommerce webhooks', () => {
  it('stores a documented order with money from strings, and ignores a redelivery', async () => {
    const body = fixture('woocommerce-rest-examples', 'orders__retrieve_an_order.json');
    expect((await sendWoo('order.created', body, { deliveryId: 'woo-1' })).statusCode).toBe(200);
    expect(json(await sendWoo('order.created', body, { deliveryId: 'woo-1' })).status).toBe('duplicate');
    const list = json<{ data: { source: string; number: string; totalMinor: number }[] }>(
      await owner.client.get('/api/v1/orders?q=727'),
    );
    expect(list.data.find((o) => o.source === 'woocommerce')).toMatchObject({
      number: '727',
      totalMinor: 2935,
    });
  });

  it('takes customers and products, refuses a bad signature, and answers the creation ping', async () => {
    expect(
      (
        await sendWoo(
          'customer.created',
          fixture('woocommerce-rest-examples', 'customers__create_a_customer.json'),
        )
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await sendWoo(
          'product.created',
          fixture('woocommerce-rest-examples', 'products__create_a_product.json'),
        )
      ).statusCode,
    ).toBe(200);
    const body = fixture('woocommerce-rest-examples', 'orders__update_an_order.json');
    expect((await sendWoo('order.updated', body, { signature: sign(body, 'nope') })).statusCode).toBe(401);
    const ping = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/woocommerce',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-wc-webhook-source': `${WOO}/` },
      payload: 'webhook_id=42',
    });
    expect(ping.statusCode).toBe(200);
  });
});

describe('every other topic', () => {
  const base = () => JSON.parse(shopify('order.json', 'order')) as Record<string, unknown>;
  const orderState = async (number: string) =>
    (
      await rows<{ status: string; financial_status: string | null; fulfillment_status: string | null }>(
        t.database.db,
        sql`SELECT status, financial_status, fulfillment_status FROM orders WHERE workspace_id = ${owner.workspaceId} AND number = ${number}`,
      )
    )[0];

  it('follows an order through paid, fulfilled and cancelled (Shopify)', async () => {
    const order = { ...base(), id: 5550001, name: '#5001', updated_at: '2026-02-01T10:00:00-05:00' };
    expect((await sendShopify('orders/create', JSON.stringify(order))).statusCode).toBe(200);
    const paid = { ...order, financial_status: 'paid', updated_at: '2026-02-01T11:00:00-05:00' };
    expect((await sendShopify('orders/paid', JSON.stringify(paid))).statusCode).toBe(200);
    expect((await orderState('#5001'))?.financial_status).toBe('paid');
    const fulfilled = { ...paid, fulfillment_status: 'fulfilled', updated_at: '2026-02-01T12:00:00-05:00' };
    expect((await sendShopify('orders/fulfilled', JSON.stringify(fulfilled))).statusCode).toBe(200);
    expect((await orderState('#5001'))?.fulfillment_status).toBe('fulfilled');
    const cancelled = {
      ...fulfilled,
      cancelled_at: '2026-02-02T09:00:00-05:00',
      cancel_reason: 'customer',
      updated_at: '2026-02-02T09:00:00-05:00',
    };
    expect((await sendShopify('orders/cancelled', JSON.stringify(cancelled))).statusCode).toBe(200);
    expect((await orderState('#5001'))?.status).toBe('cancelled');
  });

  it('updates and deletes customers and products, updates checkouts, records data requests (Shopify)', async () => {
    const customer = {
      ...JSON.parse(shopify('customer.json', 'customer')),
      id: 7770001,
      email: 'topics@example.com',
      first_name: 'Before',
      updated_at: '2026-02-01T00:00:00Z',
    };
    expect((await sendShopify('customers/create', JSON.stringify(customer))).statusCode).toBe(200);
    expect(
      (
        await sendShopify(
          'customers/update',
          JSON.stringify({ ...customer, first_name: 'After', updated_at: '2026-02-03T00:00:00Z' }),
        )
      ).statusCode,
    ).toBe(200);
    expect(
      json<{ data: { firstName: string }[] }>(
        await owner.client.get('/api/v1/customers?q=topics@example.com'),
      ).data[0]!.firstName,
    ).toBe('After');
    expect((await sendShopify('customers/delete', JSON.stringify({ id: 7770001 }))).statusCode).toBe(200);
    expect(
      json<{ data: unknown[] }>(await owner.client.get('/api/v1/customers?q=topics@example.com')).data,
    ).toEqual([]);

    const product = {
      ...JSON.parse(shopify('product.json', 'product')),
      id: 8880001,
      title: 'Topic lamp',
      updated_at: '2026-02-01T00:00:00Z',
    };
    expect((await sendShopify('products/create', JSON.stringify(product))).statusCode).toBe(200);
    expect(
      (
        await sendShopify(
          'products/update',
          JSON.stringify({ ...product, title: 'Topic lamp II', updated_at: '2026-02-02T00:00:00Z' }),
        )
      ).statusCode,
    ).toBe(200);
    expect(
      json<{ data: { title: string }[] }>(await owner.client.get('/api/v1/products?q=Topic lamp')).data.map(
        (p) => p.title,
      ),
    ).toEqual(['Topic lamp II']);
    expect((await sendShopify('products/delete', JSON.stringify({ id: 8880001 }))).statusCode).toBe(200);
    expect(json<{ data: unknown[] }>(await owner.client.get('/api/v1/products?q=Topic lamp')).data).toEqual(
      [],
    );

    const checkout = JSON.parse(fixture('shopify-rest-fixtures', 'checkouts.json')).checkouts[0];
    const later = { ...checkout, completed_at: '2026-02-05T00:00:00Z', updated_at: '2026-02-05T00:00:00Z' };
    expect((await sendShopify('checkouts/update', JSON.stringify(later))).statusCode).toBe(200);
    const done = await rows<{ completed_at: string | null }>(
      t.database.db,
      sql`SELECT completed_at FROM checkouts WHERE workspace_id = ${owner.workspaceId}`,
    );
    expect(done.some((c) => c.completed_at)).toBe(true);

    const before = await count('privacy_requests', owner.workspaceId);
    const request = {
      shop_id: 1,
      shop_domain: SHOP,
      orders_requested: [450789469],
      customer: { id: 207119551, email: 'bob.norman@hostmail.com', phone: null },
      data_request: { id: 9999 },
    };
    expect((await sendShopify('customers/data_request', JSON.stringify(request))).statusCode).toBe(200);
    expect(await count('privacy_requests', owner.workspaceId)).toBe(before + 1);
  });

  it('handles the remaining WooCommerce order, customer and product topics', async () => {
    const order = JSON.parse(fixture('woocommerce-rest-examples', 'orders__retrieve_an_order.json'));
    const mine = { ...order, id: 9901, number: '9901', date_modified_gmt: '2026-03-01T10:00:00' };
    expect((await sendWoo('order.created', JSON.stringify(mine))).statusCode).toBe(200);
    expect(
      (
        await sendWoo(
          'order.updated',
          JSON.stringify({ ...mine, status: 'completed', date_modified_gmt: '2026-03-02T10:00:00' }),
        )
      ).statusCode,
    ).toBe(200);
    expect((await orderState('9901'))?.status).toBe('closed');
    expect((await sendWoo('order.deleted', JSON.stringify({ id: 9901 }))).statusCode).toBe(200);
    expect((await orderState('9901'))?.status).toBe('cancelled');
    expect(
      (
        await sendWoo(
          'order.restored',
          JSON.stringify({ ...mine, status: 'processing', date_modified_gmt: '2026-03-04T10:00:00' }),
        )
      ).statusCode,
    ).toBe(200);

    const customer = JSON.parse(fixture('woocommerce-rest-examples', 'customers__retrieve_a_customer.json'));
    expect(
      (
        await sendWoo(
          'customer.updated',
          JSON.stringify({ ...customer, first_name: 'Wooed', date_modified_gmt: '2026-03-05T00:00:00' }),
        )
      ).statusCode,
    ).toBe(200);
    expect(
      json<{ data: { firstName: string }[] }>(
        await owner.client.get(`/api/v1/customers?q=${encodeURIComponent(customer.email)}`),
      ).data[0]!.firstName,
    ).toBe('Wooed');
    expect((await sendWoo('customer.deleted', JSON.stringify({ id: customer.id }))).statusCode).toBe(200);
    expect(
      json<{ data: unknown[] }>(
        await owner.client.get(`/api/v1/customers?q=${encodeURIComponent(customer.email)}`),
      ).data,
    ).toEqual([]);

    const product = JSON.parse(fixture('woocommerce-rest-examples', 'products__retrieve_a_product.json'));
    for (const topic of ['product.updated', 'product.restored']) {
      expect(
        (await sendWoo(topic, JSON.stringify({ ...product, date_modified_gmt: '2026-03-06T00:00:00' })))
          .statusCode,
      ).toBe(200);
    }
    expect((await sendWoo('product.deleted', JSON.stringify({ id: product.id }))).statusCode).toBe(200);
    expect(
      json<{ data: { externalId: string }[] }>(await owner.client.get('/api/v1/products')).data.some(
        (p) => p.externalId === String(product.id),
      ),
    ).toBe(false);
  });
});
