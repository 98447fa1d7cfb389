// Upserts of canonical commerce data, shared by the batch API, the webhooks and CSV import.
// Idempotent by (source, external id); an update older than what is stored never overwrites it.
// Each accepted change writes its domain event in the same transaction.
import { isDeepStrictEqual } from 'node:util';
import { and, eq, sql } from 'drizzle-orm';
import type {
  CheckoutInput,
  CustomerInput,
  OrderInput,
  ProductInput,
  RefundInput,
} from '../../../../contracts/commerce.ts';
import { anyOf, columns } from '../../platform/bulk.ts';
import type { Db } from '../../platform/db.ts';
import { type NewEvent, recordEvents } from '../../platform/events.ts';
import { newId } from '../../platform/tokens.ts';
import {
  checkouts,
  customers,
  orderLines,
  orders,
  products,
  productVariants,
  refunds,
} from './commerce.table.ts';
import {
  identitiesOf,
  linkIdentities,
  normaliseEmail,
  normalisePhone,
  type Resolved,
  resolvePeople,
} from './identity.ts';

export type ItemResult = {
  externalId: string;
  id: string | null;
  status: 'created' | 'updated' | 'unchanged' | 'stale';
};
export type Scope = { workspaceId: string; source: string; actorUserId?: string | null };

const newer = (incoming: string | null | undefined, stored: Date | null) =>
  !stored || (incoming ? new Date(incoming).getTime() > stored.getTime() : false);

function firstAddress(c: CustomerInput) {
  return c.addresses?.find((a) => a.isDefault) ?? c.addresses?.[0];
}

/** A customer to upsert; `custom` (from a CSV import, checked there) merges into the custom values. */
export type CustomerUpsert = CustomerInput & { custom?: Record<string, unknown> };

export async function upsertCustomers(tx: Db, s: Scope, items: CustomerUpsert[]): Promise<ItemResult[]> {
  if (items.length === 0) return [];
  const resolved = await resolvePeople(tx, s.workspaceId, s.source, items);
  const ids = resolved.map((r) => r!.customerId);
  const current = new Map(
    (
      await tx
        .select()
        .from(customers)
        .where(and(eq(customers.workspaceId, s.workspaceId), anyOf(customers.id, 'uuid', ids)))
    ).map((c) => [c.id, c]),
  );
  const events: NewEvent[] = [];
  const results: ItemResult[] = [];
  for (const [i, c] of items.entries()) {
    const { customerId, created } = resolved[i]!;
    const row = current.get(customerId);
    if (!created && row && !newer(c.updatedAt, row.sourceUpdatedAt)) {
      results.push({ externalId: c.externalId, id: customerId, status: 'stale' });
      continue;
    }
    const addr = firstAddress(c);
    const patch = {
      email: normaliseEmail(c.email) ?? row?.email ?? null,
      phone: normalisePhone(c.phone) ?? row?.phone ?? null,
      firstName: c.firstName ?? row?.firstName ?? null,
      lastName: c.lastName ?? row?.lastName ?? null,
      company: c.company ?? addr?.company ?? row?.company ?? null,
      locale: c.locale ?? row?.locale ?? null,
      timeZone: c.timeZone ?? row?.timeZone ?? null,
      country: addr?.country ?? row?.country ?? null,
      city: addr?.city ?? row?.city ?? null,
      addresses: c.addresses ?? row?.addresses ?? [],
      emailConsent: c.emailConsent ?? row?.emailConsent ?? null,
      smsConsent: c.smsConsent ?? row?.smsConsent ?? null,
      tags: c.tags ?? row?.tags ?? [],
      sourceCreatedAt: c.createdAt ? new Date(c.createdAt) : (row?.sourceCreatedAt ?? null),
      sourceUpdatedAt: new Date(c.updatedAt),
      updatedAt: new Date(),
      ...(c.custom ? { custom: { ...((row?.custom ?? {}) as Record<string, unknown>), ...c.custom } } : {}),
    };
    await tx
      .update(customers)
      .set({ ...patch, version: sql`${customers.version} + 1` })
      .where(and(eq(customers.workspaceId, s.workspaceId), eq(customers.id, customerId)));
    await linkIdentities(tx, s.workspaceId, customerId, identitiesOf(s.source, c));
    const isNew = created || !row?.sourceUpdatedAt;
    events.push({
      workspaceId: s.workspaceId,
      type: created ? 'customer.created' : 'customer.updated',
      subjectType: 'customer',
      subjectId: customerId,
      actorUserId: s.actorUserId,
      payload: {
        source: s.source,
        externalId: c.externalId,
        email: patch.email,
        firstName: patch.firstName,
        lastName: patch.lastName,
      },
    });
    results.push({
      externalId: c.externalId,
      id: customerId,
      status: isNew && created ? 'created' : 'updated',
    });
  }
  await recordEvents(tx, events);
  return results;
}

export async function upsertProducts(tx: Db, s: Scope, items: ProductInput[]): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const events: NewEvent[] = [];
  for (const p of items) {
    const [prior] = await tx
      .select({ id: products.id, sourceUpdatedAt: products.sourceUpdatedAt, categories: products.categories })
      .from(products)
      .where(
        and(
          eq(products.workspaceId, s.workspaceId),
          eq(products.source, s.source),
          eq(products.externalId, p.externalId),
        ),
      );
    if (prior && !newer(p.updatedAt, prior.sourceUpdatedAt)) {
      results.push({ externalId: p.externalId, id: prior.id, status: 'stale' });
      continue;
    }
    const id = prior?.id ?? newId();
    const categories = p.categories ?? (p.productType ? [p.productType] : []);
    const recategorised = !prior || !isDeepStrictEqual(categories, prior.categories);
    const values = {
      title: p.title,
      handle: p.handle ?? null,
      vendor: p.vendor ?? null,
      productType: p.productType ?? null,
      categories,
      ...(recategorised ? { categoriesChangedAt: new Date() } : {}),
      status: p.status ?? 'active',
      currency: p.currency ?? null,
      imageUrl: p.imageUrl ?? null,
      sourceUpdatedAt: new Date(p.updatedAt),
      deletedAt: null,
      updatedAt: new Date(),
    };
    if (prior) {
      await tx
        .update(products)
        .set(values)
        .where(and(eq(products.workspaceId, s.workspaceId), eq(products.id, id)));
    } else {
      await tx
        .insert(products)
        .values({ workspaceId: s.workspaceId, id, source: s.source, externalId: p.externalId, ...values });
    }
    for (const v of p.variants) {
      await tx
        .insert(productVariants)
        .values({
          workspaceId: s.workspaceId,
          id: newId(),
          productId: id,
          source: s.source,
          externalId: v.externalId,
          sku: v.sku ?? null,
          title: v.title ?? null,
          priceMinor: v.priceMinor ?? null,
          inventoryQuantity: v.inventoryQuantity ?? null,
        })
        .onConflictDoUpdate({
          target: [productVariants.workspaceId, productVariants.source, productVariants.externalId],
          set: {
            productId: id,
            sku: v.sku ?? null,
            title: v.title ?? null,
            priceMinor: v.priceMinor ?? null,
            inventoryQuantity: v.inventoryQuantity ?? null,
          },
        });
    }
    events.push({
      workspaceId: s.workspaceId,
      type: prior ? 'product.updated' : 'product.created',
      subjectType: 'product',
      subjectId: id,
      actorUserId: s.actorUserId,
      payload: { source: s.source, externalId: p.externalId, title: p.title },
    });
    results.push({ externalId: p.externalId, id, status: prior ? 'updated' : 'created' });
  }
  await recordEvents(tx, events);
  return results;
}

const orderColumns = [
  ['id', 'id', 'uuid'],
  ['external_id', 'externalId', 'text'],
  ['number', 'number', 'text'],
  ['customer_id', 'customerId', 'uuid'],
  ['status', 'status', 'text'],
  ['financial_status', 'financialStatus', 'text'],
  ['fulfillment_status', 'fulfillmentStatus', 'text'],
  ['currency', 'currency', 'text'],
  ['subtotal_minor', 'subtotalMinor', 'bigint'],
  ['discount_minor', 'discountMinor', 'bigint'],
  ['tax_minor', 'taxMinor', 'bigint'],
  ['shipping_minor', 'shippingMinor', 'bigint'],
  ['total_minor', 'totalMinor', 'bigint'],
  ['source_name', 'sourceName', 'text'],
  ['placed_at', 'placedAt', 'timestamptz'],
  ['cancelled_at', 'cancelledAt', 'timestamptz'],
  ['source_updated_at', 'updatedAt', 'timestamptz'],
  ['discount_codes', 'discountCodes', 'text[]'],
] as const;
const orderUpdates = [...orderColumns.slice(2).map(([name]) => name), 'updated_at']
  .map((n) => `${n} = excluded.${n}`)
  .join(', ');
const lineColumns = [
  ['external_id', 'externalId', 'text'],
  ['product_external_id', 'productExternalId', 'text'],
  ['variant_external_id', 'variantExternalId', 'text'],
  ['sku', 'sku', 'text'],
  ['title', 'title', 'text'],
  ['quantity', 'quantity', 'int'],
  ['unit_price_minor', 'unitPriceMinor', 'bigint'],
  ['discount_minor', 'discountMinor', 'bigint'],
] as const;
type Existing = { id: string; status: string; customerId: string | null };
type OrderProperty = (typeof orderColumns)[number][1] | 'eventId' | 'eventType' | 'previousCustomerId';
type LineProperty = (typeof lineColumns)[number][1] | 'orderId' | 'lineNo';

type OrderColumns = Record<OrderProperty, unknown[]>;
type LineColumns = Record<LineProperty, unknown[]>;

/**
 * The accepted orders and their lines column by column, in one pass with every property named:
 * reading them by a computed name, or building a row object per order first, cost Node more than the
 * whole literal. One order per call of a small function: as one function with the loop, V8's
 * optimising compiler spent about a second of a core compiling it.
 */
function orderColumnsOf(
  accepted: OrderInput[],
  people: (Resolved | null)[],
  existing: Map<string, Existing>,
) {
  const o: OrderColumns = {
    id: [],
    externalId: [],
    number: [],
    customerId: [],
    status: [],
    financialStatus: [],
    fulfillmentStatus: [],
    currency: [],
    subtotalMinor: [],
    discountMinor: [],
    taxMinor: [],
    shippingMinor: [],
    totalMinor: [],
    sourceName: [],
    placedAt: [],
    cancelledAt: [],
    updatedAt: [],
    discountCodes: [],
    eventId: [],
    eventType: [],
    previousCustomerId: [],
  };
  const l: LineColumns = {
    orderId: [],
    lineNo: [],
    externalId: [],
    productExternalId: [],
    variantExternalId: [],
    sku: [],
    title: [],
    quantity: [],
    unitPriceMinor: [],
    discountMinor: [],
  };
  for (let i = 0; i < accepted.length; i++) {
    addOrder(o, l, accepted[i]!, people[i]?.customerId, existing.get(accepted[i]!.externalId));
  }
  return { o, l };
}

function addOrder(
  o: OrderColumns,
  l: LineColumns,
  order: OrderInput,
  customerId: string | undefined,
  prior: Existing | undefined,
) {
  const id = prior?.id ?? newId();
  const subtotal = addLines(l, id, order.lines);
  o.id.push(id);
  o.externalId.push(order.externalId);
  o.number.push(order.number);
  o.customerId.push(customerId ?? prior?.customerId ?? null);
  o.status.push(order.status);
  o.financialStatus.push(order.financialStatus);
  o.fulfillmentStatus.push(order.fulfillmentStatus);
  o.currency.push(order.currency);
  o.subtotalMinor.push(order.subtotalMinor ?? subtotal);
  o.discountMinor.push(order.discountMinor);
  o.taxMinor.push(order.taxMinor);
  o.shippingMinor.push(order.shippingMinor);
  o.totalMinor.push(order.totalMinor);
  o.sourceName.push(order.sourceName);
  o.placedAt.push(order.placedAt);
  o.cancelledAt.push(order.cancelledAt);
  o.updatedAt.push(order.updatedAt);
  o.discountCodes.push(order.discountCodes);
  o.eventId.push(newId());
  o.eventType.push(
    !prior
      ? 'order.placed'
      : order.status === 'cancelled' && prior.status !== 'cancelled'
        ? 'order.cancelled'
        : 'order.updated',
  );
  o.previousCustomerId.push(prior?.customerId ?? null);
}

/** Adds an order's lines, numbered from 1; returns their subtotal. */
function addLines(l: LineColumns, orderId: string, lines: OrderInput['lines']): number {
  let subtotal = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    l.orderId.push(orderId);
    l.lineNo.push(n + 1);
    l.externalId.push(line.externalId);
    l.productExternalId.push(line.productExternalId);
    l.variantExternalId.push(line.variantExternalId);
    l.sku.push(line.sku);
    l.title.push(line.title);
    l.quantity.push(line.quantity);
    l.unitPriceMinor.push(line.unitPriceMinor);
    l.discountMinor.push(line.discountMinor);
    subtotal += line.unitPriceMinor * line.quantity - line.discountMinor;
  }
  return subtotal;
}

/**
 * Writes accepted orders, their lines and their events in one statement, every column of the orders
 * and of their lines one array parameter. Times stay the ISO strings they came in (PostgreSQL reads
 * their offsets); the event's placedAt is written as JavaScript's toISOString writes it, in UTC to the
 * millisecond. Returns the orders' ids, in their order.
 */
async function writeOrders(
  tx: Db,
  s: Scope,
  accepted: OrderInput[],
  people: (Resolved | null)[],
  existing: Map<string, Existing>,
): Promise<string[]> {
  const { o, l } = orderColumnsOf(accepted, people, existing);
  await tx.execute(sql`
    WITH incoming AS MATERIALIZED (${columns([
      ...orderColumns.map(([, property, type]) => [property, type, o[property]] as const),
      ['eventId', 'uuid', o.eventId],
      ['eventType', 'text', o.eventType],
      ['previousCustomerId', 'uuid', o.previousCustomerId],
    ])}),
    saved AS (
      INSERT INTO orders (workspace_id, source, ${sql.raw(orderColumns.map(([n]) => n).join(', '))}, updated_at)
      SELECT ${s.workspaceId}::uuid, ${s.source}, ${sql.raw(orderColumns.map(([, p]) => `i."${p}"`).join(', '))}, now()
        FROM incoming i
      ON CONFLICT (workspace_id, source, external_id) DO UPDATE SET ${sql.raw(orderUpdates)}
      WHERE orders.source_updated_at < excluded.source_updated_at),
    lines AS (
      INSERT INTO order_lines (workspace_id, order_id, line_no, ${sql.raw(lineColumns.map(([n]) => n).join(', '))})
      SELECT ${s.workspaceId}::uuid, x.*
        FROM (${columns([
          ['orderId', 'uuid', l.orderId],
          ['lineNo', 'int', l.lineNo],
          ...lineColumns.map(([, property, type]) => [property, type, l[property]] as const),
        ])}) AS x)
    INSERT INTO events (workspace_id, id, type, subject_type, subject_id, actor_user_id, payload)
    SELECT ${s.workspaceId}::uuid, i."eventId", i."eventType", 'order', i.id::text, ${s.actorUserId ?? null}::uuid,
           jsonb_build_object(
             'source', ${s.source}::text, 'externalId', i."externalId", 'number', i.number,
             'customerId', i."customerId", 'previousCustomerId', i."previousCustomerId",
             'totalMinor', i."totalMinor", 'currency', i.currency, 'status', i.status,
             'placedAt', to_char(i."placedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      FROM incoming i`);
  return o.id as string[];
}

/**
 * The orders of a call that will be written (the last version of each, unless what is stored is
 * newer), with the people they name resolved: found, or created when Patron does not know them yet.
 */
async function acceptedOrdersWithPeople(tx: Db, s: Scope, items: OrderInput[]) {
  const existing = new Map(
    (
      await tx
        .select({
          id: orders.id,
          externalId: orders.externalId,
          sourceUpdatedAt: orders.sourceUpdatedAt,
          status: orders.status,
          customerId: orders.customerId,
        })
        .from(orders)
        .where(
          and(
            eq(orders.workspaceId, s.workspaceId),
            eq(orders.source, s.source),
            anyOf(
              orders.externalId,
              'text',
              items.map((o) => o.externalId),
            ),
          ),
        )
    ).map((o) => [o.externalId, o]),
  );
  // Within one call the last version of an order wins; older ones are stale.
  const latest = new Map<string, OrderInput>();
  for (const o of items) {
    const seen = latest.get(o.externalId);
    if (!seen || new Date(o.updatedAt) >= new Date(seen.updatedAt)) latest.set(o.externalId, o);
  }
  const accepted = [...latest.values()].filter((o) => {
    const prior = existing.get(o.externalId);
    return !prior || newer(o.updatedAt, prior.sourceUpdatedAt);
  });
  const people = await resolvePeople(
    tx,
    s.workspaceId,
    s.source,
    accepted.map((o) => o.customer ?? {}),
  );
  return { existing, latest, accepted, people };
}

/**
 * Creates the people that the orders of a call name and Patron does not know yet, meant for a
 * transaction of its own, committed before the one that writes the orders (ADR 0010). Creating a
 * person locks their identities until the transaction ends; inside the orders' transaction that
 * lock would last the whole batch, and a concurrent batch naming the same new person would wait for
 * all of it. Once they are known, the orders' transaction finds them and locks nothing.
 */
export async function createOrderPeople(tx: Db, s: Scope, items: OrderInput[]): Promise<void> {
  if (items.length > 0) await acceptedOrdersWithPeople(tx, s, items);
}

/** Upserts orders; their customers are resolved (or created) from the order's customer reference. */
export async function upsertOrders(tx: Db, s: Scope, items: OrderInput[]): Promise<ItemResult[]> {
  if (items.length === 0) return [];
  const { existing, latest, accepted, people } = await acceptedOrdersWithPeople(tx, s, items);
  const updatedIds = accepted.flatMap((o) => existing.get(o.externalId)?.id ?? []);
  if (updatedIds.length) {
    await tx
      .delete(orderLines)
      .where(and(eq(orderLines.workspaceId, s.workspaceId), anyOf(orderLines.orderId, 'uuid', updatedIds)));
  }
  const written = new Map<string, string>(); // external id → id, of the orders written
  for (let i = 0; i < accepted.length; i += 5000) {
    const chunk = accepted.slice(i, i + 5000);
    const ids = await writeOrders(tx, s, chunk, people.slice(i, i + 5000), existing);
    for (const [k, order] of chunk.entries()) written.set(order.externalId, ids[k]!);
  }
  return items.map((o) => {
    const id = written.get(o.externalId);
    if (!id || latest.get(o.externalId) !== o) {
      return {
        externalId: o.externalId,
        id: existing.get(o.externalId)?.id ?? id ?? null,
        status: 'stale' as const,
      };
    }
    return {
      externalId: o.externalId,
      id,
      status: existing.has(o.externalId) ? ('updated' as const) : ('created' as const),
    };
  });
}

export async function upsertRefunds(tx: Db, s: Scope, items: RefundInput[]): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const events: NewEvent[] = [];
  for (const r of items) {
    const [prior] = await tx
      .select({ id: refunds.id })
      .from(refunds)
      .where(
        and(
          eq(refunds.workspaceId, s.workspaceId),
          eq(refunds.source, s.source),
          eq(refunds.externalId, r.externalId),
        ),
      );
    if (prior) {
      results.push({ externalId: r.externalId, id: prior.id, status: 'unchanged' });
      continue;
    }
    const [order] = r.orderExternalId
      ? await tx
          .select({ id: orders.id, customerId: orders.customerId })
          .from(orders)
          .where(
            and(
              eq(orders.workspaceId, s.workspaceId),
              eq(orders.source, s.source),
              eq(orders.externalId, r.orderExternalId),
            ),
          )
      : [];
    const person =
      !order?.customerId && r.customer
        ? (await resolvePeople(tx, s.workspaceId, s.source, [r.customer]))[0]
        : null;
    const id = newId();
    const customerId = order?.customerId ?? person?.customerId ?? null;
    await tx.insert(refunds).values({
      workspaceId: s.workspaceId,
      id,
      source: s.source,
      externalId: r.externalId,
      orderId: order?.id ?? null,
      customerId,
      amountMinor: r.amountMinor,
      currency: r.currency,
      reason: r.reason ?? null,
      lines: r.lines,
      refundedAt: new Date(r.createdAt),
    });
    if (order) {
      await tx
        .update(orders)
        .set({ refundedMinor: sql`${orders.refundedMinor} + ${r.amountMinor}`, updatedAt: new Date() })
        .where(and(eq(orders.workspaceId, s.workspaceId), eq(orders.id, order.id)));
    }
    events.push({
      workspaceId: s.workspaceId,
      type: 'order.refunded',
      subjectType: order ? 'order' : 'refund',
      subjectId: order?.id ?? id,
      actorUserId: s.actorUserId,
      payload: {
        source: s.source,
        refundId: id,
        externalId: r.externalId,
        orderId: order?.id ?? null,
        customerId,
        amountMinor: r.amountMinor,
        currency: r.currency,
      },
    });
    results.push({ externalId: r.externalId, id, status: 'created' });
  }
  await recordEvents(tx, events);
  return results;
}

export async function upsertCheckouts(tx: Db, s: Scope, items: CheckoutInput[]): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  const events: NewEvent[] = [];
  for (const c of items) {
    const [prior] = await tx
      .select({ id: checkouts.id, sourceUpdatedAt: checkouts.sourceUpdatedAt })
      .from(checkouts)
      .where(
        and(
          eq(checkouts.workspaceId, s.workspaceId),
          eq(checkouts.source, s.source),
          eq(checkouts.externalId, c.externalId),
        ),
      );
    if (prior && !newer(c.updatedAt, prior.sourceUpdatedAt)) {
      results.push({ externalId: c.externalId, id: prior.id, status: 'stale' });
      continue;
    }
    const person = c.customer ? (await resolvePeople(tx, s.workspaceId, s.source, [c.customer]))[0] : null;
    const id = prior?.id ?? newId();
    const values = {
      customerId: person?.customerId ?? null,
      email: normaliseEmail(c.customer?.email),
      currency: c.currency,
      totalMinor: c.totalMinor,
      lines: c.lines,
      recoveryUrl: c.recoveryUrl ?? null,
      completedAt: c.completedAt ? new Date(c.completedAt) : null,
      sourceCreatedAt: new Date(c.createdAt),
      sourceUpdatedAt: new Date(c.updatedAt),
      updatedAt: new Date(),
    };
    if (prior)
      await tx
        .update(checkouts)
        .set(values)
        .where(and(eq(checkouts.workspaceId, s.workspaceId), eq(checkouts.id, id)));
    else
      await tx
        .insert(checkouts)
        .values({ workspaceId: s.workspaceId, id, source: s.source, externalId: c.externalId, ...values });
    events.push({
      workspaceId: s.workspaceId,
      type: prior ? 'checkout.updated' : 'checkout.started',
      subjectType: 'checkout',
      subjectId: id,
      actorUserId: s.actorUserId,
      payload: {
        source: s.source,
        externalId: c.externalId,
        customerId: values.customerId,
        totalMinor: c.totalMinor,
        currency: c.currency,
        completed: !!c.completedAt,
      },
    });
    results.push({ externalId: c.externalId, id, status: prior ? 'updated' : 'created' });
  }
  await recordEvents(tx, events);
  return results;
}
