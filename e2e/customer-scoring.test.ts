// Customer scoring in a real browser: change a lifecycle rule in Settings and watch the preview count
// move, save, and see a customer's stage change once the background rescore finished; then assign
// the customer an owner on their page and see it on the timeline. Screenshots at desktop and phone.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, shoot, storeWithOwner, waitForSql, waitForText } from './support.ts';

let store: Store;
let page: Page;
const DAY = 86_400_000;

beforeAll(async () => {
  store = await storeWithOwner({
    workspaceName: 'Nordlys Tea',
    name: 'Mette Owner',
    email: 'mette@nordlys.example',
    password: 'strong-tea-every-day-1',
  });
  page = store.page;
  const at = (d: number) => new Date(Date.now() - d * DAY).toISOString();
  const people = [
    ['astrid.dahl@nordlys.example', 'Astrid', 'Dahl', [9, 38]],
    ['bjorn.moe@nordlys.example', 'Bjørn', 'Moe', [6, 35, 70]],
    ['clara.vik@nordlys.example', 'Clara', 'Vik', [300]],
    ['dag.strand@nordlys.example', 'Dag', 'Strand', [4]],
    ['eva.lie@nordlys.example', 'Eva', 'Lie', [15, 44]],
  ] as const;
  const orders = people.flatMap(([email, firstName, lastName, days], p) =>
    days.map((d, i) => ({
      externalId: `o-${p}-${i}`,
      number: `#${2000 + p * 10 + i}`,
      customer: { email, firstName, lastName },
      currency: 'NOK',
      totalMinor: 32_000 + 9_000 * p,
      lines: [{ title: 'Nordlys Sencha 250 g', quantity: 1, unitPriceMinor: 32_000 + 9_000 * p }],
      placedAt: at(d),
      updatedAt: at(d),
    })),
  );
  expect(await store.post('/orders/batch', { items: orders })).toBe(200);
  await waitForSql(store.sql, "SELECT count(*)::int FROM timeline_items WHERE kind = 'order'", orders.length);
  await waitForSql(store.sql, 'SELECT count(*)::int FROM customers WHERE health_score IS NULL', 0);
});
afterAll(() => store?.close());

const proposed = (key: string) => page.getByTestId(`proposed-${key}`).innerText();
const stageOf = async (email: string) =>
  (await store.sql.query('SELECT lifecycle_stage FROM customers WHERE email = $1', [email])).rows[0]
    .lifecycle_stage;

describe('customer scoring', () => {
  it('previews a rule change, saves it and rescores the customers in the background', async () => {
    await page.goto(`${store.server.url}/customers`);
    await page
      .getByRole('navigation', { name: 'Settings' })
      .getByRole('link', { name: 'Customer scoring' })
      .click();
    await waitForText(page, /Lifecycle rules/);
    // under "loyal after 3 orders" only Bjørn is loyal
    await expect.poll(() => proposed('loyal')).toBe('1');
    expect(await stageOf('astrid.dahl@nordlys.example')).toBe('customer');
    const loyalAfter = page.getByLabel('Loyal after');
    await loyalAfter.fill('2');
    // Astrid and Eva have two orders each: they would become loyal
    await expect.poll(() => proposed('loyal')).toBe('3');
    await expect
      .poll(() => page.getByTestId('moved').innerText())
      .toMatch(/2 of 5 customers would change stage/);
    expect(await stageOf('astrid.dahl@nordlys.example')).toBe('customer');
    await shoot(page, '55-scoring-settings-desktop');
    await page.setViewportSize({ width: 375, height: 812 });
    await waitForText(page, /Preview/);
    await shoot(page, '56-scoring-settings-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    // a value out of range is named before anything is saved
    await page.getByLabel('Churned after').fill('1.2');
    await waitForText(page, /The churned factor is at least 1\.5/);
    await page.getByLabel('Churned after').fill('3');

    await page.getByRole('button', { name: 'Save and rescore' }).click();
    // saved, then rescored by the worker: the page asks until the rescore says it finished
    await waitForSql(
      store.sql,
      'SELECT count(*)::int FROM customer_scoring WHERE version = 2 AND computed_at IS NOT NULL',
      1,
    );
    await waitForText(page, /Customers last rescored/);
    expect(await stageOf('astrid.dahl@nordlys.example')).toBe('loyal');
    expect(await stageOf('eva.lie@nordlys.example')).toBe('loyal');
    const audit = await store.sql.query(
      "SELECT after FROM audit_log WHERE action = 'customer_scoring.updated'",
    );
    expect(audit.rows.map((r) => r.after.loyalMinOrders)).toEqual([2]);
    // the saved rules are what the preview now calls "now"
    await expect.poll(() => page.getByTestId('moved').innerText()).toMatch(/No customer would change stage/);
  });

  it("shows the new stage on the customer's page and assigns them an owner, on the timeline", async () => {
    await page.goto(`${store.server.url}/customers`);
    await page.getByLabel('Search customers').fill('Astrid');
    await page.getByRole('button', { name: 'Search' }).click();
    const first = page.getByRole('row').nth(1);
    await expect.poll(() => first.innerText()).toMatch(/Astrid Dahl/);
    await first.getByRole('link').click();
    await expect.poll(() => page.getByRole('heading', { name: 'Astrid Dahl' }).isVisible()).toBe(true);
    await waitForText(page, /Loyal/);
    const owner = page.getByLabel('Owner');
    await expect.poll(() => owner.locator('option:checked').innerText()).toBe('Unassigned');
    await owner.selectOption({ label: 'Mette Owner' });
    await expect
      .poll(() => page.getByRole('list', { name: 'Timeline' }).innerText(), { timeout: 15_000 })
      .toMatch(/Owner set to Mette Owner/);
    const db = await store.sql.query(
      `SELECT u.name FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE c.email = 'astrid.dahl@nordlys.example'`,
    );
    expect(db.rows[0].name).toBe('Mette Owner');
    await expect.poll(() => owner.locator('option:checked').innerText()).toBe('Mette Owner');
    await shoot(page, '57-customer-owner-desktop');
  });
});
