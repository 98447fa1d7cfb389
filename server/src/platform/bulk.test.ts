// Bulk columns survive the trip through unnest on both databases, whatever the text holds.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { textArrayColumn, unnestRows } from './bulk.ts';
import { rows } from './db.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('textArrayColumn', () => {
  it('keeps every element as it was: quotes, backslashes, commas, braces, spaces, NULL, emoji, empty', async () => {
    const values = [
      [],
      ['SUMMER10'],
      ['a"b', 'c\\d', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', "it's"],
      ['\\"', '"\\'],
    ];
    const got = await rows<{ v: string[] }>(
      t.database.db,
      sql`${unnestRows([{ name: 'n', type: 'int', values: values.map((_, i) => i) }, textArrayColumn('v', values)])} ORDER BY 1`,
    );
    expect(got.map((r) => r.v)).toEqual(values);
  });
});
