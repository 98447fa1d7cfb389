import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { orderInput, refundInput } from '../../../../contracts/commerce.ts';
import { checkMapping, detectMapping, MappingError, validateMapping } from './csv-columns.ts';
import { type OrderBatch, type ReadOrdersOptions, readOrders } from './csv-orders.ts';
import { CsvFileError } from './csv-source.ts';
import { multiplyDecimal, parseDate, sniffDateFormat } from './csv-values.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const data = path.resolve(repoRoot, '../shared/data');
const december = path.join(data, 'online-retail/online_retail_uci_2010-12.csv');
const fullYear = path.join(data, 'online-retail/online_retail_uci_by_day_concat.csv.gz');
const retailHeaders = [
  'InvoiceNo',
  'StockCode',
  'Description',
  'Quantity',
  'InvoiceDate',
  'UnitPrice',
  'CustomerID',
  'Country',
];
const retailMapping = detectMapping('orders', retailHeaders).mapping;

/** An independent, naive pass: InvoiceNo is the first field and CustomerID the second last. */
async function naiveCounts(file: string) {
  const stream = createReadStream(file);
  const lines = createInterface({ input: file.endsWith('.gz') ? stream.pipe(createGunzip()) : stream });
  const invoices = new Set<string>();
  const customers = new Set<string>();
  const cancellations = new Set<string>();
  let rows = -1;
  for await (const line of lines) {
    if (rows++ < 0) continue;
    const fields = line.split(',');
    const invoice = fields[0]!;
    invoices.add(invoice);
    if (invoice.startsWith('C')) cancellations.add(invoice);
    const customer = fields[fields.length - 2]!;
    if (customer) customers.add(customer);
  }
  return { rows, invoices: invoices.size, customers: customers.size, cancellations: cancellations.size };
}

async function collect(input: Readable, opts: Partial<ReadOrdersOptions> = {}) {
  const all: OrderBatch = { orders: [], refunds: [], customers: [], errors: [], warnings: [], rowsRead: 0 };
  let batches = 0;
  for await (const b of readOrders(input, { mapping: retailMapping, currency: 'GBP', ...opts })) {
    batches++;
    all.orders.push(...b.orders);
    all.refunds.push(...b.refunds);
    all.customers.push(...b.customers);
    all.errors.push(...b.errors);
    all.warnings.push(...b.warnings);
    all.rowsRead += b.rowsRead;
  }
  return { ...all, batches };
}

const csvText = (text: string) => Readable.from([Buffer.from(text)]);

describe('column mapping', () => {
  it('detects the online-retail and Shopify export headers', () => {
    const r = detectMapping('orders', retailHeaders);
    expect(r.missingRequired).toEqual([]);
    expect(r.mapping).toMatchObject({
      orderNumber: 'InvoiceNo',
      placedAt: 'InvoiceDate',
      customerId: 'CustomerID',
      sku: 'StockCode',
      productTitle: 'Description',
      quantity: 'Quantity',
      unitPrice: 'UnitPrice',
      country: 'Country',
      email: null,
    });
    const shopify = detectMapping('orders', [
      'Name',
      'Email',
      'Financial Status',
      'Currency',
      'Created at',
      'Lineitem quantity',
      'Lineitem name',
      'Lineitem price',
      'Lineitem sku',
      'Billing Name',
      'Billing Country',
      'Discount Code',
      'Shipping',
      'Taxes',
    ]);
    expect(shopify.missingRequired).toEqual([]);
    expect(shopify.mapping).toMatchObject({
      orderNumber: 'Name',
      placedAt: 'Created at',
      quantity: 'Lineitem quantity',
      unitPrice: 'Lineitem price',
      sku: 'Lineitem sku',
      productTitle: 'Lineitem name',
      country: 'Billing Country',
      financialStatus: 'Financial Status',
      discountCode: 'Discount Code',
      tax: 'Taxes',
    });
    expect(
      detectMapping('orders', ['order_id', 'order_date', 'customer-id', 'QTY', 'unit_price', 'SKU']).mapping,
    ).toMatchObject({
      orderNumber: 'order_id',
      placedAt: 'order_date',
      customerId: 'customer-id',
      quantity: 'QTY',
    });
  });

  it('reports missing required fields and refuses unknown headers', () => {
    const r = detectMapping('orders', ['InvoiceNo', 'StockCode', 'Quantity', 'UnitPrice']);
    expect(r.missingRequired).toEqual(['placedAt']);
    expect(() =>
      validateMapping('orders', r.mapping, ['InvoiceNo', 'StockCode', 'Quantity', 'UnitPrice']),
    ).toThrow(/required column missing: Placed at \(placedAt\)/);
    const bad = checkMapping('orders', { ...retailMapping, quantity: 'Qty' }, retailHeaders);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatch(/column "Qty" \(mapped to quantity\) is not in the file/);
    expect(() => validateMapping('orders', { ...retailMapping, colour: 'Country' }, retailHeaders)).toThrow(
      /"colour" is not a field of a orders import/,
    );
  });
});

describe('cell values', () => {
  it('parses the supported date formats as UTC and detects them', () => {
    expect(parseDate('2010-12-01 08:26:00', 'ymd_hms')).toBe('2010-12-01T08:26:00.000Z');
    expect(parseDate('2023-01-05 10:00:00 -0500', 'iso')).toBe('2023-01-05T15:00:00.000Z');
    expect(parseDate('12/1/2010 8:26', 'mdy')).toBe('2010-12-01T08:26:00.000Z');
    expect(parseDate('01/12/2010 08:26', 'dmy')).toBe('2010-12-01T08:26:00.000Z');
    expect(parseDate('2011-02-30 10:00:00', 'iso')).toBeUndefined();
    expect(parseDate('yesterday', 'iso')).toBeUndefined();
    expect(sniffDateFormat('2010-12-01 08:26:00')).toBe('iso');
    expect(sniffDateFormat('13/12/2010')).toBe('dmy');
    expect(sniffDateFormat('12/13/2010')).toBe('mdy');
    expect(sniffDateFormat('1/2/2010')).toBe('ambiguous');
  });

  it('multiplies decimals exactly', () => {
    expect(multiplyDecimal('2.55', 6)).toBe('15.30');
    expect(multiplyDecimal('0.001', 3)).toBe('0.003');
    expect(multiplyDecimal('4.25', -3)).toBe('-12.75');
    expect(multiplyDecimal('-11062.06', 1)).toBe('-11062.06');
  });
});

describe('readOrders on the online-retail data', () => {
  it('imports December 2010 with the counts of an independent pass', async () => {
    const expected = await naiveCounts(december);
    const r = await collect(createReadStream(december), { batchSize: 4000 });
    expect(r.errors).toEqual([]);
    expect(r.rowsRead).toBe(expected.rows);
    expect(r.rowsRead).toBe(42_481);
    expect(r.orders.length + r.refunds.length).toBe(expected.invoices);
    expect(r.refunds.length).toBe(expected.cancellations);
    expect(r.customers.length).toBe(expected.customers);
    expect(new Set(r.customers.map((c) => c.externalId)).size).toBe(r.customers.length);
    expect(r.batches).toBe(Math.ceil(42_481 / 4000));

    const first = r.orders.find((o) => o.externalId === '536365')!;
    expect(first.totalMinor).toBe(13_912); // £139.12
    expect(first.subtotalMinor).toBe(13_912);
    expect(first.currency).toBe('GBP');
    expect(first.status).toBe('closed');
    expect(first.placedAt).toBe('2010-12-01T08:26:00.000Z');
    expect(first.updatedAt).toBe(first.placedAt);
    expect(first.customer?.externalId).toBe('17850');
    expect(first.lines).toHaveLength(7);
    expect(first.lines[0]).toMatchObject({
      sku: '85123A',
      quantity: 6,
      unitPriceMinor: 255,
      discountMinor: 0,
    });
    expect(r.customers.find((c) => c.externalId === '17850')?.addresses?.[0]?.country).toBe('United Kingdom');

    // every order is a valid contract shape and its total is the sum of its lines
    for (const o of r.orders) {
      expect(orderInput.safeParse(o).success).toBe(true);
      expect(o.totalMinor).toBe(
        o.lines.reduce((s, l) => s + l.quantity * l.unitPriceMinor - l.discountMinor, 0),
      );
    }
    for (const f of r.refunds) expect(refundInput.safeParse(f).success).toBe(true);

    // guest orders: no customer, kept
    const guests = r.orders.filter((o) => !o.customer);
    expect(guests.length).toBeGreaterThan(0);

    // C536379 (customer 14527, a "Discount" line): no earlier order of that customer in the file
    const c = r.refunds.find((x) => x.externalId === 'C536379')!;
    expect(c).toMatchObject({ amountMinor: 2750, currency: 'GBP', customer: { externalId: '14527' } });
    expect(c.lines).toEqual([{ sku: 'D', quantity: 1, amountMinor: 2750 }]);
    // a refund naming its order: that order is the customer's, earlier, and holds a refunded SKU
    const linked = r.refunds.filter((x) => x.orderExternalId);
    expect(linked.length).toBeGreaterThan(100);
    const byId = new Map(r.orders.map((o) => [o.externalId, o]));
    for (const f of linked) {
      const o = byId.get(f.orderExternalId!)!;
      expect(o.customer?.externalId).toBe(f.customer?.externalId);
      expect(o.placedAt <= f.createdAt).toBe(true);
    }
    const skuMatched = linked.filter((f) => {
      const skus = new Set(byId.get(f.orderExternalId!)!.lines.map((l) => l.sku));
      return f.lines.some((l) => skus.has(l.sku));
    });
    expect(skuMatched.length / linked.length).toBeGreaterThan(0.7);
  });

  it('imports the whole year from gzip: 541,909 rows, 25,900 invoices, 4,372 customers', async () => {
    const expected = await naiveCounts(fullYear);
    expect(expected).toMatchObject({ rows: 541_909, invoices: 25_900, customers: 4_372 });
    const started = performance.now();
    let rows = 0;
    let orders = 0;
    let refunds = 0;
    let linked = 0;
    let peakRss = 0;
    let errors = 0;
    let warnings = 0;
    const customers = new Set<string>();
    let a563186: number | undefined;
    let big: number | undefined;
    for await (const b of readOrders(createReadStream(fullYear), {
      mapping: retailMapping,
      currency: 'GBP',
    })) {
      rows += b.rowsRead;
      orders += b.orders.length;
      refunds += b.refunds.length;
      linked += b.refunds.filter((r) => r.orderExternalId).length;
      errors += b.errors.length;
      warnings += b.warnings.length;
      for (const c of b.customers) customers.add(c.externalId);
      for (const o of b.orders) {
        if (o.externalId === 'A563186') a563186 = o.totalMinor;
        if (o.externalId === '573585') big = o.lines.length;
        if (o.externalId === '542806') expect(o.lines).toHaveLength(39); // interleaved with C542805, merged
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `online-retail full year: ${rows} rows, ${orders} orders, ${refunds} refunds (${linked} linked to their order), ` +
        `${customers.size} customers in ${seconds.toFixed(1)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
    );
    expect(rows).toBe(541_909);
    expect(orders + refunds).toBe(25_900);
    expect(refunds).toBe(expected.cancellations);
    expect(customers.size).toBe(4_372);
    expect(errors).toBe(0);
    expect(a563186).toBe(-1_106_206); // "Adjust bad debt": a negative price, kept
    expect(big).toBe(1000); // 1114 lines: 999 + one "Other items" line
    expect(warnings).toBe(115);
    expect(seconds).toBeLessThan(30);
    expect(peakRss).toBeLessThan(600 * 2 ** 20);
  }, 120_000);
});

describe('readOrders on bad input', () => {
  const header = 'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n';

  it('reports bad rows with their line and reason, and imports the others', async () => {
    const text =
      header +
      '1001,A1,Mug,2,2011-01-02 10:00:00,3.50,123.0,France\n' + // line 2
      '1001,A2,Plate,1,2011-01-02 10:00:00,,123.0,France\n' + // 3: no price
      '1001,A3,Bowl,two,2011-01-02 10:00:00,1.00,123.0,France\n' + // 4: text quantity
      '\n' + // 5: empty line, skipped
      '1002,"B1","Lamp, large",1,2011-01-03 11:00:00,10.00,,United Kingdom\n' + // 6
      '1003,B2,Vase,1,not a date,5.00,456,Spain\n' + // 7: bad date
      '1003,B3,Jug,0,2011-01-04 11:00:00,5.00,456,Spain\n' + // 8: quantity 0
      '1004,B4,"Two\nline title",-1,2011-01-05 11:00:00,5.00,456,Spain\n' + // 9-10: adjustment line
      '1005,B5,Cup,1,2011-01-05 12:00:00,1.5,456\n'; // 11: a field short
    const r = await collect(csvText(text));
    expect(r.rowsRead).toBe(8);
    expect(r.errors).toEqual([
      { line: 3, message: 'unit price is empty' },
      { line: 4, message: 'quantity "two" is not a whole number' },
      { line: 7, message: 'date "not a date" is not a valid iso date' },
      { line: 8, message: 'quantity is 0' },
      { line: 11, message: 'the row has 7 fields, the header has 8' },
    ]);
    expect(r.orders.map((o) => [o.externalId, o.totalMinor, o.customer?.externalId ?? null])).toEqual([
      ['1001', 700, '123'],
      ['1002', 1000, null],
      ['1004', -500, '456'],
    ]);
    expect(r.orders[1]!.lines[0]!.title).toBe('Lamp, large');
    expect(r.customers.map((c) => c.externalId)).toEqual(['123', '456']);
  });

  it('links a cancellation to the latest earlier order holding the SKU', async () => {
    const text =
      header +
      '2001,S1,Mug,2,2011-01-02 10:00:00,3.50,9,UK\n' +
      '2002,S2,Plate,1,2011-01-03 10:00:00,2.00,9,UK\n' +
      'C2003,S1,Mug,-1,2011-01-04 10:00:00,3.50,9,UK\n' +
      'C2004,S9,Other,-2,2011-01-04 11:00:00,1.25,9,UK\n' +
      'C2005,S1,Mug,-1,2011-01-04 11:00:00,3.50,,UK\n';
    const r = await collect(csvText(text));
    expect(r.refunds).toEqual([
      {
        externalId: 'C2003',
        orderExternalId: '2001',
        customer: { externalId: '9', email: null, phone: null, firstName: null, lastName: null },
        amountMinor: 350,
        currency: 'GBP',
        reason: 'cancellation invoice',
        lines: [{ sku: 'S1', quantity: 1, amountMinor: 350 }],
        createdAt: '2011-01-04T10:00:00.000Z',
      },
      expect.objectContaining({ externalId: 'C2004', orderExternalId: '2002', amountMinor: 250 }),
      expect.objectContaining({ externalId: 'C2005', orderExternalId: null, customer: null }),
    ]);
  });

  it('reports an order number that comes back after the order was complete', async () => {
    let text = `${header}3000,X,Thing,1,2011-01-02 10:00:00,1.00,1,UK\n`;
    for (let i = 1; i <= 40; i++) text += `${3000 + i},X,Thing,1,2011-01-02 10:00:00,1.00,1,UK\n`;
    text += '3000,Y,Late,1,2011-01-02 10:00:00,1.00,1,UK\n';
    const r = await collect(csvText(text), { batchSize: 7 });
    expect(r.orders).toHaveLength(41);
    expect(r.errors).toEqual([
      { line: 43, message: expect.stringMatching(/order 3000 is already complete/) },
    ]);
  });

  it('reads slashed dates, currencies and gzip without being told', async () => {
    const text =
      'Order,Date,Email,SKU,Qty,Price,Currency\n' +
      '#1,3/1/2011 8:05 PM,a@example.com,K1,3,"1,000.10",EUR\n' +
      '#2,3/14/2011 9:00,,K2,1,0.99,\n';
    const mapping = detectMapping('orders', [
      'Order',
      'Date',
      'Email',
      'SKU',
      'Qty',
      'Price',
      'Currency',
    ]).mapping;
    const r = await collect(Readable.from([gzipSync(text)]), {
      mapping,
      currency: 'USD',
      source: 'legacy-shop',
    });
    expect(r.errors).toEqual([]);
    expect(
      r.orders.map((o) => [o.number, o.placedAt, o.currency, o.totalMinor, o.customer?.email ?? null]),
    ).toEqual([
      ['#1', '2011-03-01T20:05:00.000Z', 'EUR', 300_030, 'a@example.com'],
      ['#2', '2011-03-14T09:00:00.000Z', 'USD', 99, null],
    ]);
    expect(r.orders[0]!.sourceName).toBe('legacy-shop');
    expect(r.customers).toEqual([]); // an email alone is a reference, not a customer record
  });

  it('yields nothing for a header-only file', async () => {
    const r = await collect(csvText(header));
    expect(r.batches).toBe(0);
    expect(r.rowsRead).toBe(0);
  });

  it('refuses a file missing a required column, naming it', async () => {
    const text = 'InvoiceNo,StockCode,Description,InvoiceDate,UnitPrice\n1,A,B,2011-01-01 00:00:00,1.00\n';
    const headers = text.split('\n')[0]!.split(',');
    const { mapping, missingRequired } = detectMapping('orders', headers);
    expect(missingRequired).toEqual(['quantity']);
    expect(() => validateMapping('orders', mapping, headers)).toThrow(
      /required column missing: Quantity \(quantity\)/,
    );
    await expect(collect(csvText(text), { mapping })).rejects.toThrow(MappingError);
    // the online-retail mapping on this file names a column it lacks
    await expect(collect(csvText(text))).rejects.toThrow(
      /column "Quantity" \(mapped to quantity\) is not in the file/,
    );
  });

  it('refuses a binary file with a clear error', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    await expect(collect(Readable.from([bytes]))).rejects.toThrow(CsvFileError);
    await expect(collect(Readable.from([bytes]))).rejects.toThrow(/binary, not CSV text/);
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]);
    await expect(collect(Readable.from([xlsx]))).rejects.toThrow(/ZIP archive/);
    await expect(collect(Readable.from([Buffer.from([0x1f, 0x8b, 1, 2, 3])]))).rejects.toThrow(/gzip/);
    await expect(collect(Readable.from([Buffer.alloc(0)]))).rejects.toThrow(/empty/);
  });
});
