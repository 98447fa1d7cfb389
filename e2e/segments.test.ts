// Segments in a real browser: build "spent over 100 in the last 90 days AND tagged VIP" visually, see
// the live count, switch to the query text, edit it, switch back, export the CSV and open an RFM cell.
// The server runs on a fresh PostgreSQL database so the counts are checked against SQL written here.
import fs from 'node:fs';
import type pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, shoot, storeWithOwner, waitForText } from './support.ts';

let store: Store;
let sqlClient: pg.Client;
let page: Page;
const DAY = 86_400_000;

/** Independent of the compiler: VIP customers whose orders of the last 90 days (from the start of that day) net over `over` cents. */
async function expectedCount(overMinor: number): Promise<number> {
  const r = await sqlClient.query(
    `SELECT count(*)::int AS n FROM customers c
      WHERE 'VIP' = ANY(c.tags) AND c.merged_into IS NULL AND c.deleted_at IS NULL
        AND (SELECT coalesce(sum(o.total_minor - o.refunded_minor), 0) FROM orders o
              WHERE o.workspace_id = c.workspace_id AND o.customer_id = c.id AND o.status <> 'cancelled'
                AND o.placed_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - interval '90 days') AT TIME ZONE 'UTC') > $1`,
    [overMinor],
  );
  return r.rows[0].n;
}

const countShown = async () => (await page.getByTestId('segment-count').innerText()).replace(/,/g, '');

beforeAll(async () => {
  store = await storeWithOwner({
    workspaceName: 'Bean There',
    name: 'Sam Owner',
    email: 'sam@beanthere.example',
    password: 'coffee-beans-forever-1',
  });
  ({ page, sql: sqlClient } = store);
  // 30 customers: every third tagged VIP; customer i ordered i × 20.00 i × 5 days ago and 500.00 200 days ago.
  const now = Date.now();
  const at = (days: number) => new Date(now - days * DAY).toISOString();
  const names = ['Ada', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay'];
  const customers = Array.from({ length: 30 }, (_, k) => ({
    externalId: `c${k + 1}`,
    email: `${names[k % 6]!.toLowerCase()}${k + 1}@beanthere.example`,
    firstName: names[k % 6],
    lastName: `Customer ${k + 1}`,
    tags: (k + 1) % 3 === 0 ? ['VIP'] : [],
    updatedAt: at(300),
  }));
  const orders = customers.flatMap((c, k) => [
    {
      externalId: `o${k + 1}a`,
      number: `#${1000 + k}`,
      customer: { externalId: c.externalId },
      currency: 'EUR',
      totalMinor: (k + 1) * 2000,
      lines: [{ title: 'House Blend 1 kg', quantity: 1, unitPriceMinor: (k + 1) * 2000 }],
      placedAt: at((k + 1) * 5),
      updatedAt: at((k + 1) * 5),
    },
    {
      externalId: `o${k + 1}b`,
      number: `#${2000 + k}`,
      customer: { externalId: c.externalId },
      currency: 'EUR',
      totalMinor: 50000,
      lines: [{ title: 'Espresso machine', quantity: 1, unitPriceMinor: 50000 }],
      placedAt: at(200),
      updatedAt: at(200),
    },
  ]);
  const post = store.post;
  expect(await post('/customers/batch', { items: customers })).toBe(200);
  expect(await post('/orders/batch', { items: orders })).toBe(200);
  // the worker derives the customers' metrics from the order events
  const deadline = Date.now() + 30_000;
  const derived = async () =>
    (await sqlClient.query('SELECT count(*)::int AS n FROM customers WHERE orders_count = 2')).rows[0].n;
  while ((await derived()) !== 30) {
    if (Date.now() > deadline) throw new Error(`metrics not derived: ${await derived()} of 30`);
    await new Promise((r) => setTimeout(r, 250));
  }
});
afterAll(() => store?.close());

describe('segments', () => {
  it('builds a segment visually with a live count', async () => {
    await page.goto(`${store.server.url}/segments`);
    await expect.poll(() => page.getByRole('heading', { name: /^segments$/i }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'New segment' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'New segment' }).isVisible()).toBe(true);
    // all-time spend over 100: every customer (500.00 each)
    await expect.poll(countShown).toBe('30');
    await page.getByLabel('Field').first().selectOption('fn:amount_spent');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Field').nth(1).selectOption('customer_tags');
    await page.getByLabel('Tag').fill('VIP');
    const expected = await expectedCount(10000);
    expect(expected).toBe(5); // customers 6, 9, 12, 15, 18 (18 ordered 90 days ago: the window's first day)
    await expect.poll(countShown).toBe(String(expected));
    await waitForText(page, /Fay Customer 12/);
    await shoot(page, '30-segment-builder-desktop');
  });

  it('switches to the text form, edits it there and back', async () => {
    await page.getByRole('tab', { name: 'Query text' }).click();
    const box = page.getByLabel('Query', { exact: true });
    await expect
      .poll(() => box.inputValue())
      .toBe("amount_spent(since: -90d) > 100 AND customer_tags CONTAINS 'VIP'");
    await box.fill("amount_spent(since: -90d) > 250 AND customer_tags CONTAINS 'VIP'");
    const expected = await expectedCount(25000);
    expect(expected).toBe(2); // 15 and 18 (12 × 20.00 = 240 is not over 250)
    await expect.poll(countShown).toBe(String(expected));
    await shoot(page, '31-segment-text-desktop');
    // a mistake is shown with its position, and nothing else changes
    await box.fill("amount_spent(since: -90d) > AND customer_tags CONTAINS 'VIP'");
    await waitForText(page, /at character 29: expected a number/);
    await box.fill("amount_spent(since: -90d) > 250 AND customer_tags CONTAINS 'VIP'");
    await expect.poll(countShown).toBe(String(expected));
    await page.getByRole('tab', { name: 'Visual' }).click();
    await expect.poll(() => page.getByLabel('Value').first().inputValue()).toBe('250');
    expect(await page.getByLabel('Tag').inputValue()).toBe('VIP');
  });

  it('saves it as a dynamic segment, opens its page and exports its members to CSV', async () => {
    await page.getByLabel('Segment name').fill('VIP big spenders');
    await page.getByRole('button', { name: 'Save segment' }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByRole('heading', { name: 'VIP big spenders' }).isVisible()).toBe(true);
    const expected = await expectedCount(25000);
    const members = page.getByRole('list', { name: 'Members' }).getByRole('listitem');
    await expect.poll(() => members.count()).toBe(expected);
    const id = page.url().split('/').at(-1)!;
    const stored = await sqlClient.query(
      'SELECT count(*)::int AS n FROM segment_members WHERE segment_id = $1',
      [id],
    );
    expect(stored.rows[0].n).toBe(expected);
    await waitForText(page, /amount_spent\(since: -90d\) > 250 AND customer_tags CONTAINS 'VIP'/);
    await shoot(page, '35-segment-page-desktop');

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^id,email,/);
    expect(lines.length - 1).toBe(expected);
    expect(lines.slice(1).every((l) => l.endsWith(',VIP'))).toBe(true);

    // tag every member, then see it on the customers
    await page.getByRole('button', { name: 'Tag members' }).click();
    await page.getByRole('dialog').getByLabel('Tag').fill('Big spender');
    await page.getByRole('button', { name: 'Apply to all members' }).click();
    await waitForText(page, new RegExp(`Tagged ${expected} customers “Big spender”`));
    const tagged = await sqlClient.query(
      "SELECT count(*)::int AS n FROM customers WHERE 'Big spender' = ANY(tags)",
    );
    expect(tagged.rows[0].n).toBe(expected);
  });

  it('lists saved and pre-built segments with their sizes', async () => {
    await page.goto(`${store.server.url}/segments`);
    const row = (name: string) => page.getByRole('row', { name: new RegExp(name) });
    await expect.poll(() => row('VIP big spenders').isVisible()).toBe(true);
    // the pre-built "At risk" was kept current by the worker as the orders arrived
    await expect.poll(async () => (await row('At risk').innerText()).includes('\t12\t')).toBe(true);
    await shoot(page, '36-segments-list-desktop');
  });

  it('starts from a pre-built segment', async () => {
    await page.goto(`${store.server.url}/segments/new`);
    await page.getByLabel('Start from a pre-built segment').selectOption('at_risk');
    const r = await sqlClient.query(
      `SELECT count(*)::int AS n FROM customers WHERE orders_count >= 2
         AND last_order_at < (date_trunc('day', now() AT TIME ZONE 'UTC') - interval '90 days') AT TIME ZONE 'UTC'
         AND last_order_at >= (date_trunc('day', now() AT TIME ZONE 'UTC') - interval '180 days') AT TIME ZONE 'UTC'`,
    );
    expect(r.rows[0].n).toBe(12); // customers 19–30 last ordered 95–150 days ago
    await expect.poll(countShown).toBe('12');
    expect(await page.getByLabel('Field').count()).toBe(3);
  });

  it('opens an RFM cell', async () => {
    await page.goto(`${store.server.url}/segments/rfm`);
    await expect.poll(() => page.getByRole('heading', { name: /rfm grid/i }).isVisible()).toBe(true);
    const cells = page.getByRole('button', { name: /^R \d, F \d: / });
    await expect.poll(() => cells.count()).toBeGreaterThan(0);
    const label = (await cells.first().getAttribute('aria-label'))!;
    const [, r, f, n] = /^R (\d), F (\d): .*, (\d+) customers$/.exec(label)!;
    await cells.first().click();
    await waitForText(page, new RegExp(`R ${r} · F ${f} — ${n} customers`));
    expect(await page.getByRole('list', { name: 'Cell customers' }).getByRole('listitem').count()).toBe(
      Number(n),
    );
    const scored = (await sqlClient.query('SELECT count(*)::int AS n FROM customers WHERE orders_count > 0'))
      .rows[0].n;
    expect(scored).toBe(30);
    await shoot(page, '32-rfm-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, '33-rfm-phone');
    await page.goto(`${store.server.url}/segments/new`);
    await expect.poll(countShown).toBe('30');
    await shoot(page, '34-segment-builder-phone');
    await page.goto(`${store.server.url}/segments`);
    await page.getByRole('link', { name: 'VIP big spenders' }).click();
    await waitForText(page, /Size over time/);
    await shoot(page, '37-segment-page-phone');
  });
});
