// Reads of commerce data for the API, and merging duplicate customers.
import { and, asc, desc, eq, gte, ilike, inArray, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import type { lifecycleStages } from '../../../../contracts/commerce-api.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { rows as sqlRows } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordEvent } from '../../platform/events.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { assertCan } from '../../platform/permissions.ts';
import { events } from '../../platform/platform.table.ts';
import { newId } from '../../platform/tokens.ts';
import { escapeLike, recordChange } from '../audit/index.ts';
import { customerFields, customFilters, customSort, namesCustomFields } from '../customers/list-custom.ts';
import {
  browsingEvents,
  checkouts,
  customerIdentities,
  customerMerges,
  customers,
  orderLines,
  orders,
  products,
  productVariants,
  refunds,
} from './commerce.table.ts';
import { recomputeCustomerMetrics } from './metrics.ts';
import { searchHitsSql, searchWords } from './search.ts';

type CustomerRow = typeof customers.$inferSelect;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function identitiesFor(ctx: WorkspaceCtx, ids: string[]) {
  const map = new Map<string, { kind: string; value: string }[]>();
  if (ids.length === 0) return map;
  const rows = await ctx.db
    .select()
    .from(customerIdentities)
    .where(
      and(eq(customerIdentities.workspaceId, ctx.workspaceId), inArray(customerIdentities.customerId, ids)),
    );
  for (const r of rows) {
    const list = map.get(r.customerId) ?? [];
    if (r.kind !== 'email' && r.kind !== 'phone') list.push({ kind: r.kind, value: r.value });
    map.set(r.customerId, list);
  }
  return map;
}

export const customerView = (c: CustomerRow, externalIds: { kind: string; value: string }[]) => ({
  id: c.id,
  email: c.email,
  phone: c.phone,
  firstName: c.firstName,
  lastName: c.lastName,
  company: c.company,
  country: c.country,
  city: c.city,
  tags: c.tags,
  emailConsent: c.emailConsent,
  smsConsent: c.smsConsent,
  ordersCount: c.ordersCount,
  totalSpentMinor: c.totalSpentMinor,
  refundedMinor: c.refundedMinor,
  aovMinor: c.aovMinor,
  currency: c.currency,
  firstOrderAt: iso(c.firstOrderAt),
  lastOrderAt: iso(c.lastOrderAt),
  avgDaysBetweenOrders: c.avgDaysBetweenOrders,
  externalIds,
  mergedInto: c.mergedInto,
  custom: (c.custom ?? {}) as Record<string, unknown>,
  ownerUserId: c.ownerUserId,
  healthScore: c.healthScore,
  churnRisk: c.churnRisk as 'low' | 'medium' | 'high' | null,
  lifecycleStage: c.lifecycleStage as (typeof lifecycleStages)[number] | null,
  tier: c.tier as 'gold' | 'silver' | 'bronze' | null,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
  version: c.version,
});

/** Search answers the best this many matches by words; the list's filters then apply to those. */
const SEARCH_CANDIDATES = 500;

const sortColumn = {
  created: sql`${customers.id}`,
  name: sql`lower(coalesce(${customers.lastName}, '') || ' ' || coalesce(${customers.firstName}, ''))`,
  email: sql`lower(coalesce(${customers.email}::text, ''))`,
  orders: sql`${customers.ordersCount}`,
  spent: sql`${customers.totalSpentMinor}`,
  last_order: sql`coalesce(${customers.lastOrderAt}, '1970-01-01T00:00:00Z'::timestamptz)`,
  health: sql`coalesce(${customers.healthScore}, 0)`,
  // lead → churned in the order of the lifecycle; gold above silver above bronze
  stage: sql`(CASE ${customers.lifecycleStage} WHEN 'lead' THEN 1 WHEN 'prospect' THEN 2 WHEN 'customer' THEN 3
                WHEN 'loyal' THEN 4 WHEN 'at_risk' THEN 5 WHEN 'churned' THEN 6 ELSE 0 END)`,
  tier: sql`(CASE ${customers.tier} WHEN 'bronze' THEN 1 WHEN 'silver' THEN 2 WHEN 'gold' THEN 3 ELSE 0 END)`,
  country: sql`lower(coalesce(${customers.country}, ''))`,
} as const;

type SortCursor = { v: string | number | null; id: string };
const cursorValue = (v: unknown): string | number =>
  v instanceof Date ? v.toISOString() : typeof v === 'number' ? v : String(v);
const sortCursor = (c: SortCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function readSortCursor(raw: string): SortCursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as SortCursor;
    if (
      typeof c.id === 'string' &&
      /^[0-9a-f-]{36}$/i.test(c.id) &&
      ['string', 'number'].includes(typeof c.v)
    )
      return c;
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'cursor is not one this API gave out', {
    errors: [{ path: 'querystring.cursor', message: 'not a valid cursor' }],
  });
}

export async function listCustomers(
  ctx: WorkspaceCtx,
  q: {
    limit: number;
    cursor?: string;
    q?: string;
    country?: string;
    tag?: string;
    tier?: string;
    lifecycle?: string;
    churnRisk?: string;
    owner?: string;
    minOrders?: number;
    maxOrders?: number;
    minSpentMinor?: number;
    maxSpentMinor?: number;
    lastOrderAfter?: string;
    lastOrderBefore?: string;
    /** a column of sortColumn, or cf.<custom field key> */
    sort?: string;
    dir?: 'asc' | 'desc';
    /** custom field filters: cf.<key>, cf.<key>.min, cf.<key>.max */
    [param: string]: unknown;
  },
) {
  assertCan(ctx, 'customers.read');
  const fields = namesCustomFields(q) ? await customerFields(ctx) : [];
  const where: (SQL | undefined)[] = [
    eq(customers.workspaceId, ctx.workspaceId),
    isNull(customers.mergedInto),
    isNull(customers.deletedAt),
  ];
  const text = q.q?.trim();
  let hits: { id: string; score: number }[] = [];
  if (text) {
    // the best matches by words (search.ts), then the list's filters over those
    hits = (
      await sqlRows<{ customer_id: string; score: number }>(
        ctx.db,
        searchHitsSql(ctx.workspaceId, text, await searchWords(ctx.db, text), SEARCH_CANDIDATES),
      )
    ).map((h) => ({ id: h.customer_id, score: Number(h.score) }));
    if (!hits.length) return { data: [], nextCursor: null };
    where.push(
      inArray(
        customers.id,
        hits.map((h) => h.id),
      ),
    );
  }
  if (q.country) where.push(sql`${customers.countryLower} = lower(${q.country})`);
  if (q.tag) where.push(sql`${customers.tagsLower} @> ARRAY[lower(${q.tag}::text)]`);
  if (q.tier) where.push(eq(customers.tier, q.tier));
  if (q.lifecycle) where.push(eq(customers.lifecycleStage, q.lifecycle));
  if (q.churnRisk) where.push(eq(customers.churnRisk, q.churnRisk));
  if (q.owner) where.push(eq(customers.ownerUserId, q.owner));
  if (q.minOrders !== undefined) where.push(gte(customers.ordersCount, q.minOrders));
  if (q.maxOrders !== undefined) where.push(lte(customers.ordersCount, q.maxOrders));
  if (q.minSpentMinor !== undefined) where.push(gte(customers.totalSpentMinor, q.minSpentMinor));
  if (q.maxSpentMinor !== undefined) where.push(lte(customers.totalSpentMinor, q.maxSpentMinor));
  if (q.lastOrderAfter) where.push(sql`${customers.lastOrderAt} >= ${q.lastOrderAfter}::date`);
  if (q.lastOrderBefore) where.push(sql`${customers.lastOrderAt} < ${q.lastOrderBefore}::date + 1`);
  where.push(...customFilters(fields, q));
  if (text) {
    // best matches first, one page (relevance has no stable cursor)
    const found = await ctx.db
      .select()
      .from(customers)
      .where(and(...where))
      .orderBy(sql`array_position(${sql.param(hits.map((h) => h.id))}::uuid[], ${customers.id})`)
      .limit(q.limit);
    const ids = await identitiesFor(
      ctx,
      found.map((c) => c.id),
    );
    return { data: found.map((c) => customerView(c, ids.get(c.id) ?? [])), nextCursor: null };
  }
  const sort = q.sort ?? 'created';
  const col = sort.startsWith('cf.')
    ? customSort(fields, sort)
    : (sortColumn[sort as keyof typeof sortColumn] ?? sortColumn.created);
  const dir = q.dir ?? 'desc';
  if (q.cursor) {
    const c = readSortCursor(q.cursor);
    where.push(
      sort === 'created'
        ? sql`${customers.id} ${sql.raw(dir === 'desc' ? '<' : '>')} ${c.id}::uuid`
        : sql`(${col}, ${customers.id}) ${sql.raw(dir === 'desc' ? '<' : '>')} (${c.v}, ${c.id}::uuid)`,
    );
  }
  const found = await ctx.db
    .select({ row: customers, v: sql<string | number>`${col}` })
    .from(customers)
    .where(and(...where))
    .orderBy(sql`${col} ${sql.raw(dir)}`, sql`${customers.id} ${sql.raw(dir)}`)
    .limit(q.limit + 1)
    .then((list) => list);
  const rowsFound = found.map((f) => f.row);
  const page = rowsFound.slice(0, q.limit);
  const ids = await identitiesFor(
    ctx,
    page.map((c) => c.id),
  );
  const last = found[q.limit - 1];
  return {
    data: page.map((c) => customerView(c, ids.get(c.id) ?? [])),
    nextCursor:
      found.length > q.limit && last ? sortCursor({ v: cursorValue(last.v), id: last.row.id }) : null,
  };
}

export async function getCustomer(ctx: WorkspaceCtx, id: string) {
  assertCan(ctx, 'customers.read');
  const [c] = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, id)));
  if (!c) throw notFound('The customer');
  return customerView(c, (await identitiesFor(ctx, [id])).get(id) ?? []);
}

/**
 * Folds a duplicate into a customer: its identities, orders, refunds, carts and events move over,
 * blank fields are filled from it, tags are joined; the duplicate stays as a pointer (merged_into)
 * with a snapshot in the merge history, and the merge is audited.
 */
export async function mergeCustomers(ctx: WorkspaceCtx, survivorId: string, mergedId: string) {
  assertCan(ctx, 'customers.write');
  if (survivorId === mergedId)
    throw new AppError('rule_violated', 'A customer cannot be merged into itself.');
  const rows = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), inArray(customers.id, [survivorId, mergedId])))
    .for('update');
  const survivor = rows.find((r) => r.id === survivorId);
  const merged = rows.find((r) => r.id === mergedId);
  if (!survivor || !merged) throw notFound('The customer');
  if (survivor.mergedInto || merged.mergedInto)
    throw new AppError('rule_violated', 'That customer was already merged into another.');
  const ws = ctx.workspaceId;
  const move = { customerId: survivorId };
  await ctx.db
    .update(customerIdentities)
    .set(move)
    .where(and(eq(customerIdentities.workspaceId, ws), eq(customerIdentities.customerId, mergedId)));
  await ctx.db
    .update(orders)
    .set(move)
    .where(and(eq(orders.workspaceId, ws), eq(orders.customerId, mergedId)));
  await ctx.db
    .update(refunds)
    .set(move)
    .where(and(eq(refunds.workspaceId, ws), eq(refunds.customerId, mergedId)));
  await ctx.db
    .update(checkouts)
    .set(move)
    .where(and(eq(checkouts.workspaceId, ws), eq(checkouts.customerId, mergedId)));
  await ctx.db
    .update(browsingEvents)
    .set(move)
    .where(and(eq(browsingEvents.workspaceId, ws), eq(browsingEvents.customerId, mergedId)));
  // what staff kept on the merged profile goes with it: notes, timeline, related contacts (a relation
  // between the two ends; one the survivor already has with the same person is kept once)
  await ctx.db.execute(sql`UPDATE customer_notes SET customer_id = ${survivorId}
    WHERE workspace_id = ${ws} AND customer_id = ${mergedId}`);
  await ctx.db.execute(sql`UPDATE timeline_items SET customer_id = ${survivorId}
    WHERE workspace_id = ${ws} AND customer_id = ${mergedId}`);
  await ctx.db.execute(sql`DELETE FROM customer_relations r
    WHERE r.workspace_id = ${ws} AND (r.customer_id = ${mergedId} OR r.related_customer_id = ${mergedId})
      AND (r.customer_id = ${survivorId} OR r.related_customer_id = ${survivorId}
        OR EXISTS (SELECT 1 FROM customer_relations x WHERE x.workspace_id = r.workspace_id
             AND ${survivorId} IN (x.customer_id, x.related_customer_id)
             AND (CASE WHEN r.customer_id = ${mergedId} THEN r.related_customer_id ELSE r.customer_id END)
                 IN (x.customer_id, x.related_customer_id)))`);
  await ctx.db.execute(sql`UPDATE customer_relations SET customer_id = ${survivorId}
    WHERE workspace_id = ${ws} AND customer_id = ${mergedId}`);
  await ctx.db.execute(sql`UPDATE customer_relations SET related_customer_id = ${survivorId}
    WHERE workspace_id = ${ws} AND related_customer_id = ${mergedId}`);
  const filled = {
    companyId: survivor.companyId ?? merged.companyId,
    ownerUserId: survivor.ownerUserId ?? merged.ownerUserId,
    custom: {
      ...(merged.custom as Record<string, unknown>),
      ...(survivor.custom as Record<string, unknown>),
    },
    email: survivor.email ?? merged.email,
    phone: survivor.phone ?? merged.phone,
    firstName: survivor.firstName ?? merged.firstName,
    lastName: survivor.lastName ?? merged.lastName,
    company: survivor.company ?? merged.company,
    country: survivor.country ?? merged.country,
    city: survivor.city ?? merged.city,
    tags: [...new Set([...survivor.tags, ...merged.tags])],
  };
  await ctx.db
    .update(customers)
    .set({ ...filled, version: sql`${customers.version} + 1`, updatedAt: new Date() })
    .where(and(eq(customers.workspaceId, ws), eq(customers.id, survivorId)));
  await ctx.db
    .update(customers)
    .set({
      mergedInto: survivorId,
      deletedAt: new Date(),
      updatedAt: new Date(),
      version: sql`${customers.version} + 1`,
    })
    .where(and(eq(customers.workspaceId, ws), eq(customers.id, mergedId)));
  await ctx.db.insert(customerMerges).values({
    workspaceId: ws,
    id: newId(),
    survivorId,
    mergedId,
    mergedSnapshot: merged,
    actorUserId: ctx.userId,
  });
  await recomputeCustomerMetrics(ctx.db, ws, [survivorId, mergedId]);
  await recordChange(ctx.db, ctx, {
    action: 'customer.merged',
    recordType: 'customer',
    recordId: survivorId,
    before: { survivor: customerView(survivor, []), merged: customerView(merged, []) },
    after: { ...filled, mergedId },
    eventType: null,
  });
  await recordEvent(ctx.db, {
    workspaceId: ws,
    type: 'customer.merged',
    subjectType: 'customer',
    subjectId: survivorId,
    actorUserId: ctx.userId,
    payload: { survivorId, mergedId },
  });
  return getCustomer(ctx, survivorId);
}

export async function mergeHistory(ctx: WorkspaceCtx, customerId: string) {
  assertCan(ctx, 'customers.read');
  return ctx.db
    .select()
    .from(customerMerges)
    .where(and(eq(customerMerges.workspaceId, ctx.workspaceId), eq(customerMerges.survivorId, customerId)))
    .orderBy(desc(customerMerges.at));
}

export async function listOrders(
  ctx: WorkspaceCtx,
  q: {
    limit: number;
    cursor?: string;
    q?: string;
    status?: string;
    customerId?: string;
    from?: string;
    to?: string;
  },
) {
  assertCan(ctx, 'orders.read');
  const where: (SQL | undefined)[] = [eq(orders.workspaceId, ctx.workspaceId)];
  if (q.q) {
    const like = `%${escapeLike(q.q)}%`;
    where.push(or(ilike(orders.number, like), eq(orders.externalId, q.q), ilike(customers.email, like)));
  }
  if (q.status) where.push(eq(orders.status, q.status));
  if (q.customerId) where.push(eq(orders.customerId, q.customerId));
  if (q.from) where.push(gte(orders.placedAt, new Date(q.from)));
  if (q.to) where.push(lte(orders.placedAt, new Date(q.to)));
  const cursor = decodeCursor(q.cursor);
  if (cursor?.at) {
    const at = new Date(cursor.at);
    where.push(or(lt(orders.placedAt, at), and(eq(orders.placedAt, at), lt(orders.id, cursor.id))));
  }
  const found = await ctx.db
    .select({
      o: orders,
      email: customers.email,
      firstName: customers.firstName,
      lastName: customers.lastName,
    })
    .from(orders)
    .leftJoin(
      customers,
      and(eq(customers.workspaceId, orders.workspaceId), eq(customers.id, orders.customerId)),
    )
    .where(and(...where))
    .orderBy(desc(orders.placedAt), desc(orders.id))
    .limit(q.limit + 1);
  const page = found.slice(0, q.limit);
  const last = page.at(-1)?.o;
  return {
    data: page.map((r) => orderSummaryView(r.o, r)),
    nextCursor:
      found.length > q.limit && last ? encodeCursor({ id: last.id, at: last.placedAt.toISOString() }) : null,
  };
}

type OrderRow = typeof orders.$inferSelect;
const orderSummaryView = (
  o: OrderRow,
  c: { email: string | null; firstName: string | null; lastName: string | null },
) => ({
  id: o.id,
  source: o.source,
  externalId: o.externalId,
  number: o.number,
  customerId: o.customerId,
  customerEmail: c.email,
  customerName: [c.firstName, c.lastName].filter(Boolean).join(' ') || null,
  status: o.status,
  financialStatus: o.financialStatus,
  fulfillmentStatus: o.fulfillmentStatus,
  currency: o.currency,
  totalMinor: o.totalMinor,
  refundedMinor: o.refundedMinor,
  placedAt: o.placedAt.toISOString(),
});

export async function getOrder(ctx: WorkspaceCtx, id: string) {
  assertCan(ctx, 'orders.read');
  const [r] = await ctx.db
    .select({
      o: orders,
      email: customers.email,
      firstName: customers.firstName,
      lastName: customers.lastName,
    })
    .from(orders)
    .leftJoin(
      customers,
      and(eq(customers.workspaceId, orders.workspaceId), eq(customers.id, orders.customerId)),
    )
    .where(and(eq(orders.workspaceId, ctx.workspaceId), eq(orders.id, id)));
  if (!r) throw notFound('The order');
  const lines = await ctx.db
    .select()
    .from(orderLines)
    .where(and(eq(orderLines.workspaceId, ctx.workspaceId), eq(orderLines.orderId, id)))
    .orderBy(asc(orderLines.lineNo));
  const refundRows = await ctx.db
    .select()
    .from(refunds)
    .where(and(eq(refunds.workspaceId, ctx.workspaceId), eq(refunds.orderId, id)))
    .orderBy(asc(refunds.refundedAt));
  const history = await ctx.db
    .select({ type: events.type, at: events.occurredAt, payload: events.payload })
    .from(events)
    .where(
      and(eq(events.workspaceId, ctx.workspaceId), eq(events.subjectType, 'order'), eq(events.subjectId, id)),
    )
    .orderBy(asc(events.seq))
    .limit(200);
  const o = r.o;
  return {
    ...orderSummaryView(o, r),
    subtotalMinor: o.subtotalMinor,
    discountMinor: o.discountMinor,
    taxMinor: o.taxMinor,
    shippingMinor: o.shippingMinor,
    discountCodes: o.discountCodes,
    sourceName: o.sourceName,
    cancelledAt: iso(o.cancelledAt),
    lines: lines.map(({ workspaceId: _w, orderId: _o, ...l }) => l),
    refunds: refundRows.map((f) => ({
      id: f.id,
      externalId: f.externalId,
      amountMinor: f.amountMinor,
      currency: f.currency,
      reason: f.reason,
      refundedAt: f.refundedAt.toISOString(),
    })),
    // "placed" at the store's time (an imported year of orders was recorded today); the rest when
    // Patron learnt of them, the only time their events carry
    history: history.map((h) => {
      const placedAt = (h.payload as { placedAt?: unknown }).placedAt;
      const at = h.type === 'order.placed' && typeof placedAt === 'string' ? new Date(placedAt) : h.at;
      return { type: h.type, at: at.toISOString(), payload: h.payload };
    }),
  };
}

export async function listProducts(ctx: WorkspaceCtx, q: { limit: number; cursor?: string; q?: string }) {
  assertCan(ctx, 'orders.read');
  const where: (SQL | undefined)[] = [eq(products.workspaceId, ctx.workspaceId), isNull(products.deletedAt)];
  if (q.q) {
    const like = `%${escapeLike(q.q)}%`;
    where.push(
      or(
        ilike(products.title, like),
        eq(products.externalId, q.q),
        sql`EXISTS (SELECT 1 FROM product_variants v WHERE v.workspace_id = ${products.workspaceId} AND v.product_id = ${products.id} AND v.sku ILIKE ${like})`,
      ),
    );
  }
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(lt(products.id, cursor.id));
  const found = await ctx.db
    .select()
    .from(products)
    .where(and(...where))
    .orderBy(desc(products.id))
    .limit(q.limit + 1);
  const page = found.slice(0, q.limit);
  const variants = page.length
    ? await ctx.db
        .select()
        .from(productVariants)
        .where(
          and(
            eq(productVariants.workspaceId, ctx.workspaceId),
            inArray(
              productVariants.productId,
              page.map((p) => p.id),
            ),
          ),
        )
    : [];
  return {
    data: page.map((p) => ({
      id: p.id,
      source: p.source,
      externalId: p.externalId,
      title: p.title,
      vendor: p.vendor,
      productType: p.productType,
      categories: p.categories,
      status: p.status,
      imageUrl: p.imageUrl,
      currency: p.currency,
      updatedAt: p.updatedAt.toISOString(),
      variants: variants
        .filter((v) => v.productId === p.id)
        .map((v) => ({
          externalId: v.externalId,
          sku: v.sku,
          title: v.title,
          priceMinor: v.priceMinor,
          inventoryQuantity: v.inventoryQuantity,
        })),
    })),
    nextCursor: found.length > q.limit ? encodeCursor({ id: page.at(-1)!.id }) : null,
  };
}
