// Store data in a real browser: connect a Shopify shop on the integrations page, receive a signed
// order webhook (a real Shopify payload), see the order; import a real retailer's CSV with the wizard.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Server, shoot, startServer, waitForText } from './support.ts';

const data = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../shared/data');
let server: Server;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  page = await browser.newPage();
  const res = await fetch(`${server.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      workspaceName: 'Gadget Barn',
      name: 'Grace Owner',
      email: 'grace@gadgetbarn.example',
      password: 'gadgets-galore-1',
    }),
  });
  expect(res.status).toBe(201);
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel(/email/i).fill('grace@gadgetbarn.example');
  await page.getByLabel(/password/i).fill('gadgets-galore-1');
  await page.getByRole('button', { name: /^sign in$/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('store data', () => {
  const secret = 'shpss_e2e_0123456789abcdef';
  it('connects a Shopify shop and shows the webhook URL to paste', async () => {
    await page.goto(`${server.url}/integrations`);
    await expect.poll(() => page.getByRole('heading', { name: /^integrations$/i }).isVisible()).toBe(true);
    await page.getByLabel(/shop domain/i).fill('gadget-barn.myshopify.com');
    await page.getByLabel(/webhook secret/i).fill(secret);
    await page.getByRole('button', { name: /connect store/i }).click();
    await expect.poll(() => page.getByText('gadget-barn.myshopify.com').first().isVisible()).toBe(true);
    expect(await page.locator('body').innerText()).toContain('/api/v1/webhooks/shopify');
  });

  it('receives a signed order webhook and shows the order', async () => {
    const order = JSON.parse(
      fs.readFileSync(path.join(data, 'shopify-rest-fixtures/order.json'), 'utf8'),
    ).order;
    const body = JSON.stringify(order);
    const send = (hmac: string, id: string) =>
      fetch(`${server.url}/api/v1/webhooks/shopify`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-shop-domain': 'gadget-barn.myshopify.com',
          'x-shopify-hmac-sha256': hmac,
          'x-shopify-event-id': id,
        },
        body,
      });
    const good = createHmac('sha256', secret).update(body).digest('base64');
    expect((await send('bm90IHRoZSByaWdodCBzaWduYXR1cmU=', 'evt-1')).status).toBe(401);
    expect((await send(good, 'evt-1')).status).toBe(200);
    const again = await send(good, 'evt-1');
    expect(again.status).toBe(200);
    expect((await again.json()).status).toBe('duplicate');

    await page.goto(`${server.url}/orders`);
    await expect.poll(() => page.getByText('#1001').first().isVisible()).toBe(true);
    expect(await page.getByText('#1001').count()).toBe(1);
    await shoot(page, '10-orders-desktop');
    await page.getByText('#1001').first().click();
    await expect.poll(() => page.getByRole('heading', { name: /order #1001/i }).isVisible()).toBe(true);
    const text = await page.locator('main').innerText();
    expect(text).toContain('IPod Nano - 8gb');
    expect(text).toMatch(/409\.94/);
    // the order names its customer, a link to their page
    const customerLink = page.locator('main a[href^="/customers/"]');
    expect(await customerLink.innerText()).toMatch(/Bob Norman/);
    expect(text).toContain('bob.norman@hostmail.com');
    await shoot(page, '11-order-desktop');

    // The catalogue: the product arrives by its own webhook; its page shows what the order sold.
    const product = fs.readFileSync(path.join(data, 'shopify-rest-fixtures/product.json'), 'utf8');
    const productBody = JSON.stringify(JSON.parse(product).product);
    const created = await fetch(`${server.url}/api/v1/webhooks/shopify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'products/create',
        'x-shopify-shop-domain': 'gadget-barn.myshopify.com',
        'x-shopify-hmac-sha256': createHmac('sha256', secret).update(productBody).digest('base64'),
        'x-shopify-event-id': 'evt-product-1',
      },
      body: productBody,
    });
    expect(created.status).toBe(200);
    await page.goto(`${server.url}/products`);
    await page.getByText('IPod Nano - 8GB').first().click();
    await expect.poll(() => page.getByRole('heading', { name: 'IPod Nano - 8GB' }).isVisible()).toBe(true);
    await waitForText(page, /Latest orders/);
    const productText = await page.locator('main').innerText();
    expect(productText).toContain('#1001');
    expect(productText).toMatch(/Units sold\s+3/);
    expect(await page.getByText('#1001').count()).toBe(1);
    await shoot(page, '16-product-desktop');
    await page.goto(`${server.url}/integrations`);
    await expect.poll(() => page.getByText('orders/create').first().isVisible()).toBe(true);
    await shoot(page, '12-integrations-desktop');
  });

  it('imports a real retailer month from CSV with the wizard: dry run, then for real', async () => {
    await page.goto(`${server.url}/imports`);
    await page.getByLabel(/what the file holds/i).selectOption('orders');
    await page.getByLabel(/currency of the amounts/i).fill('GBP');
    await page
      .getByLabel(/^file$/i)
      .setInputFiles(path.join(data, 'online-retail/online_retail_uci_2010-12.csv'));
    await page.getByRole('button', { name: /upload and map columns/i }).click();
    await waitForText(page, /42,481 rows/, 90_000);
    expect(await page.getByLabel(/order number/i).inputValue()).toBe('InvoiceNo');
    await shoot(page, '13-import-mapping-desktop');
    await page.getByRole('button', { name: /^dry run$/i }).click();
    await waitForText(page, /dry run finished/i, 120_000);
    await page.getByRole('button', { name: /import for real/i }).click();
    await waitForText(page, /^import finished/i, 240_000);
    const summary = await page.locator('main').innerText();
    expect(summary).toContain('1,699 / 0'); // orders created / updated
    expect(summary).toContain('326 / 0'); // refunds (cancelled invoices)
    expect(summary).toContain('948 / 0'); // customers
    await shoot(page, '14-import-done-desktop');
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${server.url}/orders`);
    await expect
      .poll(() =>
        page
          .getByText(/^C?5\d{5}$/)
          .first()
          .isVisible(),
      )
      .toBe(true);
    await shoot(page, '15-orders-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 480_000);
});
