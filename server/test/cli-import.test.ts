// `patron import` and `patron integrations … connect` on the embedded database, with real data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patronBin, run } from './fixtures/processes.ts';

const data = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/data');
const env = (dir: string) => ({ DATABASE_URL: undefined, PATRON_DATA_DIR: dir });

// embedded only: the server pass of the suite skips it (it would run the same thing twice)
describe.skipIf(!!process.env.TEST_DATABASE_URL)('patron import (embedded database)', () => {
  let root: string;
  let dataDir: string;
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-import-'));
    dataDir = path.join(root, 'data');
    const res = await run(
      [
        patronBin,
        'admin',
        'create-workspace',
        '--name',
        'UK Gifts',
        '--owner-email',
        'o@example.com',
        '--owner-password',
        'correct horse battery',
      ],
      env(dataDir),
    );
    expect(res.code, res.stderr).toBe(0);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('dry-runs then imports a real retailer month with the right counts, and a rerun creates nothing', async () => {
    const file = path.join(data, 'online-retail/online_retail_uci_2010-12.csv');
    const dry = await run(
      [
        patronBin,
        'import',
        'orders',
        file,
        '--workspace',
        'uk-gifts',
        '--currency',
        'GBP',
        '--dry-run',
        '--json',
      ],
      env(dataDir),
      120_000,
    );
    expect(dry.code, dry.stderr).toBe(0);
    const d = JSON.parse(dry.stdout);
    expect(d).toMatchObject({
      dryRun: true,
      rowsRead: 42481,
      rowsFailed: 0,
      orders: { created: 1699, updated: 0 },
      refunds: { created: 326 },
      customers: { created: 948 },
    });
    const real = await run(
      [patronBin, 'import', 'orders', file, '--workspace', 'uk-gifts', '--currency', 'GBP', '--json'],
      env(dataDir),
      200_000,
    );
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({
      status: 'done',
      rowsRead: 42481,
      orders: { created: 1699 },
      refunds: { created: 326 },
      customers: { created: 948 },
    });
    const again = await run(
      [patronBin, 'import', 'orders', file, '--workspace', 'uk-gifts', '--currency', 'GBP', '--json'],
      env(dataDir),
      200_000,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({
      orders: { created: 0 },
      refunds: { created: 0 },
      customers: { created: 0 },
    });
  }, 500_000);

  it('reports bad rows by line number and imports the good ones', async () => {
    const file = path.join(root, 'bad.csv');
    fs.writeFileSync(
      file,
      'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n' +
        '900001,A1,Lamp,2,2011-01-02 10:00:00,3.50,12345.0,France\n' +
        '900002,A2,Vase,lots,2011-01-02 11:00:00,2.00,12345.0,France\n' +
        '900003,A3,Bowl,1,not a date,2.00,,France\n',
    );
    const res = await run(
      [patronBin, 'import', 'orders', file, '--workspace', 'uk-gifts', '--currency', 'EUR', '--json'],
      env(dataDir),
    );
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ rowsRead: 3, rowsFailed: 2, orders: { created: 1 } });
  }, 120_000);

  it('refuses what it cannot do, clearly', async () => {
    const missing = await run(
      [patronBin, 'import', 'orders', path.join(root, 'nope.csv'), '--workspace', 'uk-gifts'],
      env(dataDir),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/No file/);
    const ws = await run(
      [
        patronBin,
        'import',
        'orders',
        path.join(data, 'online-retail/online_retail_uci_2010-12.csv'),
        '--workspace',
        'nobody',
      ],
      env(dataDir),
    );
    expect(ws.code).toBe(2);
    expect(ws.stderr).toMatch(/No workspace/);
    const cols = path.join(root, 'cols.csv');
    fs.writeFileSync(cols, 'a,b\n1,2\n');
    const bad = await run([patronBin, 'import', 'orders', cols, '--workspace', 'uk-gifts'], env(dataDir));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/could not be matched|required column/i);
  }, 120_000);

  it('connects a Shopify shop from the command line', async () => {
    const res = await run(
      [
        patronBin,
        'integrations',
        'shopify',
        'connect',
        '--workspace',
        'uk-gifts',
        '--shop-domain',
        'uk-gifts.myshopify.com',
        '--secret',
        'shpss_cli_secret_1',
      ],
      env(dataDir),
    );
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ kind: 'shopify', address: 'uk-gifts.myshopify.com' });
    const bad = await run(
      [
        patronBin,
        'integrations',
        'shopify',
        'connect',
        '--workspace',
        'uk-gifts',
        '--shop-domain',
        'x.myshopify.com',
      ],
      env(dataDir),
    );
    expect(bad.code).toBe(2);
  }, 60_000);
});
