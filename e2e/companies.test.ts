// Companies and related contacts in a real browser: define a company custom field, create a company
// with its B2B facts, link a customer to it from the customer page, fill the company field, relate a
// gift recipient, and see the company and the relation on both customer pages, the 360 answer and the
// timeline. Screenshots at desktop and phone width.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Store, shoot, storeWithOwner, waitForSql, waitForText } from './support.ts';

let store: Store;
let page: Page;
const DAY = 86_400_000;
const ids: Record<string, string> = {};
const timeline = () => page.getByRole('list', { name: 'Timeline' });
const idOf = async (email: string) =>
  (await store.sql.query('SELECT id FROM customers WHERE email = $1', [email])).rows[0].id as string;

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
    ['ingrid.halvorsen@fjord.example', 'Ingrid', 'Halvorsen', 'Halvorsen Bakeri AS', [12, 45, 80]],
    ['per.halvorsen@fjord.example', 'Per', 'Halvorsen', 'Halvorsen Bakeri', [30]],
    ['sofie.berg@fjord.example', 'Sofie', 'Berg', null, [3]],
  ] as const;
  // the store sends the company as free text on the customer record
  expect(
    await store.post('/customers/batch', {
      items: people.map(([email, firstName, lastName, company], p) => ({
        externalId: `c-${p}`,
        email,
        firstName,
        lastName,
        company,
        updatedAt: at(400),
      })),
    }),
  ).toBe(200);
  const orders = people.flatMap(([email, firstName, lastName, , days], p) =>
    days.map((d, i) => ({
      externalId: `o-${p}-${i}`,
      number: `#${2000 + p * 10 + i}`,
      customer: { email, firstName, lastName },
      currency: 'NOK',
      totalMinor: 120_000 + 10_000 * i,
      lines: [{ title: 'Fjord Espresso 5 kg', quantity: 1, unitPriceMinor: 120_000 + 10_000 * i }],
      placedAt: at(d),
      updatedAt: at(d),
    })),
  );
  expect(await store.post('/orders/batch', { items: orders })).toBe(200);
  await waitForSql(store.sql, "SELECT count(*)::int FROM timeline_items WHERE kind = 'order'", orders.length);
  ids.ingrid = await idOf('ingrid.halvorsen@fjord.example');
  ids.per = await idOf('per.halvorsen@fjord.example');
  ids.sofie = await idOf('sofie.berg@fjord.example');
});
afterAll(() => store?.close());

describe('companies and related contacts', () => {
  it('defines a company custom field in settings', async () => {
    await page.goto(`${store.server.url}/settings/fields`);
    await page.getByRole('tab', { name: 'Companies' }).click();
    await waitForText(page, /No company fields yet/);
    await page.getByLabel('Label').fill('VAT number');
    await page.getByRole('button', { name: 'Add field' }).click();
    await waitForText(page, /vat_number/);
    await shoot(page, 'company-fields-desktop');
    // it is a company field, not a customer field
    await page.getByRole('tab', { name: 'Customers' }).click();
    await waitForText(page, /No customer fields yet/);
    const f = await store.sql.query("SELECT entity FROM custom_field_defs WHERE key = 'vat_number'");
    expect(f.rows).toEqual([{ entity: 'company' }]);
  });

  it('creates a company with its B2B facts', async () => {
    await page.goto(`${store.server.url}/companies`);
    await waitForText(page, /No companies yet/);
    await page.getByRole('button', { name: 'New company' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Halvorsen Bakeri AS');
    await dialog.getByLabel('Domain').fill('halvorsen-bakeri.example');
    await dialog.getByLabel('Industry').fill('Bakery');
    await dialog.getByLabel('Size').selectOption('11-50');
    await dialog.getByLabel('Account manager').selectOption({ label: 'Kari Owner' });
    // a bad value is refused, naming the field
    await dialog.getByLabel('Net payment terms (days)').fill('400');
    await dialog.getByLabel('Net payment terms (days)').evaluate((el) => el.removeAttribute('max'));
    await dialog.getByRole('button', { name: 'Create company' }).click();
    await waitForText(page, /less than or equal to 365|at most 365|<=365/i);
    await dialog.getByLabel('Net payment terms (days)').fill('30');
    await dialog.getByLabel('Price tier').selectOption('wholesale');
    await dialog.getByRole('button', { name: 'Create company' }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: 'Halvorsen Bakeri AS' }).isVisible())
      .toBe(true);
    await waitForText(page, /Net 30/);
    const row = await store.sql.query(
      'SELECT domain, size, net_terms_days, price_tier, account_manager_user_id IS NOT NULL AS managed FROM companies',
    );
    expect(row.rows).toEqual([
      {
        domain: 'halvorsen-bakeri.example',
        size: '11-50',
        net_terms_days: 30,
        price_tier: 'wholesale',
        managed: true,
      },
    ]);
    ids.company = (await store.sql.query('SELECT id FROM companies')).rows[0].id;
  });

  it('sets the company custom field on the company page', async () => {
    await page.getByRole('button', { name: 'Edit fields' }).click();
    await page.getByLabel('VAT number').fill('NO 912 345 678 MVA');
    await page.getByRole('button', { name: 'Save fields' }).click();
    await waitForText(page, /VAT number\s*NO 912 345 678 MVA/);
    const c = await store.sql.query('SELECT custom FROM companies');
    expect(c.rows[0].custom).toEqual({ vat_number: 'NO 912 345 678 MVA' });
  });

  it('links a customer to the company from the customer page, on the timeline', async () => {
    await page.goto(`${store.server.url}/customers/${ids.ingrid}`);
    await waitForText(page, /The store says they work at/);
    // the search starts from what the store sent
    expect(await page.getByLabel('Find a company').inputValue()).toBe('Halvorsen Bakeri AS');
    const found = page.getByRole('list', { name: 'Companies found' });
    await expect.poll(() => found.innerText()).toMatch(/Halvorsen Bakeri AS/);
    await found.getByRole('button', { name: /Halvorsen Bakeri AS/ }).click();
    await expect
      .poll(() => page.getByRole('link', { name: 'Halvorsen Bakeri AS' }).first().isVisible())
      .toBe(true);
    await waitForText(page, /Account manager\s*Kari Owner/);
    await expect
      .poll(() => timeline().innerText(), { timeout: 15_000 })
      .toMatch(/Linked to company Halvorsen Bakeri AS/);
    const linked = await store.sql.query('SELECT company_id FROM customers WHERE id = $1', [ids.ingrid]);
    expect(linked.rows[0].company_id).toBe(ids.company);
    // the timeline item links to the company
    await timeline()
      .getByRole('link', { name: /Linked to company Halvorsen Bakeri AS/ })
      .click();
    await page.waitForURL(`**/companies/${ids.company}`);
  });

  it('creates a new company by name while linking another customer', async () => {
    await page.goto(`${store.server.url}/customers/${ids.per}`);
    await page.getByLabel('Find a company').fill('Per’s Catering');
    await page.getByRole('button', { name: /Create “Per’s Catering” and link/ }).click();
    await expect
      .poll(() => page.getByRole('link', { name: 'Per’s Catering' }).first().isVisible())
      .toBe(true);
    // and moves him to the bakery from the company page instead
    await page.goto(`${store.server.url}/companies/${ids.company}`);
    await page.getByLabel('Add a contact').fill('Per Halv');
    await page.getByRole('button', { name: /Per Halvorsen/ }).click();
    await expect
      .poll(() => page.getByRole('list', { name: 'Contacts' }).innerText())
      .toMatch(/Per Halvorsen/);
    const moved = await store.sql.query(
      'SELECT c.name FROM customers u JOIN companies c ON c.id = u.company_id WHERE u.id = $1',
      [ids.per],
    );
    expect(moved.rows[0].name).toBe('Halvorsen Bakeri AS');
  });

  it('adds a related contact, shown both ways, on the timeline and in the 360 answer', async () => {
    await page.goto(`${store.server.url}/customers/${ids.ingrid}`);
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Related contacts' }) });
    await card.getByRole('button', { name: 'Add' }).click();
    await card.getByLabel('Find a related contact').fill('Sofie');
    await card.getByRole('button', { name: /Sofie Berg/ }).click();
    await card.getByLabel('How they are related').selectOption('gift_recipient');
    await waitForText(page, /On Sofie Berg’s page: “Gives gifts to them”/);
    await card.getByLabel('Note').fill('Sends her a Christmas box every year');
    await card.getByRole('button', { name: 'Add related contact' }).click();
    const related = page.getByRole('list', { name: 'Related contacts' });
    await expect.poll(() => related.innerText()).toMatch(/Sofie Berg\s*Gift recipient/);
    await expect
      .poll(() => timeline().innerText(), { timeout: 15_000 })
      .toMatch(/Related contact added: Sofie Berg \(gift recipient\)/);
    // the 360 answer carries both
    const answer = await page.evaluate(
      async (id) => (await fetch(`/api/v1/customers/${id}/360`)).json(),
      ids.ingrid,
    );
    expect(answer.company).toMatchObject({ id: ids.company, name: 'Halvorsen Bakeri AS', customersCount: 2 });
    expect(answer.relations).toMatchObject([
      { kind: 'gift_recipient', label: 'Gift recipient', customer: { id: ids.sofie, name: 'Sofie Berg' } },
    ]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, '52-customer-company-relations');

    // the other side reads it the other way round
    await page.goto(`${store.server.url}/customers/${ids.sofie}`);
    await expect
      .poll(() => page.getByRole('list', { name: 'Related contacts' }).innerText())
      .toMatch(/Ingrid Halvorsen\s*Gives gifts to them/);
    await expect
      .poll(() => timeline().innerText(), { timeout: 15_000 })
      .toMatch(/Related contact added: Ingrid Halvorsen \(gives gifts to them\)/);
  });

  it('shows the company with its contacts and totals', async () => {
    await page.goto(`${store.server.url}/companies`);
    await waitForText(page, /halvorsen-bakeri\.example/);
    await shoot(page, 'companies-list-desktop');
    await page.getByRole('link', { name: 'Halvorsen Bakeri AS' }).click();
    const contacts = page.getByRole('list', { name: 'Contacts' });
    await expect.poll(() => contacts.innerText()).toMatch(/Ingrid Halvorsen[\s\S]*Per Halvorsen/);
    // three orders of Ingrid's and one of Per's; spend as the database sums it
    await waitForText(page, /Orders\s*4/);
    const spent = await store.sql.query(
      'SELECT sum(total_spent_minor)::int AS s FROM customers WHERE company_id = $1',
      [ids.company],
    );
    expect(spent.rows[0].s).toBe(120_000 + 130_000 + 140_000 + 120_000);
    await waitForText(page, /VAT number\s*NO 912 345 678 MVA/);
    await shoot(page, '50-company-desktop');
    await page.setViewportSize({ width: 375, height: 812 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shoot(page, '51-company-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
