// Bulk rows survive the trip through json_to_recordset on both databases, whatever the text holds;
// batches of keys match exactly.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { anyOf, jsonRecords } from './bulk.ts';
import { rows } from './db.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('jsonRecords', () => {
  it('carries every column type as it was: text of any kind, nulls, missing values, ids, moments, arrays, JSON', async () => {
    const texts = ['plain', 'a"b', 'c\\d', '\\"', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', '\n\t', null];
    const records = texts.map((text, i) => ({
      i,
      text,
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
      id: string | null;
      at: Date | null;
      big: string | null;
      codes: string[];
      payload: unknown;
      maybe: string | null;
    }>(
      t.database.db,
      sql`SELECT x.i, x.text, x.id, x.at, x.big::text AS big, x.codes, x.payload, x.maybe FROM (${jsonRecords(
        [
          ['i', 'int'],
          ['text', 'text'],
          ['id', 'uuid'],
          ['at', 'timestamptz'],
          ['big', 'bigint'],
          ['codes', 'text[]'],
          ['payload', 'jsonb'],
          ['maybe', 'text'],
        ],
        records,
      )}) AS x ORDER BY x.i`,
    );
    expect(got.map((r) => r.text)).toEqual(texts);
    expect(got.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(got.map((r) => (r.at === null ? null : new Date(r.at).toISOString()))).toEqual(
      records.map((r) => r.at?.toISOString() ?? null),
    );
    expect(got.map((r) => r.big)).toEqual(records.map((r) => (r.big === null ? null : String(r.big))));
    expect(got.map((r) => r.codes)).toEqual(records.map((r) => r.codes));
    expect(got.map((r) => r.payload)).toEqual(records.map((r) => r.payload));
    expect(got.map((r) => r.maybe)).toEqual(records.map((r) => ('maybe' in r ? r.maybe : null)));
  });
});

describe('anyOf', () => {
  it('matches exactly the listed keys, whatever the text holds, and nothing for an empty list', async () => {
    const stored = ['plain', 'a"b', 'c\\d', '\\"', 'e,f', '{g}', ' h ', 'NULL', '', 'ünï 🎉', 'other', 'a'];
    const table = jsonRecords(
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
      sql`SELECT x.id FROM (${jsonRecords(
        [['id', 'uuid']],
        [...ids, crypto.randomUUID()].map((id) => ({ id })),
      )}) AS x WHERE ${anyOf(sql.raw('x.id'), 'uuid', ids)}`,
    );
    expect(got.map((r) => r.id).sort()).toEqual([...ids].sort());
  });
});
