// One product as staff look at it: catalogue data, variants and stock, and how it sells — revenue and
// units over the last twelve months, who buys it, what is bought with it, the latest orders.
import { and, eq, sql } from 'drizzle-orm';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { rows } from '../../platform/db.ts';
import { notFound } from '../../platform/errors.ts';
import { assertCan } from '../../platform/permissions.ts';
import { products, productVariants } from './commerce.table.ts';

const num = (v: string | number | null) => (v === null ? 0 : Number(v));
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function getProduct(ctx: WorkspaceCtx, id: string) {
  assertCan(ctx, 'orders.read');
  const [p] = await ctx.db
    .select()
    .from(products)
    .where(and(eq(products.workspaceId, ctx.workspaceId), eq(products.id, id)));
  if (!p) throw notFound('The product');
  const variants = await ctx.db
    .select()
    .from(productVariants)
    .where(and(eq(productVariants.workspaceId, ctx.workspaceId), eq(productVariants.productId, id)))
    .orderBy(productVariants.externalId);

  // The product's order lines (lines name the product by the store's id), with their orders. Cancelled
  // orders do not count as sales.
  const sold = sql`
    SELECT o.id AS order_id, o.number, o.customer_id, o.placed_at, o.currency, l.quantity,
           l.unit_price_minor * l.quantity - l.discount_minor AS revenue
      FROM order_lines l
      JOIN orders o ON o.workspace_id = l.workspace_id AND o.id = l.order_id
     WHERE l.workspace_id = ${ctx.workspaceId} AND l.product_external_id = ${p.externalId}
       AND o.source = ${p.source} AND o.status <> 'cancelled'`;

  const [totals] = await rows<{
    orders: string | number;
    units: string | number | null;
    revenue: string | number | null;
    customers: string | number;
    first_sold: Date | string | null;
    last_sold: Date | string | null;
    currencies: string[] | null;
  }>(
    ctx.db,
    sql`SELECT count(DISTINCT s.order_id) AS orders, sum(s.quantity) AS units, sum(s.revenue) AS revenue,
               count(DISTINCT s.customer_id) AS customers, min(s.placed_at) AS first_sold,
               max(s.placed_at) AS last_sold,
               array_agg(DISTINCT s.currency) FILTER (WHERE s.currency IS NOT NULL) AS currencies
          FROM (${sold}) s`,
  );

  const monthly = await rows<{ month: string; units: string | number; revenue: string | number }>(
    ctx.db,
    sql`SELECT to_char(date_trunc('month', s.placed_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
               sum(s.quantity) AS units, sum(s.revenue) AS revenue
          FROM (${sold}) s
         WHERE s.placed_at >= date_trunc('month', now() AT TIME ZONE 'UTC') - interval '11 months'
         GROUP BY 1 ORDER BY 1`,
  );

  const topCustomers = await rows<{
    id: string;
    email: string | null;
    name: string | null;
    units: string | number;
    revenue: string | number;
  }>(
    ctx.db,
    sql`SELECT c.id, c.email, nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') AS name,
               sum(s.quantity) AS units, sum(s.revenue) AS revenue
          FROM (${sold}) s
          JOIN customers c ON c.workspace_id = ${ctx.workspaceId} AND c.id = s.customer_id
         GROUP BY c.id, c.email, c.first_name, c.last_name
         ORDER BY sum(s.revenue) DESC, c.id
         LIMIT 5`,
  );

  const boughtWith = await rows<{
    id: string | null;
    product_external_id: string;
    title: string;
    orders: string | number;
  }>(
    ctx.db,
    sql`SELECT p2.id, l2.product_external_id, min(coalesce(p2.title, l2.title)) AS title,
               count(DISTINCT l2.order_id) AS orders
          FROM (SELECT DISTINCT order_id FROM (${sold}) s) mine
          JOIN order_lines l2 ON l2.workspace_id = ${ctx.workspaceId} AND l2.order_id = mine.order_id
          LEFT JOIN products p2 ON p2.workspace_id = l2.workspace_id AND p2.source = ${p.source}
                               AND p2.external_id = l2.product_external_id
         WHERE l2.product_external_id IS NOT NULL AND l2.product_external_id <> ${p.externalId}
         GROUP BY p2.id, l2.product_external_id
         ORDER BY count(DISTINCT l2.order_id) DESC, l2.product_external_id
         LIMIT 5`,
  );

  const recentOrders = await rows<{
    order_id: string;
    number: string;
    placed_at: Date | string;
    currency: string;
    quantity: string | number;
    revenue: string | number;
  }>(
    ctx.db,
    sql`SELECT s.order_id, s.number, s.placed_at, s.currency, sum(s.quantity) AS quantity,
               sum(s.revenue) AS revenue
          FROM (${sold}) s
         GROUP BY s.order_id, s.number, s.placed_at, s.currency
         ORDER BY s.placed_at DESC, s.order_id
         LIMIT 10`,
  );

  return {
    id: p.id,
    source: p.source,
    externalId: p.externalId,
    title: p.title,
    handle: p.handle,
    vendor: p.vendor,
    productType: p.productType,
    categories: p.categories,
    status: p.status,
    imageUrl: p.imageUrl,
    currency: p.currency,
    deleted: p.deletedAt !== null,
    updatedAt: p.updatedAt.toISOString(),
    variants: variants.map((v) => ({
      externalId: v.externalId,
      sku: v.sku,
      title: v.title,
      priceMinor: v.priceMinor,
      inventoryQuantity: v.inventoryQuantity,
    })),
    sales: {
      orders: num(totals?.orders ?? 0),
      units: num(totals?.units ?? 0),
      revenueMinor: num(totals?.revenue ?? 0),
      customers: num(totals?.customers ?? 0),
      firstSoldAt: iso(totals?.first_sold ?? null),
      lastSoldAt: iso(totals?.last_sold ?? null),
      // Sums are in this currency; mixedCurrencies says the product sold in several (the sums then mix them).
      currency: totals?.currencies?.length === 1 ? totals.currencies[0]! : (p.currency ?? null),
      mixedCurrencies: (totals?.currencies?.length ?? 0) > 1,
    },
    monthly: monthly.map((m) => ({ month: m.month, units: num(m.units), revenueMinor: num(m.revenue) })),
    topCustomers: topCustomers.map((c) => ({
      id: c.id,
      email: c.email,
      name: c.name,
      units: num(c.units),
      revenueMinor: num(c.revenue),
    })),
    boughtWith: boughtWith.map((b) => ({
      id: b.id,
      externalId: b.product_external_id,
      title: b.title,
      orders: num(b.orders),
    })),
    recentOrders: recentOrders.map((o) => ({
      id: o.order_id,
      number: o.number,
      placedAt: new Date(o.placed_at).toISOString(),
      currency: o.currency,
      quantity: num(o.quantity),
      revenueMinor: num(o.revenue),
    })),
  };
}
