import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prebuiltSegments, ruleGroupSchema } from '../../../../contracts/segments.ts';
import { parseQuery, printQuery, QueryError } from './query.ts';
import { conditionCount, rulesArb } from './rules.arbitrary.ts';

const errorOf = (q: string) => {
  try {
    parseQuery(q);
  } catch (e) {
    if (e instanceof QueryError) return { position: e.position, reason: e.reason };
    throw e;
  }
  throw new Error(`parsed: ${q}`);
};

describe('segment query language', () => {
  it('parses the Shopify-style example into nested rules', () => {
    const r = parseQuery(
      "amount_spent > 100 AND number_of_orders >= 2 AND last_order_date < -90d AND customer_tags CONTAINS 'VIP'",
    );
    expect(r).toEqual({
      kind: 'group',
      op: 'and',
      rules: [
        { kind: 'number', field: 'amount_spent', test: { op: '>', value: 100 } },
        { kind: 'number', field: 'number_of_orders', test: { op: '>=', value: 2 } },
        { kind: 'date', field: 'last_order_date', test: { op: '<', value: { days: -90 } } },
        { kind: 'tag', op: 'contains', value: 'VIP' },
      ],
    });
  });

  it('reads OR, parentheses, BETWEEN, IS NULL, NOT CONTAINS, units and functions', () => {
    const r = parseQuery(
      "(country = 'DE' OR city IS NULL) and first_order_date BETWEEN '2024-01-01' AND -2w " +
        "AND customer_tags NOT CONTAINS 'wholesale' AND amount_spent(since: -90d, category: 'Coffee') > 100 " +
        "AND events(type: 'product_viewed', since: -1m) >= 3",
    );
    expect(r.rules[0]).toMatchObject({ kind: 'group', op: 'or' });
    expect(r.rules[1]).toEqual({
      kind: 'date',
      field: 'first_order_date',
      test: { op: 'between', from: { date: '2024-01-01' }, to: { days: -14 } },
    });
    expect(r.rules[2]).toEqual({ kind: 'tag', op: 'not_contains', value: 'wholesale' });
    expect(r.rules[3]).toEqual({
      kind: 'orders',
      fn: 'amount_spent',
      window: { since: { days: -90 } },
      category: 'Coffee',
      op: '>',
      value: 100,
    });
    expect(r.rules[4]).toMatchObject({
      kind: 'events',
      type: 'product_viewed',
      window: { since: { days: -30 } },
    });
    expect(ruleGroupSchema.safeParse(r).success).toBe(true);
  });

  it('reads every pre-built segment, printed back unchanged', () => {
    for (const p of prebuiltSegments) {
      const r = parseQuery(p.query);
      expect(ruleGroupSchema.safeParse(r).success).toBe(true);
      expect(printQuery(r)).toBe(p.query);
    }
  });

  it('refuses malformed text with the position and the reason', () => {
    expect(errorOf('amount_spent >')).toEqual({
      position: 14,
      reason: expect.stringMatching(/expected a number/),
    });
    expect(errorOf('amont_spent > 5')).toMatchObject({
      position: 0,
      reason: expect.stringMatching(/unknown field 'amont_spent'.*amount_spent/),
    });
    expect(errorOf("country = 'DE")).toMatchObject({
      position: 10,
      reason: expect.stringMatching(/not closed/),
    });
    expect(errorOf('(amount_spent > 5')).toMatchObject({
      position: 17,
      reason: expect.stringMatching(/expected '\)'/),
    });
    expect(errorOf('amount_spent > 5 number_of_orders > 1')).toMatchObject({
      position: 17,
      reason: expect.stringMatching(/AND or OR/),
    });
    expect(errorOf("last_order_date < 'yesterday'")).toMatchObject({
      position: 18,
      reason: expect.stringMatching(/YYYY-MM-DD/),
    });
    expect(errorOf("country > 'DE'")).toMatchObject({
      position: 8,
      reason: expect.stringMatching(/country is text/),
    });
    expect(errorOf("events(type: 'product_viewed') > 1")).toMatchObject({
      position: 0,
      reason: expect.stringMatching(/needs since/),
    });
    expect(errorOf('orders_placed(colour: 1) > 1')).toMatchObject({
      position: 14,
      reason: expect.stringMatching(/no argument 'colour'/),
    });
    expect(errorOf('amount_spent # 1')).toMatchObject({ position: 13, reason: "unexpected character '#'" });
    expect(parseQuery("rfm_group = 'Can\\'t lose'").rules[0]).toEqual({
      kind: 'rfm',
      op: '=',
      value: 'cant_lose',
    });
    expect(errorOf("rfm_group = 'vips'")).toMatchObject({
      position: 12,
      reason: expect.stringMatching(/unknown RFM group/),
    });
    expect(errorOf('   ')).toMatchObject({ position: 0, reason: 'the query is empty' });
    const many = Array.from({ length: 41 }, () => 'number_of_orders > 1').join(' AND ');
    expect(errorOf(many).reason).toMatch(/at most 40 conditions/);
  });

  // Generated rules in canonical form (a group of one holds AND) print to text that parses back to
  // the same rules, and text → rules → text is stable.
  const text = fc.string({ minLength: 1, maxLength: 8 });
  const rules = rulesArb(
    {
      date: fc.oneof(
        fc.integer({ min: -3000, max: 3000 }).map((days) => ({ days })),
        fc
          .date({ min: new Date('2000-01-01'), max: new Date('2040-12-31'), noInvalidDate: true })
          .map((d) => ({ date: d.toISOString().slice(0, 10) })),
      ),
      number: fc.integer({ min: -100000, max: 100000 }).map((x) => x / 100),
      count: fc.nat(50),
      text,
      tag: text,
      category: text,
      product: text,
      discountCode: text,
      orderFns: ['orders_placed', 'amount_spent', 'average_order_value'],
      eventFns: ['events', 'abandoned_checkouts'],
    },
    { maxDepth: 3, maxWidth: 4, canonical: true },
  );

  it('round-trips generated rules through the text form', () => {
    fc.assert(
      // within the limits a query may have (beyond them the parser refuses, tested above)
      fc.property(
        rules.filter((r) => conditionCount(r) <= 40),
        (r) => {
          const text1 = printQuery(r);
          expect(parseQuery(text1)).toEqual(r);
          expect(printQuery(parseQuery(text1))).toBe(text1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
