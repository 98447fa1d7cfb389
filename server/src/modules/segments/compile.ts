// The rule compiler: rules → one parameterised SQL predicate over `customers c` (every value is a bound
// parameter from drizzle's sql template; nothing is concatenated). Semantics, shared with the in-memory
// evaluator (evaluate.ts) and pinned by the property test:
// - dates are whole UTC days: a relative date -90d is the day 90 days before `now`; `< D` is before that
//   day, `<= D` up to its end, BETWEEN includes both days; windows (since/until) include both days;
// - money is in major units of the workspace currency (amount_spent > 100 means 100.00);
// - text compares ignore case; a missing value (NULL) never matches a comparison (only IS NULL);
// - rfm_group: customers without orders have no group and match neither = nor !=;
// - orders: cancelled orders never count; amount_spent() is net of refunds on those orders (like the
//   amount_spent field), average_order_value() is gross like the AOV field and of no orders matches nothing.
import { type SQL, sql } from 'drizzle-orm';
import type { Condition, DateValue, RuleGroup } from '../../../../contracts/segments.ts';
import { RULE_LIMITS } from '../../../../contracts/segments.ts';
import { ORDER_WINDOWS, type OrderWindow, orderWindowColumns, utcDay } from '../commerce/metrics.ts';
import { rfmGroupSql, rfmScored } from './rfm.ts';

const DAY = 86_400_000;

/** The start (00:00 UTC) of the day a date value names, relative to `now`. */
export function dayStart(d: DateValue, now: Date): Date {
  if ('date' in d) return new Date(`${d.date}T00:00:00Z`);
  const t = now.getTime() + d.days * DAY;
  return new Date(t - (((t % DAY) + DAY) % DAY));
}
export const dayEnd = (d: DateValue, now: Date) => new Date(dayStart(d, now).getTime() + DAY);

/** Refuses rules beyond the limits (too many conditions, too deep, windows wider than allowed). */
export function checkRules(g: RuleGroup, now: Date): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  let count = 0;
  const walk = (node: RuleGroup, path: string, depth: number) => {
    if (depth > RULE_LIMITS.depth)
      errors.push({ path, message: `groups nest at most ${RULE_LIMITS.depth} deep` });
    node.rules.forEach((r, i) => {
      const p = `${path}.rules.${i}`;
      if (r.kind === 'group') {
        walk(r, p, depth + 1);
        return;
      }
      count++;
      if (r.kind === 'events') {
        if (!r.window.since)
          errors.push({
            path: `${p}.window.since`,
            message: `${r.fn}() needs since: — event history is only searched within a window`,
          });
        else {
          const until = r.window.until ? dayEnd(r.window.until, now) : new Date(now.getTime() + DAY);
          const span = (until.getTime() - dayStart(r.window.since, now).getTime()) / DAY;
          if (span > RULE_LIMITS.windowDays + 1)
            errors.push({
              path: `${p}.window`,
              message: `an event window spans at most ${RULE_LIMITS.windowDays} days`,
            });
        }
      }
      if (r.kind === 'orders' && r.fn === 'products_purchased' && !r.category && !r.product)
        errors.push({ path: p, message: 'products_purchased needs a product or a category' });
    });
  };
  walk(g, 'rules', 1);
  if (count > RULE_LIMITS.conditions)
    errors.push({ path: 'rules', message: `a segment holds at most ${RULE_LIMITS.conditions} conditions` });
  return errors;
}

const minor = (v: number) => Math.round(v * 100);

function cmp(left: SQL, op: string, right: unknown): SQL {
  switch (op) {
    case '=':
      return sql`${left} = ${right}`;
    case '!=':
      return sql`${left} <> ${right}`;
    case '>':
      return sql`${left} > ${right}`;
    case '>=':
      return sql`${left} >= ${right}`;
    case '<':
      return sql`${left} < ${right}`;
    case '<=':
      return sql`${left} <= ${right}`;
  }
  throw new Error(`operator ${op}`);
}

function compare(a: number, op: string, b: number): boolean {
  return op === '='
    ? a === b
    : op === '!='
      ? a !== b
      : op === '>'
        ? a > b
        : op === '>='
          ? a >= b
          : op === '<'
            ? a < b
            : a <= b;
}

function dateCmp(col: SQL, op: string, d: DateValue, now: Date): SQL {
  const s = dayStart(d, now).toISOString();
  const e = dayEnd(d, now).toISOString();
  switch (op) {
    case '=':
      return sql`(${col} >= ${s}::timestamptz AND ${col} < ${e}::timestamptz)`;
    case '!=':
      return sql`(${col} < ${s}::timestamptz OR ${col} >= ${e}::timestamptz)`;
    case '<':
      return sql`${col} < ${s}::timestamptz`;
    case '<=':
      return sql`${col} < ${e}::timestamptz`;
    case '>':
      return sql`${col} >= ${e}::timestamptz`;
    case '>=':
      return sql`${col} >= ${s}::timestamptz`;
  }
  throw new Error(`operator ${op}`);
}

function windowSql(col: SQL, w: { since?: DateValue; until?: DateValue }, now: Date): SQL {
  const parts: SQL[] = [];
  if (w.since) parts.push(sql`${col} >= ${dayStart(w.since, now).toISOString()}::timestamptz`);
  if (w.until) parts.push(sql`${col} < ${dayEnd(w.until, now).toISOString()}::timestamptz`);
  return parts.length ? sql.join(parts, sql` AND `) : sql`TRUE`;
}

const numberColumn = {
  amount_spent: sql`c.total_spent_minor`,
  number_of_orders: sql`c.orders_count`,
  average_order_value: sql`c.aov_minor`,
  // a percentage, NULL for a customer without orders (cancelled ones never count)
  discounted_order_share: sql`(SELECT 100.0 * count(*) FILTER (WHERE cardinality(o.discount_codes) > 0) / nullif(count(*), 0)
    FROM orders o WHERE o.workspace_id = c.workspace_id AND o.customer_id = c.id AND o.status <> 'cancelled')`,
} as const;
const dateColumn = {
  first_order_date: sql`c.first_order_at`,
  last_order_date: sql`c.last_order_at`,
  customer_created_date: sql`coalesce(c.source_created_at, c.created_at)`,
} as const;
const textColumn = {
  country: sql`c.country`,
  city: sql`c.city`,
  email_domain: sql`nullif(split_part(c.email::text, '@', 2), '')`,
  email: sql`c.email::text`,
  first_name: sql`c.first_name`,
  last_name: sql`c.last_name`,
  company: sql`c.company`,
} as const;
/** Text fields stored lower-cased too (migration 0020): compared with `=`, an index condition under RLS. */
const loweredColumn = {
  country: sql`c.country_lower`,
  city: sql`c.city_lower`,
} as const;

type OrdersCondition = Extract<Condition, { kind: 'orders' }>;

/** The stored rolling window an order aggregate is, if any: since -N days (N kept), no end, no filter. */
function storedWindow(c: OrdersCondition): OrderWindow | null {
  const since = c.window.since;
  if (c.fn === 'products_purchased' || c.discountCode || c.category || c.product) return null;
  if (!since || !('days' in since) || c.window.until) return null;
  const n = -since.days;
  return (ORDER_WINDOWS as readonly number[]).includes(n) ? (n as OrderWindow) : null;
}

function storedAggregate(fn: OrdersCondition['fn'], n: OrderWindow): SQL {
  const col = orderWindowColumns(n);
  // as the counted aggregates: net spend, the gross average (NULL without orders), the count
  if (fn === 'amount_spent') return sql`c.${col.net}`;
  if (fn === 'average_order_value') return sql`(c.${col.gross}::numeric / nullif(c.${col.count}, 0))`;
  return sql`c.${col.count}`;
}

function conditionSql(c: Condition, now: Date, workspaceId: string): SQL {
  switch (c.kind) {
    case 'rfm':
      // scored once for the whole workspace (an uncorrelated subquery), not once per customer
      return sql`c.id IN (SELECT s.id FROM ${rfmScored(workspaceId)} s
        WHERE ${rfmGroupSql} ${c.op === '=' ? sql`=` : sql`<>`} ${c.value})`;
    case 'number': {
      const col = numberColumn[c.field];
      const v = (x: number) =>
        c.field === 'number_of_orders' || c.field === 'discounted_order_share' ? x : minor(x);
      const t = c.test;
      if (t.op === 'is_null') return sql`${col} IS NULL`;
      if (t.op === 'is_not_null') return sql`${col} IS NOT NULL`;
      if (t.op === 'between') return sql`(${col} >= ${v(t.from)} AND ${col} <= ${v(t.to)})`;
      return cmp(col, t.op, v(t.value));
    }
    case 'date': {
      const col = dateColumn[c.field];
      const t = c.test;
      if (t.op === 'is_null') return sql`${col} IS NULL`;
      if (t.op === 'is_not_null') return sql`${col} IS NOT NULL`;
      if (t.op === 'between')
        return sql`(${col} >= ${dayStart(t.from, now).toISOString()}::timestamptz AND ${col} < ${dayEnd(t.to, now).toISOString()}::timestamptz)`;
      return dateCmp(col, t.op, t.value, now);
    }
    case 'text': {
      // compared without case: the stored lower-cased column where there is one (NULL exactly when
      // the field is), else lower() of the field
      const low = c.field in loweredColumn ? loweredColumn[c.field as keyof typeof loweredColumn] : null;
      const col = low ?? sql`lower(${textColumn[c.field]})`;
      const t = c.test;
      if (t.op === 'is_null') return sql`${low ?? textColumn[c.field]} IS NULL`;
      if (t.op === 'is_not_null') return sql`${low ?? textColumn[c.field]} IS NOT NULL`;
      if (t.op === 'contains') return sql`strpos(${col}, lower(${t.value})) > 0`;
      if (t.op === 'not_contains') return sql`strpos(${col}, lower(${t.value})) = 0`;
      return cmp(col, t.op, sql`lower(${t.value})`);
    }
    case 'tag': {
      // tags_lower (migration 0018) is GIN-indexed and in the covering index: a plain array test
      const has = sql`c.tags_lower @> ARRAY[lower(${c.value}::text)]`;
      return c.op === 'contains' ? has : sql`NOT ${has}`;
    }
    case 'orders': {
      const filters: SQL[] = [
        sql`o.workspace_id = c.workspace_id`,
        sql`o.customer_id = c.id`,
        sql`o.status <> 'cancelled'`,
        windowSql(sql`o.placed_at`, c.window, now),
      ];
      if (c.discountCode) filters.push(sql`${c.discountCode} = ANY(o.discount_codes)`);
      if (c.category || c.product) {
        const line: SQL[] = [sql`ol.workspace_id = o.workspace_id`, sql`ol.order_id = o.id`];
        if (c.category) line.push(sql`${c.category} = ANY(p.categories)`);
        if (c.product) line.push(sql`lower(p.title) = lower(${c.product})`);
        filters.push(sql`EXISTS (SELECT 1 FROM order_lines ol JOIN products p
          ON p.workspace_id = ol.workspace_id AND p.external_id = ol.product_external_id
          WHERE ${sql.join(line, sql` AND `)})`);
      }
      const agg =
        c.fn === 'amount_spent'
          ? sql`coalesce(sum(o.total_minor - o.refunded_minor), 0)`
          : c.fn === 'average_order_value'
            ? sql`avg(o.total_minor)`
            : sql`count(*)`;
      const value = c.fn === 'amount_spent' || c.fn === 'average_order_value' ? minor(c.value) : c.value;
      const stored = storedWindow(c);
      // A rolling window the metrics pass keeps per customer (the last 30/60/90/180/365 days, no order
      // filter): the stored figure where it is exact for today, the orders counted where it is not —
      // by patron_orders_in_window (migration 0017), the same aggregate as a function, so that the
      // count may run in parallel workers.
      const test = cmp(
        stored
          ? sql`CASE WHEN c.order_windows_from <= ${utcDay(now)}::date AND c.order_windows_until > ${utcDay(now)}::date
              THEN ${storedAggregate(c.fn, stored)}
              ELSE patron_orders_in_window(c.workspace_id, c.id, ${dayStart(c.window.since!, now).toISOString()}::timestamptz, ${c.fn}) END`
          : sql`(SELECT ${agg} FROM orders o WHERE ${sql.join(filters, sql` AND `)})`,
        c.op,
        value,
      );
      // A customer with no counted order in the window has the aggregate of nothing (0, or NULL for an
      // average). The customer's first/last order dates (kept from the same orders by the metrics
      // handler, cancelled ones left out) tell cheaply who may have one, so the per-customer subquery
      // runs only for them: a 90-day window probes the recent buyers, not every customer.
      const since = c.window.since ? dayStart(c.window.since, now).toISOString() : null;
      const until = c.window.until ? dayEnd(c.window.until, now).toISOString() : null;
      const mayHave = sql.join(
        [
          sql`c.last_order_at IS NOT NULL`,
          ...(since ? [sql`c.last_order_at >= ${since}::timestamptz`] : []),
          ...(until ? [sql`c.first_order_at < ${until}::timestamptz`] : []),
        ],
        sql` AND `,
      );
      const emptyMatches = c.fn !== 'average_order_value' && compare(0, c.op, value);
      return emptyMatches ? sql`(NOT coalesce(${mayHave}, false) OR ${test})` : sql`(${mayHave} AND ${test})`;
    }
    case 'events': {
      if (c.fn === 'abandoned_checkouts') {
        const n = sql`(SELECT count(*) FROM checkouts k WHERE k.workspace_id = c.workspace_id AND k.customer_id = c.id
          AND k.completed_at IS NULL AND ${windowSql(sql`k.source_created_at`, c.window, now)})`;
        return cmp(n, c.op, c.value);
      }
      const filters: SQL[] = [
        sql`e.workspace_id = c.workspace_id`,
        sql`e.customer_id = c.id`,
        windowSql(sql`e.occurred_at`, c.window, now),
      ];
      if (c.type) filters.push(sql`e.type = ${c.type}`);
      if (c.product)
        filters.push(sql`e.product_external_id IN (SELECT p.external_id FROM products p
          WHERE p.workspace_id = e.workspace_id AND lower(p.title) = lower(${c.product}))`);
      return cmp(
        sql`(SELECT count(*) FROM browsing_events e WHERE ${sql.join(filters, sql` AND `)})`,
        c.op,
        c.value,
      );
    }
  }
}

/** The rules as one boolean SQL expression over `customers c`. */
export function compileRules(g: RuleGroup, now: Date, workspaceId: string): SQL {
  const parts = g.rules.map((r) =>
    r.kind === 'group' ? compileRules(r, now, workspaceId) : conditionSql(r, now, workspaceId),
  );
  return sql`(${sql.join(parts, g.op === 'and' ? sql` AND ` : sql` OR `)})`;
}

/** Live customers of a workspace matching the rules. */
export function matchingCustomers(workspaceId: string, g: RuleGroup, now: Date): SQL {
  return sql`c.workspace_id = ${workspaceId} AND c.merged_into IS NULL AND c.deleted_at IS NULL AND ${compileRules(g, now, workspaceId)}`;
}
