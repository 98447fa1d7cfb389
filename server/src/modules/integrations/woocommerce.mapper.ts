// WooCommerce webhooks → canonical inputs. For order, customer and product topics the body is the
// REST API (v3) representation of the resource; money arrives as decimal strings (line prices as
// numbers), and *_gmt dates carry no offset: they are UTC.
import type { z } from 'zod';
import type { addressInput, customerRef, orderLineInput } from '../../../../contracts/commerce.ts';
import {
  bodyObject,
  idOf,
  isObj,
  type Obj,
  obj,
  objects,
  Reader,
  tagList,
  text,
  timestamp,
} from './fields.mapper.ts';
import { deleted, type IngestOp, UnsupportedTopicError, validated } from './ingest-op.ts';

export type WooMapOptions = {
  /** the store's currency, for products (their representation names none); USD when not given */
  currency?: string | undefined;
};

export const wooTopics = [
  'order.created',
  'order.updated',
  'order.deleted',
  'order.restored',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'product.created',
  'product.updated',
  'product.deleted',
  'product.restored',
] as const;

/**
 * Maps one WooCommerce webhook delivery (topic from X-WC-Webhook-Topic, body parsed with
 * parseJsonLossless) to ingest ops.
 *
 * - The delivery WooCommerce sends when a webhook is created (`{"webhook_id": …}` only) → [].
 * - order.deleted with the full order (a trashed order) → the order with status "cancelled";
 *   with only `{id}` (WooCommerce sends just the id for deletions) → an `order_deleted` op.
 * - customer.deleted / product.deleted → `customer_deleted` / `product_deleted` by id.
 */
export function mapWooWebhook(topic: string, body: unknown, opts: WooMapOptions = {}): IngestOp[] {
  if (isPing(body)) return [];
  const storeCurrency = (opts.currency ?? 'USD').toUpperCase();
  const t = topic.trim().toLowerCase();
  switch (t) {
    case 'order.created':
    case 'order.updated':
    case 'order.restored':
      return mapOrder(bodyObject(body, 'order'), false);
    case 'order.deleted': {
      const o = bodyObject(body, 'order');
      return isIdOnly(o) ? [deleted('order_deleted', idOf(o.id))] : mapOrder(o, true);
    }
    case 'customer.created':
    case 'customer.updated':
      return [mapCustomer(bodyObject(body, 'customer'))];
    case 'customer.deleted':
      return [deleted('customer_deleted', idOf(bodyObject(body, 'customer').id))];
    case 'product.created':
    case 'product.updated':
    case 'product.restored':
      return mapProduct(bodyObject(body, 'product'), storeCurrency);
    case 'product.deleted':
      return [deleted('product_deleted', idOf(bodyObject(body, 'product').id))];
    default:
      throw new UnsupportedTopicError('WooCommerce', topic);
  }
}

/** WooCommerce's test delivery on webhook creation: `webhook_id=…` (form-encoded) or `{"webhook_id": …}`. */
function isPing(body: unknown): boolean {
  if (isObj(body)) {
    const keys = Object.keys(body);
    return keys.length === 1 && keys[0] === 'webhook_id';
  }
  return typeof body === 'string' && /^webhook_id=\d+$/.test(body.trim());
}

const isIdOnly = (o: Obj) => Object.keys(o).every((k) => k === 'id');

type Line = z.input<typeof orderLineInput>;
type Ref = z.input<typeof customerRef>;
type Address = z.input<typeof addressInput>;

const utc = (v: unknown) => timestamp(v, { utc: true });

/** The Woo billing/shipping address block. */
function address(a: Obj): Address | null {
  const out: Address = {
    firstName: text(a.first_name),
    lastName: text(a.last_name),
    company: text(a.company),
    line1: text(a.address_1),
    line2: text(a.address_2),
    city: text(a.city),
    region: text(a.state),
    postalCode: text(a.postcode),
    country: text(a.country),
    phone: text(a.phone),
  };
  return Object.values(out).some((v) => v !== null) ? out : null;
}

const sameAddress = (a: Address, b: Address) =>
  (['line1', 'line2', 'city', 'region', 'postalCode', 'country'] as const).every(
    (k) => (a[k] ?? null) === (b[k] ?? null),
  );

function mapCustomer(c: Obj): IngestOp {
  const billing = obj(c.billing);
  const addresses: Address[] = [];
  const bill = address({ ...billing, email: undefined });
  const ship = address(obj(c.shipping));
  if (bill) addresses.push({ ...bill, isDefault: true });
  if (ship && !(bill && sameAddress(bill, ship))) addresses.push(ship);
  const customer = {
    externalId: idOf(c.id) ?? '',
    email: text(c.email) ?? text(billing.email),
    phone: text(billing.phone),
    firstName: text(c.first_name) ?? text(billing.first_name),
    lastName: text(c.last_name) ?? text(billing.last_name),
    company: text(billing.company),
    addresses,
    createdAt: utc(c.date_created_gmt) ?? null,
    updatedAt: utc(c.date_modified_gmt) ?? utc(c.date_created_gmt) ?? '',
  };
  return validated('customer', customer);
}

/** Woo order status → Patron status, payment status and fulfilment status. */
function statusOf(s: string | null): {
  status: 'open' | 'closed' | 'cancelled';
  financial: string | null;
  fulfilment: string | null;
} {
  switch (s) {
    case 'pending':
    case 'checkout-draft':
      return { status: 'open', financial: 'pending', fulfilment: 'unfulfilled' };
    case 'on-hold':
      return { status: 'open', financial: 'on_hold', fulfilment: 'unfulfilled' };
    case 'processing':
      return { status: 'open', financial: 'paid', fulfilment: 'unfulfilled' };
    case 'completed':
      return { status: 'closed', financial: 'paid', fulfilment: 'fulfilled' };
    case 'refunded':
      return { status: 'closed', financial: 'refunded', fulfilment: null };
    case 'cancelled':
      return { status: 'cancelled', financial: 'voided', fulfilment: null };
    case 'failed':
      return { status: 'cancelled', financial: 'failed', fulfilment: null };
    case 'trash':
    case 'trashed':
      return { status: 'cancelled', financial: null, fulfilment: null };
    default:
      // custom statuses added by plugins: an open order whose payment state is unknown
      return { status: 'open', financial: s, fulfilment: null };
  }
}

function lineOf(rd: Reader, l: Obj, currency: string, path: string): Line {
  const quantity = rd.integer(l.quantity, `${path}.quantity`, 1);
  const subtotal = rd.optionalMoney(l.subtotal, currency, `${path}.subtotal`);
  const total = rd.optionalMoney(l.total, currency, `${path}.total`);
  // unit price before discounts: subtotal / quantity; `price` (after discounts) when that is unknown
  const unit =
    subtotal !== null && quantity !== 0
      ? Math.round(subtotal / quantity)
      : (rd.money(l.price, currency, `${path}.price`) ?? 0);
  const variation = idOf(l.variation_id);
  return {
    externalId: idOf(l.id) ?? null,
    productExternalId: idOf(l.product_id) === '0' ? null : (idOf(l.product_id) ?? null),
    variantExternalId: variation === '0' ? null : (variation ?? null),
    sku: text(l.sku),
    title: text(l.name) ?? '',
    quantity,
    unitPriceMinor: unit,
    discountMinor: subtotal !== null && total !== null ? Math.max(0, subtotal - total) : 0,
  };
}

function mapOrder(o: Obj, deletedOrder: boolean): IngestOp[] {
  const rd = new Reader();
  const currency = rd.currency(o.currency, 'currency');
  const rawStatus = text(o.status)?.toLowerCase() ?? null;
  const st = deletedOrder ? { ...statusOf(rawStatus), status: 'cancelled' as const } : statusOf(rawStatus);
  const billing = obj(o.billing);
  const customerId = idOf(o.customer_id);
  const ref: Ref = {
    // customer_id 0 is a guest checkout: no account to point at
    externalId: customerId && customerId !== '0' ? customerId : null,
    email: text(billing.email),
    phone: text(billing.phone),
    firstName: text(billing.first_name),
    lastName: text(billing.last_name),
  };
  const lineItems = objects(o.line_items);
  const lines = lineItems.map((l, i) => lineOf(rd, l, currency, `line_items[${i}]`));
  const subtotal = lineItems.reduce<number | null>((sum, l, i) => {
    const v = rd.optionalMoney(l.subtotal, currency, `line_items[${i}].subtotal`);
    return sum === null || v === null ? null : sum + v;
  }, 0);
  const updatedAt = utc(o.date_modified_gmt) ?? utc(o.date_created_gmt) ?? '';
  const order = {
    externalId: idOf(o.id) ?? '',
    number: text(o.number) ?? idOf(o.id) ?? '',
    customer: ref.externalId || ref.email || ref.phone ? ref : null,
    status: st.status,
    financialStatus: st.financial,
    fulfillmentStatus: st.fulfilment,
    currency,
    subtotalMinor: lineItems.length > 0 ? subtotal : null,
    discountMinor: rd.money(o.discount_total, currency, 'discount_total', 0),
    taxMinor: rd.money(o.total_tax, currency, 'total_tax', 0),
    shippingMinor: rd.money(o.shipping_total, currency, 'shipping_total', 0),
    totalMinor: rd.money(o.total, currency, 'total') ?? 0,
    discountCodes: tagList(objects(o.coupon_lines).map((c) => c.code)),
    lines,
    sourceName: text(o.created_via),
    placedAt: utc(o.date_created_gmt) ?? '',
    updatedAt,
    cancelledAt: st.status === 'cancelled' ? updatedAt || null : null,
  };
  const ops: IngestOp[] = [validated('order', order, rd.issues)];
  // The order representation lists its refunds as {id, refund (the reason), total (negative)}.
  objects(o.refunds).forEach((r, i) => {
    const rr = new Reader();
    const amount = rr.money(r.total ?? r.amount, currency, `refunds[${i}].total`) ?? 0;
    ops.push(
      validated(
        'refund',
        {
          externalId: idOf(r.id) ?? '',
          orderExternalId: idOf(o.id) ?? null,
          customer: order.customer,
          amountMinor: Math.abs(amount),
          currency,
          reason: text(r.refund) ?? text(r.reason),
          // the order representation carries no refund date: the order's last change is the nearest
          createdAt: utc(r.date_created_gmt) ?? updatedAt,
        },
        rr.issues,
      ),
    );
  });
  return ops;
}

function productStatus(v: unknown): 'active' | 'draft' | 'archived' | undefined {
  switch (text(v)?.toLowerCase()) {
    case 'publish':
      return 'active';
    case 'draft':
    case 'pending':
    case 'private':
    case 'future':
      return 'draft';
    case 'trash':
      return 'archived';
    default:
      return undefined;
  }
}

function mapProduct(p: Obj, currency: string): IngestOp[] {
  // A variation on its own cannot stand for a product (it has no product title); its parent's
  // product.updated carries the variation ids.
  if (text(p.type) === 'variation') return [];
  const rd = new Reader();
  const id = idOf(p.id) ?? '';
  const status = productStatus(p.status);
  const variations: unknown[] = Array.isArray(p.variations) ? p.variations : [];
  const variants =
    variations.length > 0
      ? variations.map((v) => {
          // v3 sends variation ids; some extensions expand them into objects
          const vo: Obj = isObj(v) ? v : { id: v };
          return {
            externalId: idOf(vo.id) ?? '',
            sku: text(vo.sku),
            title: null,
            priceMinor: rd.optionalMoney(vo.price, currency, `variations.${String(vo.id)}.price`),
            inventoryQuantity: typeof vo.stock_quantity === 'number' ? Math.trunc(vo.stock_quantity) : null,
          };
        })
      : text(p.type) === 'variable'
        ? []
        : // a simple (or grouped, external) product is its own single variant
          [
            {
              externalId: id,
              sku: text(p.sku),
              title: text(p.name),
              priceMinor: rd.optionalMoney(p.price, currency, 'price'),
              inventoryQuantity:
                p.stock_quantity === null || p.stock_quantity === undefined
                  ? null
                  : rd.integer(p.stock_quantity, 'stock_quantity', 0),
            },
          ];
  const product = {
    externalId: id,
    title: text(p.name) ?? '',
    handle: text(p.slug),
    categories: tagList(objects(p.categories).map((c) => c.name)),
    ...(status ? { status } : {}),
    currency,
    imageUrl: text(objects(p.images)[0]?.src),
    variants,
    createdAt: utc(p.date_created_gmt) ?? null,
    updatedAt: utc(p.date_modified_gmt) ?? utc(p.date_created_gmt) ?? '',
  };
  return [validated('product', product, rd.issues)];
}
