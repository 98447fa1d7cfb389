import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkMapping, detectMapping, validateMapping } from './csv-columns.ts';
import { type CustomerBatch, type CustomImportField, readCustomers } from './csv-customers.ts';
import { type ProductBatch, readProducts } from './csv-products.ts';
import { CsvFileError } from './csv-source.ts';

const file = (text: string) => Readable.from([Buffer.from(text)]);
const headersOf = (text: string) => text.split('\n')[0]!.split(',');
const updatedAt = '2025-01-01T00:00:00.000Z';

async function customers(text: string) {
  const all: CustomerBatch = { customers: [], errors: [], rowsRead: 0 };
  const { mapping } = detectMapping('customers', headersOf(text));
  for await (const b of readCustomers(file(text), { mapping, updatedAt, batchSize: 2 })) {
    all.customers.push(...b.customers);
    all.errors.push(...b.errors);
    all.rowsRead += b.rowsRead;
  }
  return all;
}

async function products(text: string) {
  const all: ProductBatch = { products: [], errors: [], rowsRead: 0 };
  const { mapping } = detectMapping('products', headersOf(text));
  for await (const b of readProducts(file(text), { mapping, currency: 'GBP', updatedAt })) {
    all.products.push(...b.products);
    all.errors.push(...b.errors);
    all.rowsRead += b.rowsRead;
  }
  return all;
}

describe('readCustomers', () => {
  it('reads a Shopify-style export with per-row errors', async () => {
    const text =
      'Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address City,Default Address Zip,Default Address Country Code,Phone,Tags,Created At\n' +
      '17850.0,Ada,Lovelace,ada@example.com,yes,London,N1 9GU,GB,+44 20 7946 0000,"vip, wholesale",2024-03-01 10:00:00\n' +
      '2,Bob,,not-an-email,no,,,,,,2024-03-02 10:00:00\n' +
      '3,Cy,,,maybe,,,,,,2024-03-02 10:00:00\n' +
      ',Dee,,dee@example.com,,,,,,,\n' +
      '17850,Ada,Again,ada2@example.com,,,,,,,\n' +
      '6,Eve,,,,,,,,,last tuesday\n';
    const r = await customers(text);
    expect(r.rowsRead).toBe(6);
    expect(r.customers.map((c) => c.externalId)).toEqual(['17850', 'dee@example.com']);
    expect(r.customers[0]).toMatchObject({
      email: 'ada@example.com',
      firstName: 'Ada',
      emailConsent: 'subscribed',
      tags: ['vip', 'wholesale'],
      createdAt: '2024-03-01T10:00:00.000Z',
      updatedAt,
      addresses: [{ city: 'London', postalCode: 'N1 9GU', country: 'GB', isDefault: true }],
    });
    expect(r.errors).toEqual([
      { line: 3, message: expect.stringMatching(/^email: /) },
      { line: 4, message: 'email consent "maybe" is not yes/no/subscribed/unsubscribed/pending' },
      { line: 6, message: 'customer 17850 already appeared on line 2' },
      { line: 7, message: 'created date "last tuesday" is not a valid iso date' },
    ]);
  });

  it('refuses a file without an id or email column, and a header-only file yields nothing', async () => {
    expect(() => validateMapping('customers', {}, ['Name', 'City'])).toThrow(
      /required column missing: Customer id \(externalId\) or Email \(email\)/,
    );
    const r = await customers('Customer ID,Email\n');
    expect(r.rowsRead).toBe(0);
    await expect(customers('\u0000\u0001binary')).rejects.toThrow(CsvFileError);
  });
});

describe('readCustomers with custom fields', () => {
  const fields: CustomImportField[] = [
    {
      key: 'plan',
      label: 'Plan',
      type: 'select',
      options: ['basic', 'pro'],
      required: false,
      entity: 'customer',
    },
    { key: 'vip', label: 'VIP', type: 'boolean', options: [], required: false, entity: 'customer' },
    { key: 'credit', label: 'Store credit', type: 'money', options: [], required: false, entity: 'customer' },
    {
      key: 'interests',
      label: 'Interests',
      type: 'multi_select',
      options: ['coffee', 'tea'],
      required: false,
      entity: 'customer',
    },
    { key: 'renewal', label: 'Renewal date', type: 'date', options: [], required: false, entity: 'customer' },
    { key: 'visits', label: 'Visits', type: 'number', options: [], required: false, entity: 'customer' },
    { key: 'site', label: 'Website', type: 'url', options: [], required: false, entity: 'customer' },
    // a custom field labelled like a built-in column does not take that column from it
    { key: 'org', label: 'Company', type: 'text', options: [], required: false, entity: 'customer' },
  ];

  it("maps a column to a custom field by the field's key or label, after the built-in fields", () => {
    const headers = ['Email', 'PLAN', 'vip', 'Store Credit', 'interests', 'Renewal_Date', 'Company', 'Notes'];
    const { mapping } = detectMapping('customers', headers, fields);
    expect(mapping).toMatchObject({
      email: 'Email',
      company: 'Company',
      'custom.plan': 'PLAN',
      'custom.vip': 'vip',
      'custom.credit': 'Store Credit',
      'custom.interests': 'interests',
      'custom.renewal': 'Renewal_Date',
      'custom.visits': null,
      'custom.org': null,
    });
    // without the fields, custom.* is not a field of the import
    expect(checkMapping('customers', { email: 'Email', 'custom.plan': 'PLAN' }, headers)).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^"custom.plan" is not a field of a customers import/)],
    });
    expect(checkMapping('customers', { email: 'Email', 'custom.plan': 'PLAN' }, headers, fields).ok).toBe(
      true,
    );
  });

  it('reads typed values with the API validator; a bad value fails its row naming the field', async () => {
    const text =
      'Email,Plan,VIP,Store credit,Interests,Renewal date,Visits,Website\n' +
      'ada@example.com,Pro,yes,"1,250.50",coffee|TEA,2025-03-01,7,https://ada.example\n' +
      'bo@example.com,basic,no,0,,,,\n' +
      'cy@example.com,platinum,,,,,,\n' +
      'di@example.com,,maybe,12 euros,juice,01/03/2025,lots,javascript:alert(1)\n' +
      'ed@example.com,,,,,,,\n';
    const headers = text.split('\n')[0]!.split(',');
    const { mapping } = detectMapping('customers', headers, fields);
    const all: CustomerBatch = { customers: [], errors: [], rowsRead: 0 };
    for await (const b of readCustomers(file(text), { mapping, fields, updatedAt })) {
      all.customers.push(...b.customers);
      all.errors.push(...b.errors);
      all.rowsRead += b.rowsRead;
    }
    expect(all.rowsRead).toBe(5);
    expect(all.customers.map((c) => [c.email, c.custom])).toEqual([
      [
        'ada@example.com',
        {
          plan: 'pro',
          vip: true,
          credit: 125_050,
          interests: ['coffee', 'tea'],
          renewal: '2025-03-01',
          visits: 7,
          site: 'https://ada.example',
        },
      ],
      ['bo@example.com', { plan: 'basic', vip: false, credit: 0 }],
      // empty cells leave the fields alone
      ['ed@example.com', undefined],
    ]);
    expect(all.errors).toEqual([
      { line: 4, message: 'Plan: expected one of: basic, pro' },
      {
        line: 5,
        message: [
          'VIP: "maybe" — expected yes or no',
          'Store credit: "12 euros" — expected an amount such as 12.50',
          'Interests: expected any of: coffee, tea',
          'Renewal date: expected a date as YYYY-MM-DD',
          'Visits: "lots" — expected a number',
          'Website: Invalid URL',
        ].join('; '),
      },
    ]);
  });
});

describe('readProducts', () => {
  it('groups adjacent variant rows and converts prices exactly', async () => {
    const text =
      'Handle,Title,Vendor,Type,Variant SKU,Variant Price\n' +
      'mug,Mug,Acme,Kitchen,MUG-S,3.50\n' +
      'mug,,,,MUG-L,4.25\n' +
      'lamp,Lamp,Acme,Lighting,LAMP,19.999\n' +
      'vase,Vase,,,VASE,cheap\n' +
      'nameless,,,,NL,1.00\n' +
      'mug,Mug again,,,MUG-X,1.00\n';
    const r = await products(text);
    expect(r.rowsRead).toBe(6);
    expect(r.products).toEqual([
      expect.objectContaining({
        externalId: 'mug',
        title: 'Mug',
        vendor: 'Acme',
        categories: ['Kitchen'],
        currency: 'GBP',
        updatedAt,
        variants: [
          { externalId: 'MUG-S', sku: 'MUG-S', priceMinor: 350 },
          { externalId: 'MUG-L', sku: 'MUG-L', priceMinor: 425 },
        ],
      }),
      expect.objectContaining({
        externalId: 'lamp',
        variants: [{ externalId: 'LAMP', sku: 'LAMP', priceMinor: 2000 }],
      }),
    ]);
    expect(r.errors).toEqual([
      { line: 5, message: 'price "cheap" is not a number' },
      { line: 6, message: 'title is empty' },
      { line: 7, message: 'product mug already appeared on line 2: rows of one product must be adjacent' },
    ]);
  });

  it('takes the SKU as the id when the file has no id column (online-retail shape)', async () => {
    const text =
      'StockCode,Description,UnitPrice\n85123A,WHITE HANGING HEART T-LIGHT HOLDER,2.55\n71053,WHITE METAL LANTERN,3.39\n';
    const r = await products(text);
    expect(r.errors).toEqual([]);
    expect(r.products.map((p) => [p.externalId, p.title, p.variants[0]?.priceMinor])).toEqual([
      ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 255],
      ['71053', 'WHITE METAL LANTERN', 339],
    ]);
  });
});
