// Bulk columns survive the trip through unnest on both databases, whatever the text holds.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { anyOf, jsonColumn, textArrayColumn, unnestRows } from './bulk.ts';
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

describe('unnestRows', () => {
  it('carries every column type as it was: text of any kind, nulls, numbers, ids, moments, flags, JSON', async () => {
    const texts = ['plain', 'a"b', 'c\\d', '\\"', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', null];
    const n = texts.length;
    const ids = Array.from({ length: n }, (_, i) => (i === 3 ? null : crypto.randomUUID()));
    const moments = Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? null : i % 3 === 1 ? new Date(Date.UTC(2025, 0, i, 10, 30)) : '2025-03-04T05:06:07.089Z',
    );
    const big = Array.from({ length: n }, (_, i) => (i === 5 ? null : 2 ** 53 - i));
    const json = Array.from({ length: n }, (_, i) => (i === 1 ? null : { k: texts[i], n: i }));
    const got = await rows<{
      i: number;
      t: string | null;
      id: string | null;
      at: Date | null;
      b: string | null;
      f: boolean;
      j: unknown;
    }>(
      t.database.db,
      sql`SELECT x.i, x.t, x.id, x.at, x.b::text AS b, x.f, x.j FROM (${unnestRows([
        { name: 'i', type: 'int', values: texts.map((_, i) => i) },
        { name: 't', type: 'text', values: texts },
        { name: 'id', type: 'uuid', values: ids },
        { name: 'at', type: 'timestamptz', values: moments },
        { name: 'b', type: 'bigint', values: big },
        { name: 'f', type: 'boolean', values: texts.map((_, i) => i % 2 === 0) },
        jsonColumn('j', json),
      ])}) AS x ORDER BY x.i`,
    );
    expect(got.map((r) => r.t)).toEqual(texts);
    expect(got.map((r) => r.id)).toEqual(ids);
    expect(got.map((r) => (r.at === null ? null : new Date(r.at).toISOString()))).toEqual(
      moments.map((m) => (m === null ? null : new Date(m).toISOString())),
    );
    expect(got.map((r) => r.b)).toEqual(big.map((b) => (b === null ? null : String(b))));
    expect(got.map((r) => r.f)).toEqual(texts.map((_, i) => i % 2 === 0));
    expect(got.map((r) => r.j)).toEqual(json);
  });
});

describe('anyOf', () => {
  it('matches exactly the listed keys, whatever the text holds, and nothing for an empty list', async () => {
    const stored = ['plain', 'a"b', 'c\\d', '\\"', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', 'other', 'a'];
    const table = sql`${unnestRows([{ name: 'k', type: 'text', values: stored }])}`;
    const match = async (keys: string[]) =>
      (
        await rows<{ k: string }>(
          t.database.db,
          sql`SELECT x.k FROM (${table}) AS x WHERE ${anyOf(sql.raw('x.k'), 'text', keys)}`,
        )
      )
        .map((r) => r.k)
        .sort();
    const wanted = ['a"b', 'c\\d', '\\"', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', 'missing'];
    expect(await match(wanted)).toEqual(stored.filter((k) => wanted.includes(k)).sort());
    expect(await match([])).toEqual([]);
    const ids = [crypto.randomUUID(), crypto.randomUUID()];
    const got = await rows<{ id: string }>(
      t.database.db,
      sql`SELECT x.id FROM (${unnestRows([{ name: 'id', type: 'uuid', values: [...ids, crypto.randomUUID()] }])}) AS x WHERE ${anyOf(sql.raw('x.id'), 'uuid', ids)}`,
    );
    expect(got.map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});
