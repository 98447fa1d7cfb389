// Generated rules for the property tests (text round trip; compiler = evaluator), drawing values
// from the pools a test gives: wide random values for the parser, a store's own values for the
// compiler so that conditions often match.
import fc from 'fast-check';
import {
  type Condition,
  type DateValue,
  dateFields,
  eventTypes,
  numberFields,
  type RuleGroup,
  rfmGroups,
  textFields,
} from '../../../../contracts/segments.ts';

export type Pools = {
  date: fc.Arbitrary<DateValue>;
  number: fc.Arbitrary<number>;
  count: fc.Arbitrary<number>;
  text: fc.Arbitrary<string>;
  tag: fc.Arbitrary<string>;
  category: fc.Arbitrary<string>;
  product: fc.Arbitrary<string>;
  discountCode: fc.Arbitrary<string>;
  /** the order functions to use (products_purchased needs a category or product to be valid) */
  orderFns: ('orders_placed' | 'amount_spent' | 'average_order_value' | 'products_purchased')[];
  eventFns: ('events' | 'abandoned_checkouts')[];
};

export function conditionArb(p: Pools): fc.Arbitrary<Condition> {
  const cmpOp = fc.constantFrom('=', '!=', '>', '>=', '<', '<=' as const);
  const nullOp = fc.record({ op: fc.constantFrom('is_null' as const, 'is_not_null' as const) });
  const opt = {
    requiredKeys: ['kind', 'fn', 'window', 'op', 'value'] as ('kind' | 'fn' | 'window' | 'op' | 'value')[],
  };
  return fc.oneof(
    fc.record({
      kind: fc.constant('number' as const),
      field: fc.constantFrom(...numberFields),
      test: fc.oneof(
        fc.record({ op: cmpOp, value: p.number }),
        fc.record({ op: fc.constant('between' as const), from: p.number, to: p.number }),
        nullOp,
      ),
    }),
    fc.record({
      kind: fc.constant('date' as const),
      field: fc.constantFrom(...dateFields),
      test: fc.oneof(
        fc.record({ op: cmpOp, value: p.date }),
        fc.record({ op: fc.constant('between' as const), from: p.date, to: p.date }),
        nullOp,
      ),
    }),
    fc.record({
      kind: fc.constant('text' as const),
      field: fc.constantFrom(...textFields),
      test: fc.oneof(
        fc.record({ op: fc.constantFrom('=', '!=', 'contains', 'not_contains' as const), value: p.text }),
        nullOp,
      ),
    }),
    fc.record({
      kind: fc.constant('tag' as const),
      op: fc.constantFrom('contains', 'not_contains' as const),
      value: p.tag,
    }),
    fc.record({
      kind: fc.constant('rfm' as const),
      op: fc.constantFrom('=', '!=' as const),
      value: fc.constantFrom(...rfmGroups),
    }),
    fc.record(
      {
        kind: fc.constant('orders' as const),
        fn: fc.constantFrom(...p.orderFns),
        window: fc.record({ since: p.date, until: p.date }, { requiredKeys: [] }),
        category: p.category,
        product: p.product,
        discountCode: p.discountCode,
        op: cmpOp,
        value: p.number,
      },
      opt,
    ),
    fc
      .record(
        {
          kind: fc.constant('events' as const),
          fn: fc.constantFrom(...p.eventFns),
          type: fc.constantFrom(...eventTypes),
          product: p.product,
          window: fc.record({ since: p.date, until: p.date }, { requiredKeys: ['since'] }),
          op: cmpOp,
          value: p.count,
        },
        opt,
      )
      .map(({ type, product, ...rest }) =>
        // abandoned checkouts take a window only
        rest.fn === 'events' ? { ...rest, ...(type ? { type } : {}), ...(product ? { product } : {}) } : rest,
      ),
  );
}

/** Nested groups of conditions; `canonical` makes a group of one an AND (how the parser reads it). */
export function rulesArb(
  p: Pools,
  opts: { maxDepth: number; maxWidth: number; canonical: boolean },
): fc.Arbitrary<RuleGroup> {
  const condition = conditionArb(p);
  return fc.letrec<{ g: RuleGroup }>((tie) => ({
    g: fc
      .record({
        kind: fc.constant('group' as const),
        op: fc.constantFrom('and', 'or' as const),
        rules: fc.array(
          fc.oneof({ depthSize: 'small', maxDepth: opts.maxDepth }, condition, condition, tie('g')),
          {
            minLength: 1,
            maxLength: opts.maxWidth,
          },
        ),
      })
      .map((g) => (opts.canonical && g.rules.length === 1 ? { ...g, op: 'and' as const } : g)),
  })).g;
}

export const conditionCount = (g: RuleGroup): number =>
  g.rules.reduce((n, r) => n + (r.kind === 'group' ? conditionCount(r) : 1), 0);
