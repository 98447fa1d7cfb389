import { type SQL, sql } from 'drizzle-orm';
import { formatMinor } from '../../../../contracts/money.ts';
import {
  type PreviewResponse,
  type RfmGrid,
  type RfmGroup,
  type RuleGroup,
  rfmGroups,
  ruleGroupSchema,
  type SegmentCustomer,
} from '../../../../contracts/segments.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { rows } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { assertCan } from '../../platform/permissions.ts';
import { checkRules, matchingCustomers } from './compile.ts';
import { parseQuery, printQuery, QueryError } from './query.ts';
import { rfmGroupSql, rfmScored } from './rfm.ts';

/** Rules from either form; malformed text is refused with the position and the reason. */
export function resolveRules(input: { rules?: RuleGroup; query?: string }, now: Date): RuleGroup {
  let rules: RuleGroup;
  if (input.query !== undefined) {
    try {
      rules = parseQuery(input.query);
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      throw new AppError('validation_failed', `query: ${e.message}`, {
        errors: [{ path: 'query', message: `at character ${e.position + 1}: ${e.reason}` }],
      });
    }
  } else {
    const parsed = ruleGroupSchema.safeParse(input.rules);
    if (!parsed.success)
      throw new AppError('validation_failed', 'rules are not valid', {
        errors: parsed.error.issues.map((i) => ({
          path: ['rules', ...i.path].join('.'),
          message: i.message,
        })),
      });
    rules = parsed.data;
  }
  const errors = checkRules(rules, now);
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return rules;
}

type CustomerRow = {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  country: string | null;
  orders_count: number;
  total_spent_minor: number | string;
  currency: string | null;
  last_order_at: Date | string | null;
};
const customerColumns = sql`c.id, c.email::text AS email, c.first_name, c.last_name, c.country, c.orders_count,
  c.total_spent_minor, c.currency, c.last_order_at`;

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
export const toSegmentCustomer = (r: CustomerRow): SegmentCustomer => ({
  id: r.id,
  email: r.email,
  name: [r.first_name, r.last_name].filter(Boolean).join(' ') || r.email || 'Unnamed customer',
  country: r.country,
  ordersCount: Number(r.orders_count),
  totalSpentMinor: Number(r.total_spent_minor),
  currency: r.currency,
  lastOrderAt: iso(r.last_order_at),
});

/**
 * Planner settings for live answers, for their transaction only. Segment queries carry correlated
 * subqueries whose estimated cost is high, which makes PostgreSQL compile them with JIT — about
 * 200 ms of compiling for a query that runs in less. And they run in one process: a count walks a
 * range of the covering index, and parallel workers splitting that walk were 4–7× slower than one
 * process at SF1 (2 cores; 1.1–1.9 s against 0.25–0.35 s for the 3-rule count, whatever the size of
 * shared_buffers), as they queue for each next index page.
 */
export const INTERACTIVE_SETTINGS =
  "SELECT set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)";

async function interactive(ctx: WorkspaceCtx): Promise<void> {
  await ctx.db.execute(sql.raw(INTERACTIVE_SETTINGS));
}

/** The live count and the first customers (by spend) of a rule set. */
export async function preview(
  ctx: WorkspaceCtx,
  input: { rules?: RuleGroup; query?: string; limit: number },
  now = new Date(),
): Promise<PreviewResponse> {
  assertCan(ctx, 'customers.read');
  const rules = resolveRules(input, now);
  await interactive(ctx);
  const where = matchingCustomers(ctx.workspaceId, rules, now);
  const [count] = await rows<{ n: number | string }>(
    ctx.db,
    sql`SELECT count(*) AS n FROM customers c WHERE ${where}`,
  );
  const page = await rows<CustomerRow>(
    ctx.db,
    sql`SELECT ${customerColumns} FROM customers c WHERE ${where}
        ORDER BY c.total_spent_minor DESC, c.id LIMIT ${input.limit}`,
  );
  return {
    count: Number(count?.n ?? 0),
    query: printQuery(rules),
    rules,
    customers: page.map(toSegmentCustomer),
  };
}

// ---- RFM ----

export async function rfmGrid(ctx: WorkspaceCtx): Promise<RfmGrid> {
  assertCan(ctx, 'customers.read');
  await interactive(ctx);
  const cells = await rows<{
    r: number;
    f: number;
    grp: RfmGroup;
    n: string | number;
    revenue: string | number;
  }>(
    ctx.db,
    sql`SELECT s.r, s.f, ${rfmGroupSql} AS grp, count(*) AS n, coalesce(sum(s.total_spent_minor), 0) AS revenue
        FROM ${rfmScored(ctx.workspaceId)} s GROUP BY s.r, s.f ORDER BY s.r DESC, s.f DESC`,
  );
  const out = cells.map((c) => ({
    r: Number(c.r),
    f: Number(c.f),
    group: c.grp,
    count: Number(c.n),
    revenueMinor: Number(c.revenue),
  }));
  const revenueMinor = out.reduce((s, c) => s + c.revenueMinor, 0);
  const groups = rfmGroups.map((group) => {
    const mine = out.filter((c) => c.group === group);
    const rev = mine.reduce((s, c) => s + c.revenueMinor, 0);
    return {
      group,
      count: mine.reduce((s, c) => s + c.count, 0),
      revenueMinor: rev,
      revenueShare: revenueMinor ? rev / revenueMinor : 0,
    };
  });
  return { scored: out.reduce((s, c) => s + c.count, 0), revenueMinor, cells: out, groups };
}

export async function rfmCustomers(
  ctx: WorkspaceCtx,
  q: { group?: RfmGroup; r?: number; f?: number; limit: number },
) {
  assertCan(ctx, 'customers.read');
  await interactive(ctx);
  const filter =
    q.r !== undefined && q.f !== undefined
      ? sql`s.r = ${q.r} AND s.f = ${q.f}`
      : sql`${rfmGroupSql} = ${q.group ?? ''}`;
  const base = sql`FROM ${rfmScored(ctx.workspaceId)} s WHERE ${filter}`;
  const [count] = await rows<{ n: number | string }>(ctx.db, sql`SELECT count(*) AS n ${base}`);
  const page = await rows<CustomerRow & { r: number; f: number; m: number }>(
    ctx.db,
    sql`SELECT s.id, s.email::text AS email, s.first_name, s.last_name, s.country, s.orders_count, s.total_spent_minor,
          s.currency, s.last_order_at, s.r, s.f, s.m
        ${base} ORDER BY s.total_spent_minor DESC, s.id LIMIT ${q.limit}`,
  );
  return {
    count: Number(count?.n ?? 0),
    customers: page.map((p) => ({ ...toSegmentCustomer(p), r: Number(p.r), f: Number(p.f), m: Number(p.m) })),
  };
}

/** A spreadsheet-safe CSV cell: quoted, and text that a spreadsheet would run as a formula is defused. */
const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\n\r']/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** Every customer matching the rules as CSV (one row per customer, spend in major units). */
export async function exportCsv(
  ctx: WorkspaceCtx,
  input: { rules?: RuleGroup; query?: string },
  now = new Date(),
): Promise<string> {
  assertCan(ctx, 'customers.read');
  const rules = resolveRules(input, now);
  return customersCsv(ctx, matchingCustomers(ctx.workspaceId, rules, now));
}

/** The customers a predicate over `customers c` picks, as CSV (by spend, then id). */
export async function customersCsv(
  ctx: WorkspaceCtx,
  where: SQL,
  custom: { key: string; header: string; money?: boolean }[] = [],
): Promise<string> {
  const found = await rows<
    CustomerRow & {
      city: string | null;
      phone: string | null;
      tags: string[];
      custom: Record<string, unknown>;
    }
  >(
    ctx.db,
    sql`SELECT ${customerColumns}, c.city, c.phone, c.tags, c.custom FROM customers c
        WHERE ${where} ORDER BY c.total_spent_minor DESC, c.id`,
  );
  const header = [
    'id,email,phone,first_name,last_name,country,city,orders,total_spent,currency,last_order_at,tags',
    ...custom.map((f) => cell(f.header)),
  ].join(',');
  const lines = found.map((r) =>
    [
      r.id,
      r.email,
      r.phone,
      r.first_name,
      r.last_name,
      r.country,
      r.city,
      r.orders_count,
      (Number(r.total_spent_minor) / 100).toFixed(2),
      r.currency,
      iso(r.last_order_at),
      (r.tags ?? []).join('|'),
      ...custom.map((f) => {
        const v = r.custom?.[f.key];
        // money in major units (as the import reads it back), several options joined by |
        if (f.money && typeof v === 'number') return formatMinor(v, 'USD');
        return Array.isArray(v) ? v.join('|') : v;
      }),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}
