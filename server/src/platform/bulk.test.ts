// Bulk rows survive the trip through unnest's array parameters on both databases, whatever the text holds;
// batches of keys match exactly.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { anyOf, columns, records } from './bulk.ts';
import { rows } from './db.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('records', () => {
  it('carries every column type as it was: text of any kind, nulls, missing values, ids, moments, arrays, JSON', async () => {
    const texts = ['plain', 'a"b', 'c\\d', '\\"', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', '\n\t', null];
    const input = texts.map((text, i) => ({
      i,
      text,
      // the same without control characters: a column JSON.stringify writes whole
      quoted: text?.replace(/[\n\t]/g, 'x') ?? null,
      id: i === 3 ? null : crypto.randomUUID(),
      at: i % 3 === 0 ? null : new Date(Date.UTC(2025, 0, i, 10, 30, 0, i)),
      big: i === 5 ? null : 2 ** 53 - 1 - i,
      codes: i === 4 ? [] : [text ?? 'x', '"q"', 'a,b'],
      payload: i === 1 ? null : { k: text, n: i, nested: { big: '18446744073709551615' } },
      ...(i === 7 ? {} : { maybe: `m${i}` }),
    }));
    const got = await rows<{
      i: number;
      text: string | null;
      quoted: string | null;
      id: string | null;
      at: Date | null;
      big: string | null;
      codes: string[];
      payload: unknown;
      maybe: string | null;
    }>(
      t.database.db,
      sql`SELECT x.i, x.text, x.quoted, x.id, x.at, x.big::text AS big, x.codes, x.payload, x.maybe FROM (${records(
        [
          ['i', 'int'],
          ['text', 'text'],
          ['quoted', 'text'],
          ['id', 'uuid'],
          ['at', 'timestamptz'],
          ['big', 'bigint'],
          ['codes', 'text[]'],
          ['payload', 'jsonb'],
          ['maybe', 'text'],
        ],
        input,
      )}) AS x ORDER BY x.i`,
    );
    expect(got.map((r) => r.text)).toEqual(texts);
    expect(got.map((r) => r.quoted)).toEqual(input.map((r) => r.quoted));
    expect(got.map((r) => r.id)).toEqual(input.map((r) => r.id));
    expect(got.map((r) => (r.at === null ? null : new Date(r.at).toISOString()))).toEqual(
      input.map((r) => r.at?.toISOString() ?? null),
    );
    expect(got.map((r) => r.big)).toEqual(input.map((r) => (r.big === null ? null : String(r.big))));
    expect(got.map((r) => r.codes)).toEqual(input.map((r) => r.codes));
    expect(got.map((r) => r.payload)).toEqual(input.map((r) => r.payload));
    expect(got.map((r) => r.maybe)).toEqual(input.map((r) => ('maybe' in r ? r.maybe : null)));
  });

  it('carries JSON values of any kind, and no rows at all', async () => {
    const payloads = ['text', 12, true, [1, 'a"b'], { k: 'c\\d' }, null];
    const got = await rows<{ i: number; payload: unknown }>(
      t.database.db,
      sql`SELECT x.i, x.payload FROM (${records(
        [
          ['i', 'int'],
          ['payload', 'jsonb'],
        ],
        payloads.map((payload, i) => ({ i, payload })),
      )}) AS x ORDER BY x.i`,
    );
    expect(got.map((r) => r.payload)).toEqual(payloads);
    const none = await rows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM (${records([['i', 'int']], [])}) AS x`,
    );
    expect(none[0]!.n).toBe(0);
  });

  it('takes rows column by column as well, in row order', async () => {
    const got = await rows<{ id: string; n: number; codes: string[] | null }>(
      t.database.db,
      sql`SELECT x.id, x.n, x.codes FROM (${columns([
        ['id', 'text', ['a', 'b', 'c']],
        ['n', 'int', [3, 1, 2]],
        ['codes', 'text[]', [['x'], null, []]],
      ])}) AS x`,
    );
    expect(got).toEqual([
      { id: 'a', n: 3, codes: ['x'] },
      { id: 'b', n: 1, codes: null },
      { id: 'c', n: 2, codes: [] },
    ]);
  });
});

describe('anyOf', () => {
  it('matches exactly the listed keys, whatever the text holds, and nothing for an empty list', async () => {
    const stored = ['plain', 'a"b', 'c\\d', '\\"', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', 'other', 'a'];
    const table = records(
      [['k', 'text']],
      stored.map((k) => ({ k })),
    );
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
      sql`SELECT x.id FROM (${records(
        [['id', 'uuid']],
        [...ids, crypto.randomUUID()].map((id) => ({ id })),
      )}) AS x WHERE ${anyOf(sql.raw('x.id'), 'uuid', ids)}`,
    );
    expect(got.map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});
