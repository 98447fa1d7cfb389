// Shopify webhooks → canonical inputs. A webhook body is the REST representation of the resource,
// unwrapped (the order itself, not {"order": …}). Money is decimal strings in the shop's currency.
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
import {
  type ConsentState,
  consent,
  deleted,
  type IngestOp,
  MappingError,
  privacyRequest,
  UnsupportedTopicError,
  validated,
} from './ingest-op.ts';

export type ShopifyMapOptions = {
  /** the shop's currency, for resources that do not name one (products); USD when not given */
  currency?: string | undefined;
};

export const shopifyTopics = [
  'orders/create',
  'orders/updated',
  'orders/paid',
  'orders/fulfilled',
  'orders/cancelled',
  'refunds/create',
  'customers/create',
  'customers/update',
  'customers/delete',
  'customers/email_marketing_consent_update',
  'customers/marketing_consent_update',
  'products/create',
  'products/update',
  'products/delete',
  'checkouts/create',
  'checkouts/update',
  'customers/data_request',
  'customers/redact',
] as const;

/**
 * Maps one Shopify webhook delivery (topic from X-Shopify-Topic, body parsed with parseJsonLossless)
 * to ingest ops. Throws UnsupportedTopicError for other topics and MappingError for a body that
 * cannot be mapped (naming each bad field).
 */
export function mapShopifyWebhook(topic: string, body: unknown, opts: ShopifyMapOptions = {}): IngestOp[] {
  const shopCurrency = (opts.currency ?? 'USD').toUpperCase();
  const t = topic.trim().toLowerCase();
  switch (t) {
    case 'orders/create':
    case 'orders/updated':
    case 'orders/paid':
    case 'orders/fulfilled':
    case 'orders/cancelled':
      return mapOrder(bodyObject(body, 'order'), shopCurrency);
    case 'refunds/create':
      return [mapRefund(bodyObject(body, 'refund'), shopCurrency)];
    case 'customers/create':
    case 'customers/update':
      return [mapCustomer(bodyObject(body, 'customer'))];
    case 'customers/delete':
      return [deleted('customer_deleted', idOf(bodyObject(body, 'customer').id))];
    case 'customers/email_marketing_consent_update':
      return [mapEmailConsent(bodyObject(body, 'consent'))];
    case 'customers/marketing_consent_update':
      return [mapSmsConsent(bodyObject(body, 'consent'))];
    case 'products/create':
    case 'products/update':
      return [mapProduct(bodyObject(body, 'product'), shopCurrency)];
    case 'products/delete':
      return [deleted('product_deleted', idOf(bodyObject(body, 'product').id))];
    case 'checkouts/create':
    case 'checkouts/update':
      return mapCheckout(bodyObject(body, 'checkout'), shopCurrency);
    case 'customers/data_request':
    case 'customers/redact':
      return [mapPrivacy(t === 'customers/redact' ? 'redact' : 'data_request', bodyObject(body, 'request'))];
    default:
      throw new UnsupportedTopicError('Shopify', topic);
  }
}

type Line = z.input<typeof orderLineInput>;
type Ref = z.input<typeof customerRef>;
type Address = z.input<typeof addressInput>;

/** Shopify's marketing states: subscribed, not_subscribed, unsubscribed, pending, redacted, invalid. */
function consentOf(v: unknown): ConsentState | null {
  const s = text(v)?.toLowerCase();
  switch (s) {
    case 'subscribed':
    case 'unsubscribed':
    case 'not_subscribed':
    case 'pending':
      return s;
    case 'redacted':
    case 'invalid':
      return 'not_subscribed';
    default:
      return null;
  }
}

function address(a: Obj, isDefault?: boolean): Address {
  return {
    firstName: text(a.first_name),
    lastName: text(a.last_name),
    company: text(a.company),
    line1: text(a.address1),
    line2: text(a.address2),
    city: text(a.city),
    region: text(a.province) ?? text(a.province_code),
    postalCode: text(a.zip),
    country: text(a.country_code) ?? text(a.country),
    phone: text(a.phone),
    ...(isDefault === undefined ? {} : { isDefault }),
  };
}

function customerInputOf(c: Obj) {
  const def = isObj(c.default_address) ? c.default_address : undefined;
  const defId = def ? idOf(def.id) : undefined;
  const list = objects(c.addresses);
  if (def && !list.some((a) => defId !== undefined && idOf(a.id) === defId)) list.unshift(def);
  const emailState = isObj(c.email_marketing_consent)
    ? consentOf(c.email_marketing_consent.state)
    : typeof c.accepts_marketing === 'boolean'
      ? c.accepts_marketing
        ? 'subscribed'
        : 'not_subscribed'
      : null;
  const smsState = isObj(c.sms_marketing_consent) ? consentOf(c.sms_marketing_consent.state) : null;
  return {
    externalId: idOf(c.id) ?? '',
    email: text(c.email),
    phone: text(c.phone),
    firstName: text(c.first_name),
    lastName: text(c.last_name),
    company: def ? text(def.company) : null,
    locale: text(c.locale),
    addresses: list.map((a) =>
      address(a, a.default === true || (defId !== undefined && idOf(a.id) === defId)),
    ),
    emailConsent: emailState,
    smsConsent: smsState,
    tags: tagList(c.tags),
    createdAt: timestamp(c.created_at) ?? null,
    updatedAt: timestamp(c.updated_at) ?? timestamp(c.created_at) ?? '',
  };
}

function mapCustomer(c: Obj): IngestOp {
  return validated('customer', customerInputOf(c));
}

/** The customer a resource embeds, as its own op, when it is a full customer record. */
function embeddedCustomer(v: unknown): IngestOp[] {
  if (!isObj(v) || idOf(v.id) === undefined || !(v.updated_at || v.created_at)) return [];
  return [validated('customer', customerInputOf(v))];
}

function refOf(r: Obj): Ref | null {
  const c = obj(r.customer);
  const bill = obj(r.billing_address);
  const ref: Ref = {
    externalId: idOf(c.id) ?? null,
    email: text(r.email) ?? text(r.contact_email) ?? text(c.email),
    phone: text(r.phone) ?? text(c.phone) ?? text(bill.phone),
    firstName: text(c.first_name) ?? text(bill.first_name),
    lastName: text(c.last_name) ?? text(bill.last_name),
  };
  return ref.externalId || ref.email || ref.phone ? ref : null;
}

function lineOf(rd: Reader, l: Obj, currency: string, path: string): Line {
  // total_discount is deprecated in newer API versions in favour of discount_allocations
  const allocations = objects(l.discount_allocations);
  const discount =
    l.total_discount !== undefined && l.total_discount !== null
      ? rd.money(l.total_discount, currency, `${path}.total_discount`, 0)
      : allocations.reduce(
          (sum, a, i) =>
            sum + (rd.money(a.amount, currency, `${path}.discount_allocations[${i}].amount`, 0) ?? 0),
          0,
        );
  return {
    externalId: idOf(l.id) ?? null,
    productExternalId: idOf(l.product_id) ?? null,
    variantExternalId: idOf(l.variant_id) ?? null,
    sku: text(l.sku),
    title: text(l.title) ?? text(l.name) ?? '',
    quantity: rd.integer(l.quantity, `${path}.quantity`, 1),
    unitPriceMinor: rd.money(l.price, currency, `${path}.price`) ?? 0,
    discountMinor: discount ?? 0,
  };
}

function mapOrder(o: Obj, shopCurrency: string): IngestOp[] {
  const rd = new Reader();
  const currency = rd.currency(o.currency, 'currency', shopCurrency);
  const shippingLines = objects(o.shipping_lines);
  const shipping =
    shippingLines.length > 0
      ? shippingLines.reduce(
          (sum, s, i) => sum + (rd.money(s.price, currency, `shipping_lines[${i}].price`, 0) ?? 0),
          0,
        )
      : rd.money(
          obj(obj(o.total_shipping_price_set).shop_money).amount,
          currency,
          'total_shipping_price_set',
          0,
        );
  const cancelledAt = timestamp(o.cancelled_at) ?? null;
  const order = {
    externalId: idOf(o.id) ?? '',
    number: text(o.name) ?? text(o.order_number) ?? text(o.number) ?? idOf(o.id) ?? '',
    customer: refOf(o),
    status: cancelledAt ? 'cancelled' : o.closed_at ? 'closed' : 'open',
    financialStatus: text(o.financial_status),
    fulfillmentStatus: text(o.fulfillment_status),
    currency,
    subtotalMinor: rd.optionalMoney(o.subtotal_price, currency, 'subtotal_price'),
    discountMinor: rd.money(o.total_discounts, currency, 'total_discounts', 0),
    taxMinor: rd.money(o.total_tax, currency, 'total_tax', 0),
    shippingMinor: shipping,
    totalMinor: rd.money(o.total_price, currency, 'total_price') ?? 0,
    discountCodes: tagList(objects(o.discount_codes).map((d) => d.code)),
    lines: objects(o.line_items).map((l, i) => lineOf(rd, l, currency, `line_items[${i}]`)),
    sourceName: text(o.source_name),
    placedAt: timestamp(o.created_at) ?? timestamp(o.processed_at) ?? '',
    updatedAt: timestamp(o.updated_at) ?? timestamp(o.created_at) ?? '',
    cancelledAt,
  } as const;
  const ops = [...embeddedCustomer(o.customer), validated('order', order, rd.issues)];
  for (const r of objects(o.refunds)) {
    ops.push(mapRefund({ order_id: o.id, ...r }, currency));
  }
  return ops;
}

function mapRefund(r: Obj, fallbackCurrency: string): IngestOp {
  const rd = new Reader();
  const transactions = objects(r.transactions);
  const refundLines = objects(r.refund_line_items);
  const firstTxCurrency = transactions.map((t) => text(t.currency)).find(Boolean);
  const firstLineCurrency = refundLines
    .map((l) => text(obj(obj(l.subtotal_set).shop_money).currency_code))
    .find(Boolean);
  const currency = rd.currency(
    firstTxCurrency ?? firstLineCurrency,
    'transactions[0].currency',
    fallbackCurrency,
  );
  const lines = refundLines.map((l, i) => {
    const item = obj(l.line_item);
    const quantity = rd.integer(l.quantity, `refund_line_items[${i}].quantity`, 0);
    const subtotal =
      l.subtotal !== undefined && l.subtotal !== null
        ? (rd.money(l.subtotal, currency, `refund_line_items[${i}].subtotal`, 0) ?? 0)
        : (rd.money(item.price, currency, `refund_line_items[${i}].line_item.price`, 0) ?? 0) * quantity;
    const tax = rd.money(l.total_tax, currency, `refund_line_items[${i}].total_tax`, 0) ?? 0;
    return {
      line: {
        lineExternalId: idOf(l.line_item_id) ?? idOf(item.id) ?? null,
        sku: text(item.sku),
        quantity,
        amountMinor: subtotal,
      },
      tax,
    };
  });
  const refundTx = transactions.filter(
    (t) => text(t.kind)?.toLowerCase() === 'refund' && text(t.status)?.toLowerCase() === 'success',
  );
  const amount =
    transactions.length > 0
      ? refundTx.reduce(
          (sum, t) =>
            sum + (rd.money(t.amount, currency, `transactions[${transactions.indexOf(t)}].amount`, 0) ?? 0),
          0,
        )
      : lines.reduce((sum, l) => sum + l.line.amountMinor + l.tax, 0);
  const refund = {
    externalId: idOf(r.id) ?? '',
    orderExternalId: idOf(r.order_id) ?? null,
    amountMinor: Math.abs(amount),
    currency,
    reason: text(r.note),
    lines: lines.map((l) => l.line),
    createdAt: timestamp(r.created_at) ?? timestamp(r.processed_at) ?? '',
  };
  return validated('refund', refund, rd.issues);
}

function productStatus(v: unknown): 'active' | 'draft' | 'archived' | undefined {
  const s = text(v)?.toLowerCase();
  return s === 'active' || s === 'draft' || s === 'archived' ? s : undefined;
}

function mapProduct(p: Obj, currency: string): IngestOp {
  const rd = new Reader();
  const status = productStatus(p.status);
  const image = obj(p.image);
  const productType = text(p.product_type);
  const product = {
    externalId: idOf(p.id) ?? '',
    title: text(p.title) ?? '',
    handle: text(p.handle),
    vendor: text(p.vendor),
    productType,
    categories: productType ? [productType] : [],
    ...(status ? { status } : {}),
    currency,
    imageUrl: text(image.src) ?? text(objects(p.images)[0]?.src),
    variants: objects(p.variants).map((v, i) => ({
      externalId: idOf(v.id) ?? '',
      sku: text(v.sku),
      title: text(v.title),
      priceMinor: rd.optionalMoney(v.price, currency, `variants[${i}].price`),
      inventoryQuantity:
        v.inventory_quantity === null || v.inventory_quantity === undefined
          ? null
          : rd.integer(v.inventory_quantity, `variants[${i}].inventory_quantity`, 0),
    })),
    createdAt: timestamp(p.created_at) ?? null,
    updatedAt: timestamp(p.updated_at) ?? timestamp(p.created_at) ?? '',
  };
  return validated('product', product, rd.issues);
}

function mapCheckout(c: Obj, shopCurrency: string): IngestOp[] {
  const rd = new Reader();
  const currency = rd.currency(c.currency, 'currency', shopCurrency);
  const checkout = {
    // the token is what checkouts/update and the resulting order (checkout_token) refer to
    externalId: idOf(c.token) ?? idOf(c.id) ?? '',
    customer: refOf(c),
    currency,
    totalMinor: rd.money(c.total_price, currency, 'total_price') ?? 0,
    lines: objects(c.line_items).map((l, i) => lineOf(rd, l, currency, `line_items[${i}]`)),
    recoveryUrl: text(c.abandoned_checkout_url),
    completedAt: timestamp(c.completed_at) ?? null,
    createdAt: timestamp(c.created_at) ?? '',
    updatedAt: timestamp(c.updated_at) ?? timestamp(c.created_at) ?? '',
  };
  return [...embeddedCustomer(c.customer), validated('checkout', checkout, rd.issues)];
}

function mapEmailConsent(b: Obj): IngestOp {
  const c = obj(b.email_marketing_consent);
  const state = consentOf(c.state);
  if (!state) return consentProblem('email_marketing_consent.state', c.state);
  return consent({
    customerExternalId: idOf(b.customer_id) ?? null,
    email: text(b.email_address),
    channel: 'email',
    state,
    updatedAt: timestamp(c.consent_updated_at) ?? null,
  });
}

/** customers/marketing_consent_update: {id, phone, sms_marketing_consent: {state, …}}. */
function mapSmsConsent(b: Obj): IngestOp {
  const c = obj(b.sms_marketing_consent);
  const state = consentOf(c.state);
  if (!state) return consentProblem('sms_marketing_consent.state', c.state);
  return consent({
    customerExternalId: idOf(b.id) ?? idOf(b.customer_id) ?? null,
    email: null,
    channel: 'sms',
    state,
    updatedAt: timestamp(c.consent_updated_at) ?? null,
  });
}

function consentProblem(path: string, v: unknown): never {
  const message =
    v === undefined || v === null ? 'is missing' : `"${String(v).slice(0, 40)}" is not a consent state`;
  throw new MappingError([{ path, message }], 'consent payload');
}

function mapPrivacy(request: 'data_request' | 'redact', b: Obj): IngestOp {
  const c = obj(b.customer);
  return privacyRequest({
    request,
    customerExternalId: idOf(c.id) ?? null,
    email: text(c.email),
    phone: text(c.phone),
    payload: b,
  });
}
