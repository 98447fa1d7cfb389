// The customer list at scale in a real browser: 3,000 customers (written straight into the database)
// scroll to the end with later pages loading as the end nears, while the page holds only the rows on
// screen; all loaded can be chosen at once; custom fields become columns, sort keys and filters, kept
// in a saved view; on a phone the list is cards. Screenshots at desktop and phone width.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, type Store, storeWithOwner, waitForText } from './support.ts';

let store: Store;
let page: Page;
const TOTAL = 3000;
const cursorRequests: string[] = [];

/** The visible part of the page (a full-page shot of 3,000 rows' height says nothing more). */
async function shootView(name: string) {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 20_000 });
const loaded = () => page.getByTestId('loaded-count').innerText();

/** Scrolls to the end of the list again and again until every customer has loaded. */
async function scrollToEnd() {
  const deadline = Date.now() + 90_000;
  while (!/all loaded/.test(await loaded())) {
    if (Date.now() > deadline) throw new Error(`still ${await loaded()} after 90 s of scrolling`);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForTimeout(120);
  }
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

beforeAll(async () => {
  store = await storeWithOwner({
    workspaceName: 'Nordlys Outfitters',
    name: 'Mari Owner',
    email: 'mari@nordlys.example',
    password: 'northern-lights-all-winter-1',
  });
  page = store.page;
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/customers?') && r.url().includes('cursor=')) cursorRequests.push(r.url());
  });
  for (const f of [
    { key: 'plan', label: 'Plan', type: 'select', options: ['basic', 'pro', 'enterprise'] },
    { key: 'credit', label: 'Store credit', type: 'money' },
    { key: 'renewal', label: 'Renewal', type: 'date' },
    { key: 'vip', label: 'VIP', type: 'boolean' },
    { key: 'site', label: 'Website', type: 'url' },
  ])
    expect(await store.post('/custom-fields', f)).toBe(201);
  const ws = (await store.sql.query('SELECT id FROM workspaces LIMIT 1')).rows[0].id as string;
  await store.sql.query(
    `INSERT INTO customers (workspace_id, id, email, first_name, last_name, country, orders_count,
                            total_spent_minor, currency, last_order_at, lifecycle_stage, tier, health_score, custom)
     SELECT $1, gen_random_uuid(), 'shopper' || n || '@nordlys.example',
            (ARRAY['Astrid','Bjørn','Camilla','Dag','Eli','Frida','Gunnar','Hedda','Ivar','Johanne'])[(n * 7) % 10 + 1],
            (ARRAY['Solberg','Haugen','Lie','Dahl','Berg','Strand','Moen','Eide','Lund','Vik','Bakke'])[(n * 13) % 11 + 1],
            (ARRAY['NO','SE','DK','DE'])[n % 4 + 1], (n * 17) % 12, (n * 1375) % 500000, 'EUR',
            now() - ((n * 31) % 400) * interval '1 day',
            (ARRAY['lead','customer','loyal','at_risk','churned'])[(n / 3) % 5 + 1],
            (ARRAY['gold','silver','bronze'])[(n / 2) % 3 + 1], (n * 37) % 100 + 1,
            jsonb_build_object('plan', (ARRAY['basic','pro','enterprise'])[n % 3 + 1],
                               'credit', (n * 7919) % 20000,
                               'renewal', to_char(date '2026-01-01' + (n % 365), 'YYYY-MM-DD'),
                               'vip', n % 10 = 0,
                               'site', 'https://shop' || n || '.example')
       FROM generate_series(1, ${TOTAL}) AS n`,
    [ws],
  );
});
afterAll(() => store?.close());

describe('customer list', () => {
  it('scrolls through 3,000 customers, loading pages as the end nears, with only the visible rows in the page', async () => {
    await page.goto(`${store.server.url}/customers`);
    await poll(loaded).toMatch(/^100 loaded/);
    expect(cursorRequests).toHaveLength(0);
    await scrollToEnd();
    expect(await loaded()).toBe('3,000 customers, all loaded');
    // 29 further pages of 100, each by the cursor of the one before
    expect(new Set(cursorRequests).size).toBe(TOTAL / 100 - 1);
    // thousands loaded, a screenful (and some to spare) in the page
    const inDom = await page.locator('tbody tr').count();
    expect(inDom).toBeGreaterThan(5);
    expect(inDom).toBeLessThan(200);
    // the last customer is on screen at the end
    const last = page.locator(`tbody tr[aria-rowindex="${TOTAL + 1}"]`);
    await poll(() => last.isVisible()).toBe(true);
    // the list is as tall as all its rows, though only a few are drawn
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeGreaterThan(TOTAL * 40);
  });

  it('chooses every loaded customer at once for a bulk action', async () => {
    await page.getByLabel(`Choose all ${TOTAL} loaded`).check();
    await expect
      .poll(() => page.getByRole('toolbar', { name: 'Chosen customers' }).innerText())
      .toMatch(/3,000 chosen/);
    await page.getByRole('toolbar').getByRole('button', { name: 'Clear' }).click();
    await poll(() => page.getByRole('toolbar', { name: 'Chosen customers' }).count()).toBe(0);
  });

  it('opens a customer from the keyboard', async () => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const firstLink = page.locator('tbody tr').first().getByRole('link');
    const name = await firstLink.innerText();
    await firstLink.focus();
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('heading', { name }).isVisible()).toBe(true);
    await page.goBack();
    await poll(loaded).toMatch(/loaded/);
  });

  it('shows custom fields as columns, sorts and filters by them, and keeps them in a saved view', async () => {
    await page.goto(`${store.server.url}/customers`);
    await poll(loaded).toMatch(/^100 loaded/);
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByLabel('Plan', { exact: true }).check();
    await page.getByLabel('Store credit', { exact: true }).check();
    await page.getByLabel('VIP', { exact: true }).check();
    await page.getByLabel('Website', { exact: true }).check();
    await page.getByLabel('Last order', { exact: true }).uncheck();
    await page.getByLabel('Health', { exact: true }).uncheck();
    await page.getByLabel('Orders', { exact: true }).uncheck();
    await page.keyboard.press('Escape');
    const headers = await page.locator('thead th').allInnerTexts();
    expect(headers.map((h) => h.replace(/[▲▼↕]/g, '').trim())).toEqual([
      '',
      'CUSTOMER',
      'STAGE',
      'SPENT',
      'PLAN',
      'STORE CREDIT',
      'VIP',
      'WEBSITE',
    ]);
    // sorted by store credit, highest first: the database agrees on who leads
    await page.getByRole('button', { name: /^Store credit/ }).click();
    const top = await store.sql.query(
      "SELECT email::text, (custom->>'credit')::int AS credit FROM customers ORDER BY (custom->>'credit')::int DESC, id DESC LIMIT 1",
    );
    const firstRow = page.locator('tbody tr').first();
    await poll(() => firstRow.innerText()).toContain(top.rows[0].email);
    expect(await firstRow.innerText()).toContain(`€${(top.rows[0].credit / 100).toFixed(2)}`);
    expect(await page.getByRole('columnheader', { name: /Store credit/ }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    // filters on custom fields: enterprise plan and VIP
    await page.getByLabel('Filter by a custom field').selectOption({ label: 'Plan' });
    await page.getByLabel('Plan', { exact: true }).selectOption('enterprise');
    await page.getByLabel('Filter by a custom field').selectOption({ label: 'VIP' });
    await page.getByLabel('VIP', { exact: true }).selectOption('true');
    const want = await store.sql.query(
      "SELECT count(*)::int AS n FROM customers WHERE custom->>'plan' = 'enterprise' AND (custom->'vip')::boolean",
    );
    await poll(loaded).toBe(`${want.rows[0].n} customers, all loaded`);
    const plans = await page.locator('tbody tr td:nth-child(5)').allInnerTexts();
    expect(new Set(plans)).toEqual(new Set(['enterprise']));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shootView('53-customer-list-columns-desktop');
    // saved with the view: columns, filters and sort come back
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByLabel('View name').fill('Enterprise VIPs by credit');
    await page.getByRole('dialog').getByRole('button', { name: 'Save view' }).click();
    await poll(() => page.getByRole('dialog').isVisible()).toBe(false);
    await page.reload();
    await poll(loaded).toMatch(/^100 loaded/);
    expect(await page.locator('thead th').count()).toBe(7);
    await page.getByLabel('Saved view').selectOption({ label: 'Enterprise VIPs by credit' });
    await poll(loaded).toBe(`${want.rows[0].n} customers, all loaded`);
    expect(await page.locator('thead th').count()).toBe(8);
    // the view's sort: the enterprise VIP with the most credit leads
    const vipTop = await store.sql.query(
      `SELECT email::text FROM customers WHERE custom->>'plan' = 'enterprise' AND (custom->'vip')::boolean
        ORDER BY (custom->>'credit')::int DESC, id DESC LIMIT 1`,
    );
    expect(await page.locator('tbody tr').first().innerText()).toContain(vipTop.rows[0].email);
  });

  it('filters by order count, spend and last order date ranges, matching the database', async () => {
    await page.goto(`${store.server.url}/customers`);
    await poll(loaded).toMatch(/loaded/);
    await page.getByLabel('Orders from').fill('5');
    await page.getByLabel('Orders to').fill('6');
    await page.getByLabel('Spent from').fill('3000');
    await page.getByLabel('Last order from').fill('2026-06-01');
    const want = await store.sql.query(
      `SELECT count(*)::int AS n FROM customers WHERE orders_count BETWEEN 5 AND 6
          AND total_spent_minor >= 300000 AND last_order_at >= '2026-06-01'`,
    );
    // fewer than a page, so the count shown is the whole answer
    expect(want.rows[0].n).toBeGreaterThan(0);
    expect(want.rows[0].n).toBeLessThan(100);
    await poll(loaded).toMatch(
      new RegExp(`^${Number(want.rows[0].n).toLocaleString('en-US')} customers?, all loaded`),
    );
  });

  it('is a list of cards on a phone, just as virtual', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${store.server.url}/customers`);
    await poll(loaded).toMatch(/^100 loaded/);
    const cards = page.getByRole('list', { name: 'Customers' });
    await poll(() => cards.isVisible()).toBe(true);
    expect(await page.locator('table').count()).toBe(0);
    await waitForText(page, /Choose all loaded/);
    await shootView('54-customer-list-phone');
    // scrolling on: more pages, still a bounded number of cards in the page
    for (let i = 0; i < 6; i++) {
      await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
      await page.waitForTimeout(200);
    }
    await poll(loaded).not.toMatch(/^100 loaded/);
    expect(await cards.getByRole('listitem').count()).toBeLessThan(100);
    // no sideways scrolling at phone width
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
