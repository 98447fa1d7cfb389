// What the visual builder offers per field: the kind of condition it makes and a fresh default.
import type { Condition, DateValue, NumberField, RuleGroup } from '../../../../contracts/segments.ts';

export type FieldChoice = { key: string; label: string; make: () => Condition };

export const fieldChoices: { group: string; items: FieldChoice[] }[] = [
  {
    group: 'Orders (all time)',
    items: [
      { key: 'amount_spent', label: 'Amount spent', make: () => num('amount_spent', '>', 100) },
      { key: 'number_of_orders', label: 'Number of orders', make: () => num('number_of_orders', '>=', 2) },
      {
        key: 'average_order_value',
        label: 'Average order value',
        make: () => num('average_order_value', '>', 50),
      },
      {
        key: 'discounted_order_share',
        label: 'Orders with a discount (%)',
        make: () => num('discounted_order_share', '>=', 80),
      },
      { key: 'first_order_date', label: 'First order date', make: () => date('first_order_date', '>', -30) },
      { key: 'last_order_date', label: 'Last order date', make: () => date('last_order_date', '<', -90) },
    ],
  },
  {
    group: 'Orders in a time window',
    items: [
      {
        key: 'fn:amount_spent',
        label: 'Amount spent in a window',
        make: () => orders('amount_spent', '>', 100),
      },
      {
        key: 'fn:orders_placed',
        label: 'Orders placed in a window',
        make: () => orders('orders_placed', '>=', 1),
      },
      {
        key: 'fn:average_order_value',
        label: 'Average order value in a window',
        make: () => orders('average_order_value', '>', 50),
      },
      {
        key: 'fn:products_purchased',
        label: 'Bought a product or category',
        make: () => ({ ...orders('products_purchased', '>=', 1), category: 'category' }),
      },
    ],
  },
  {
    group: 'Profile',
    items: [
      { key: 'customer_tags', label: 'Tags', make: () => ({ kind: 'tag', op: 'contains', value: '' }) },
      { key: 'rfm_group', label: 'RFM group', make: () => ({ kind: 'rfm', op: '=', value: 'champions' }) },
      { key: 'country', label: 'Country', make: () => text('country') },
      { key: 'city', label: 'City', make: () => text('city') },
      { key: 'email_domain', label: 'Email domain', make: () => text('email_domain') },
      { key: 'email', label: 'Email', make: () => text('email') },
      { key: 'first_name', label: 'First name', make: () => text('first_name') },
      { key: 'last_name', label: 'Last name', make: () => text('last_name') },
      { key: 'company', label: 'Company', make: () => text('company') },
      {
        key: 'customer_created_date',
        label: 'Customer since',
        make: () => date('customer_created_date', '>', -30),
      },
    ],
  },
  {
    group: 'Site activity',
    items: [
      {
        key: 'fn:events',
        label: 'Site events',
        make: () => ({
          kind: 'events',
          fn: 'events',
          type: 'product_viewed',
          window: { since: { days: -30 } },
          op: '>=',
          value: 1,
        }),
      },
      {
        key: 'fn:abandoned_checkouts',
        label: 'Abandoned checkouts',
        make: () => ({
          kind: 'events',
          fn: 'abandoned_checkouts',
          window: { since: { days: -7 } },
          op: '>=',
          value: 1,
        }),
      },
    ],
  },
];

export const allChoices = fieldChoices.flatMap((g) => g.items);

export function keyOf(c: Condition): string {
  switch (c.kind) {
    case 'tag':
      return 'customer_tags';
    case 'rfm':
      return 'rfm_group';
    case 'orders':
    case 'events':
      return `fn:${c.fn}`;
    default:
      return c.field;
  }
}

function num(field: NumberField, op: '>' | '>=', value: number): Condition {
  return { kind: 'number', field, test: { op, value } };
}
function date(
  field: 'first_order_date' | 'last_order_date' | 'customer_created_date',
  op: '<' | '>',
  days: number,
): Condition {
  return { kind: 'date', field, test: { op, value: { days } } };
}
function text(
  field: 'country' | 'city' | 'email_domain' | 'email' | 'first_name' | 'last_name' | 'company',
): Condition {
  return { kind: 'text', field, test: { op: '=', value: '' } };
}
function orders(
  fn: 'amount_spent' | 'orders_placed' | 'average_order_value' | 'products_purchased',
  op: '>' | '>=',
  value: number,
): Condition {
  return { kind: 'orders', fn, window: { since: { days: -90 } }, op, value };
}

/** "-90d" / "90" (days ago) / "2025-01-31" ↔ a date value. */
export function parseDateInput(s: string): DateValue | undefined {
  const t = s.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return { date: t };
  const m = /^(-?\d+)\s*d?$/.exec(t);
  return m ? { days: Number(m[1]) } : undefined;
}
export const dateInput = (d: DateValue | undefined) => (!d ? '' : 'days' in d ? `${d.days}d` : d.date);

export const emptyRules = (): RuleGroup => ({
  kind: 'group',
  op: 'and',
  rules: [allChoices[0]!.make()],
});
