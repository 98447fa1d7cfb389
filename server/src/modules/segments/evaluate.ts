// An in-memory evaluator of the rule model, written independently of the SQL compiler; the property
// test runs both on generated stores and requires the same customers. It also answers "does this one
// customer match" where the data is already in memory.
import type { Condition, DateValue, RfmGroup, RuleGroup } from '../../../../contracts/segments.ts';
import { rfmGroupOf } from './rfm.ts';

const DAY = 86_400_000;

export type MemCustomer = {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  country: string | null;
  city: string | null;
  tags: string[];
  ordersCount: number;
  totalSpentMinor: number;
  aovMinor: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  createdAt: Date;
};
export type MemOrder = {
  customerId: string | null;
  status: string;
  totalMinor: number;
  refundedMinor: number;
  discountCodes: string[];
  placedAt: Date;
  lines: { productExternalId: string | null }[];
};
export type MemProduct = { externalId: string; title: string; categories: string[] };
export type MemEvent = {
  customerId: string | null;
  type: string;
  productExternalId: string | null;
  occurredAt: Date;
};
export type MemCheckout = { customerId: string | null; completedAt: Date | null; createdAt: Date };
export type MemStore = {
  customers: MemCustomer[];
  orders: MemOrder[];
  products: MemProduct[];
  events: MemEvent[];
  checkouts: MemCheckout[];
};

function utcDay(d: DateValue, now: Date): number {
  if ('date' in d) {
    const [y, m, dd] = d.date.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, dd);
  }
  const at = new Date(now.getTime() + d.days * DAY);
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
}

function inWindow(t: Date, w: { since?: DateValue; until?: DateValue }, now: Date): boolean {
  if (w.since && t.getTime() < utcDay(w.since, now)) return false;
  if (w.until && t.getTime() >= utcDay(w.until, now) + DAY) return false;
  return true;
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
  return false;
}

function dateTest(v: Date | null, test: Extract<Condition, { kind: 'date' }>['test'], now: Date): boolean {
  if (test.op === 'is_null') return v === null;
  if (test.op === 'is_not_null') return v !== null;
  if (v === null) return false;
  const t = v.getTime();
  if (test.op === 'between') return t >= utcDay(test.from, now) && t < utcDay(test.to, now) + DAY;
  const day = utcDay(test.value, now);
  // compare the value's day position: before the day, within it, or after it
  const pos = t < day ? -1 : t < day + DAY ? 0 : 1;
  return compare(pos, test.op, 0);
}

function textValue(c: MemCustomer, field: Extract<Condition, { kind: 'text' }>['field']): string | null {
  switch (field) {
    case 'email_domain': {
      if (c.email === null) return null;
      const at = c.email.indexOf('@');
      const domain = at < 0 ? '' : c.email.slice(at + 1).split('@')[0]!;
      return domain === '' ? null : domain;
    }
    case 'email':
      return c.email;
    case 'first_name':
      return c.firstName;
    case 'last_name':
      return c.lastName;
    default:
      return c[field];
  }
}

type Index = {
  rfm: Map<string, RfmGroup>;
  orders: Map<string, MemOrder[]>;
  events: Map<string, MemEvent[]>;
  checkouts: Map<string, MemCheckout[]>;
  products: Map<string, MemProduct[]>;
};

function group<T extends { customerId: string | null }>(xs: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) if (x.customerId) m.set(x.customerId, [...(m.get(x.customerId) ?? []), x]);
  return m;
}

/** Splits sorted items into five buckets like SQL ntile(5): the first (n mod 5) buckets hold one more. */
function quintiles<T>(sorted: T[]): Map<T, number> {
  const out = new Map<T, number>();
  const base = Math.floor(sorted.length / 5);
  const extra = sorted.length % 5;
  let i = 0;
  for (let b = 1; b <= 5; b++) {
    const size = base + (b <= extra ? 1 : 0);
    for (let k = 0; k < size; k++) out.set(sorted[i++]!, b);
  }
  return out;
}

function rfmGroups(customers: MemCustomer[]): Map<string, RfmGroup> {
  const scored = customers.filter((c) => c.ordersCount > 0 && c.lastOrderAt !== null);
  const byId = (a: MemCustomer, b: MemCustomer) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const r = quintiles(
    [...scored].sort((a, b) => a.lastOrderAt!.getTime() - b.lastOrderAt!.getTime() || byId(a, b)),
  );
  const f = quintiles(
    [...scored].sort(
      (a, b) => a.ordersCount - b.ordersCount || a.totalSpentMinor - b.totalSpentMinor || byId(a, b),
    ),
  );
  return new Map(scored.map((c) => [c.id, rfmGroupOf(r.get(c)!, f.get(c)!)]));
}

function matches(c: MemCustomer, cond: Condition, ix: Index, now: Date): boolean {
  switch (cond.kind) {
    case 'rfm': {
      const g = ix.rfm.get(c.id);
      return g !== undefined && (cond.op === '=' ? g === cond.value : g !== cond.value);
    }
    case 'number': {
      const kept = (ix.orders.get(c.id) ?? []).filter((o) => o.status !== 'cancelled');
      const raw =
        cond.field === 'amount_spent'
          ? c.totalSpentMinor
          : cond.field === 'number_of_orders'
            ? c.ordersCount
            : cond.field === 'average_order_value'
              ? c.aovMinor
              : kept.length === 0
                ? null
                : (100 * kept.filter((o) => o.discountCodes.length > 0).length) / kept.length;
      const scale = (x: number) =>
        cond.field === 'number_of_orders' || cond.field === 'discounted_order_share'
          ? x
          : Math.round(x * 100);
      const t = cond.test;
      if (t.op === 'is_null') return raw === null;
      if (t.op === 'is_not_null') return raw !== null;
      if (raw === null) return false;
      if (t.op === 'between') return raw >= scale(t.from) && raw <= scale(t.to);
      return compare(raw, t.op, scale(t.value));
    }
    case 'date': {
      const v =
        cond.field === 'first_order_date'
          ? c.firstOrderAt
          : cond.field === 'last_order_date'
            ? c.lastOrderAt
            : c.createdAt;
      return dateTest(v, cond.test, now);
    }
    case 'text': {
      const v = textValue(c, cond.field);
      const t = cond.test;
      if (t.op === 'is_null') return v === null;
      if (t.op === 'is_not_null') return v !== null;
      if (v === null) return false;
      const a = v.toLowerCase();
      const b = t.value.toLowerCase();
      if (t.op === 'contains') return a.includes(b);
      if (t.op === 'not_contains') return !a.includes(b);
      return t.op === '=' ? a === b : a !== b;
    }
    case 'tag': {
      const has = c.tags.some((t) => t.toLowerCase() === cond.value.toLowerCase());
      return cond.op === 'contains' ? has : !has;
    }
    case 'orders': {
      const productsOf = (externalId: string | null) =>
        externalId ? (ix.products.get(externalId) ?? []) : [];
      const picked = (ix.orders.get(c.id) ?? []).filter(
        (o) =>
          o.status !== 'cancelled' &&
          inWindow(o.placedAt, cond.window, now) &&
          (!cond.discountCode || o.discountCodes.includes(cond.discountCode)) &&
          (!(cond.category || cond.product) ||
            o.lines.some((l) =>
              productsOf(l.productExternalId).some(
                (p) =>
                  (!cond.category || p.categories.includes(cond.category)) &&
                  (!cond.product || p.title.toLowerCase() === cond.product.toLowerCase()),
              ),
            )),
      );
      const gross = picked.reduce((s, o) => s + o.totalMinor, 0);
      const net = gross - picked.reduce((s, o) => s + o.refundedMinor, 0);
      if (cond.fn === 'amount_spent') return compare(net, cond.op, Math.round(cond.value * 100));
      if (cond.fn === 'average_order_value')
        return picked.length > 0 && compare(gross / picked.length, cond.op, Math.round(cond.value * 100));
      return compare(picked.length, cond.op, cond.value);
    }
    case 'events': {
      if (cond.fn === 'abandoned_checkouts') {
        const n = (ix.checkouts.get(c.id) ?? []).filter(
          (k) => k.completedAt === null && inWindow(k.createdAt, cond.window, now),
        ).length;
        return compare(n, cond.op, cond.value);
      }
      const n = (ix.events.get(c.id) ?? []).filter(
        (e) =>
          inWindow(e.occurredAt, cond.window, now) &&
          (!cond.type || e.type === cond.type) &&
          (!cond.product ||
            (e.productExternalId !== null &&
              (ix.products.get(e.productExternalId) ?? []).some(
                (p) => p.title.toLowerCase() === cond.product!.toLowerCase(),
              ))),
      ).length;
      return compare(n, cond.op, cond.value);
    }
  }
}

function evalGroup(c: MemCustomer, g: RuleGroup, ix: Index, now: Date): boolean {
  const test = (r: RuleGroup | Condition) =>
    r.kind === 'group' ? evalGroup(c, r, ix, now) : matches(c, r, ix, now);
  return g.op === 'and' ? g.rules.every(test) : g.rules.some(test);
}

/** The ids of the store's customers matching the rules, sorted. */
export function evaluateRules(store: MemStore, g: RuleGroup, now: Date): string[] {
  const products = new Map<string, MemProduct[]>();
  for (const p of store.products) products.set(p.externalId, [...(products.get(p.externalId) ?? []), p]);
  const ix: Index = {
    rfm: rfmGroups(store.customers),
    orders: group(store.orders),
    events: group(store.events),
    checkouts: group(store.checkouts),
    products,
  };
  return store.customers
    .filter((c) => evalGroup(c, g, ix, now))
    .map((c) => c.id)
    .sort();
}
