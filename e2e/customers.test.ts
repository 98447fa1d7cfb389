// Customer 360 in a real browser: find a customer by a misspelt name, open the page, add a tag and a
// pinned note, define a custom field and fill it, and see each change on the timeline; then find them
// again with Ctrl-K. Screenshots at desktop and phone width.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, shoot, storeWithOwner, waitForSql, waitForText } from './support.ts';

let store: Store;
let page: Page;
const DAY = 86_400_000;
const timeline = () => page.getByRole('list', { name: 'Timeline' });

beforeAll(async () => {
  store = await storeWithOwner({
    workspaceName: 'Fjord Coffee',
    name: 'Kari Owner',
    email: 'kari@fjord.example',
    password: 'strong-coffee-every-day-1',
  });
  page = store.page;
  const at = (d: number) => new Date(Date.now() - d * DAY).toISOString();
  const people = [
    ['ingrid.halvorsen@fjord.example', 'Ingrid', 'Halvorsen', 'Halvorsen Bakeri AS', [12, 45, 80, 120]],
    ['ola.nordmann@fjord.example', 'Ola', 'Nordmann', null, [200]],
    ['sofie.berg@fjord.example', 'Sofie', 'Berg', null, [3, 30]],
    ['henrik.lund@fjord.example', 'Henrik', 'Lund', 'Lund Café', [60, 95, 400]],
  ] as const;
  const orders = people.flatMap(([email, firstName, lastName, company, days], p) =>
    days.map((d, i) => ({
      externalId: `o-${p}-${i}`,
      number: `#${1000 + p * 10 + i}`,
      customer: { email, firstName, lastName, company, phone: `+47 9${p}0 00 00${i}` },
      currency: 'NOK',
      totalMinor: 45_000 + 10_000 * i,
      lines: [{ title: 'Fjord Espresso 1 kg', quantity: 1, unitPriceMinor: 45_000 + 10_000 * i }],
      placedAt: at(d),
      updatedAt: at(d),
    })),
  );
  expect(await store.post('/orders/batch', { items: orders })).toBe(200);
  // the worker derives metrics, scores and timelines from the order events
  await waitForSql(store.sql, "SELECT count(*)::int FROM timeline_items WHERE kind = 'order'", orders.length);
  await waitForSql(store.sql, 'SELECT count(*)::int FROM customers WHERE health_score IS NULL', 0);
});
afterAll(() => store?.close());

describe('customer 360', () => {
  it('finds a customer by a misspelt name and opens the 360', async () => {
    await page.goto(`${store.server.url}/customers`);
    await waitForText(page, /Henrik Lund/);
    await shoot(page, '40-customers-list-desktop');
    await page.getByLabel('Search customers').fill('Ingrd Halvorson');
    await page.getByRole('button', { name: 'Search' }).click();
    const first = page.getByRole('row').nth(1);
    await expect.poll(() => first.innerText()).toMatch(/Ingrid Halvorsen/);
    await first.getByRole('link').click();
    await expect.poll(() => page.getByRole('heading', { name: 'Ingrid Halvorsen' }).isVisible()).toBe(true);
    // four orders, the last 12 days ago, about every 36 days: healthy and loyal
    await waitForText(page, /Loyal/);
    const score = Number(
      await page
        .getByTestId('health-score')
        .innerText()
        .then((t) => t.split('/')[0]),
    );
    const db = await store.sql.query(
      "SELECT health_score FROM customers WHERE email = 'ingrid.halvorsen@fjord.example'",
    );
    expect(score).toBe(db.rows[0].health_score);
    expect(await timeline().getByRole('listitem').count()).toBeGreaterThanOrEqual(4);
  });

  it('adds a tag and a pinned note, each on the timeline', async () => {
    await page.getByLabel('New tag').fill('Wholesale');
    await page.getByRole('button', { name: 'Add tag' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Tags' }).innerText()).toMatch(/Wholesale/);
    await page
      .getByLabel('New note')
      .fill('Supplies two bakeries — @kari@fjord.example follow up on the bulk price.');
    await page.getByLabel('Pin to the top').check();
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Notes' }).innerText()).toMatch(/Pinned/);
    await expect.poll(() => timeline().innerText(), { timeout: 15_000 }).toMatch(/Tagged “Wholesale”/);
    await expect.poll(() => timeline().innerText(), { timeout: 15_000 }).toMatch(/Note added/);
    const tags = await store.sql.query(
      "SELECT tags FROM customers WHERE email = 'ingrid.halvorsen@fjord.example'",
    );
    expect(tags.rows[0].tags).toEqual(['Wholesale']);
  });

  it('defines a custom field, fills it on the customer and sees it on the timeline', async () => {
    const url = page.url();
    await page.goto(`${store.server.url}/settings/fields`);
    await page.getByLabel('Label').fill('Favourite roast');
    await page.getByLabel('Type').selectOption('select');
    await page.getByLabel('Options').fill('light, medium, dark');
    await page.getByRole('button', { name: 'Add field' }).click();
    await waitForText(page, /favourite_roast/);
    await shoot(page, '43-custom-fields-desktop');
    await page.goto(url);
    await page.getByRole('button', { name: 'Edit fields' }).click();
    await page.getByLabel('Favourite roast').selectOption('dark');
    await page.getByRole('button', { name: 'Save fields' }).click();
    await waitForText(page, /Favourite roast\s*dark/);
    await expect
      .poll(() => timeline().innerText(), { timeout: 15_000 })
      .toMatch(/Profile edited: Favourite roast/);
    const custom = await store.sql.query(
      "SELECT custom FROM customers WHERE email = 'ingrid.halvorsen@fjord.example'",
    );
    expect(custom.rows[0].custom).toEqual({ favourite_roast: 'dark' });
    await shoot(page, '41-customer-360-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, '42-customer-360-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('tags customers chosen in the list at once', async () => {
    await page.goto(`${store.server.url}/customers`);
    await page.getByLabel('Choose Henrik Lund').check();
    await page.getByLabel('Choose Sofie Berg').check();
    await expect
      .poll(() => page.getByRole('toolbar', { name: 'Chosen customers' }).innerText())
      .toMatch(/2 chosen/);
    await shoot(page, '45-customers-bulk-desktop');
    await page.getByRole('toolbar').getByRole('button', { name: 'Tag', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Tag').fill('Autumn tasting');
    await page.getByRole('button', { name: 'Apply' }).click();
    await waitForText(page, /2 customers changed/);
    const r = await store.sql.query(
      "SELECT count(*)::int AS n FROM customers WHERE 'Autumn tasting' = ANY(tags) AND last_name IN ('Lund', 'Berg')",
    );
    expect(r.rows[0].n).toBe(2);
  });

  it('saves the filtered list as a view and applies it again', async () => {
    await page.getByLabel('Stage').selectOption('loyal');
    const rows = page.getByRole('row');
    await expect.poll(() => rows.count()).toBe(3); // the header and the two loyal customers
    await page.getByRole('button', { name: 'Save view' }).click();
    await page.getByLabel('View name').fill('Loyal regulars');
    await page.getByRole('dialog').getByRole('button', { name: 'Save view' }).click();
    await waitForSql(store.sql, "SELECT count(*)::int FROM saved_views WHERE name = 'Loyal regulars'", 1);
    await page.getByLabel('Stage').selectOption('');
    await expect.poll(() => rows.count()).toBe(5);
    const option = page.getByLabel('Saved view').locator('option', { hasText: 'Loyal regulars' });
    await expect.poll(() => option.count()).toBe(1);
    await page.getByLabel('Saved view').selectOption((await option.getAttribute('value'))!);
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.getByLabel('Stage').inputValue()).toBe('loyal');
  });

  it('finds the customer from anywhere with Ctrl-K', async () => {
    await page.goto(`${store.server.url}/orders`);
    await expect.poll(() => page.getByRole('heading', { name: 'Orders' }).isVisible()).toBe(true);
    await page.keyboard.press('Control+k');
    await page.getByLabel('Find a customer or an order').fill('halvorsen');
    await expect
      .poll(() => page.getByRole('list', { name: 'Results' }).innerText())
      .toMatch(/Ingrid Halvorsen/);
    await shoot(page, '44-command-palette-desktop');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('heading', { name: 'Ingrid Halvorsen' }).isVisible()).toBe(true);
  });
});
