import type { Readable } from 'node:stream';
import {
  type CustomerInput,
  customerInput,
  type OrderInput,
  orderInput,
  type RefundInput,
  refundInput,
} from '../../../../contracts/commerce.ts';
import { toMinor } from '../../../../contracts/money.ts';
import { type ColumnMapping, columnIndexes, type OrderField, validateMapping } from './csv-columns.ts';
import { openCsv } from './csv-source.ts';
import {
  cell,
  cleanDecimal,
  type DateFormat,
  isCurrencyCode,
  multiplyDecimal,
  normalizeId,
  parseDate,
  parseInteger,
  resolveDateFormat,
} from './csv-values.ts';

// Streaming import of an order-lines CSV (one row per order line, as Shopify's order export and the
// UCI online-retail data set have it) into the canonical OrderInput / RefundInput / CustomerInput.
//
// Decisions on the data's quirks:
// - Rows are grouped by order number. Rows of one order are expected to be adjacent; an order stays
//   open until 32 other orders have started after it, so an order interleaved with a few others
//   (online-retail's 542806 is split by a cancellation) is merged. A number that reappears after that
//   is reported as an error on each of those rows ("already complete"): the order was yielded already.
// - An order number starting with "C" and a digit (cancellationPrefix) is a cancellation invoice and
//   becomes a RefundInput: amount = Σ |quantity × unit price|, lines with sku / |quantity| / amount.
//   It names the refunded order when the customer is known: the customer's latest earlier order
//   holding most of the refunded SKUs, else the customer's latest earlier order, else none.
// - A negative quantity on an ordinary order is an adjustment line: kept, it lowers the total.
//   A negative unit price (online-retail's "Adjust bad debt" A-invoices) is kept the same way.
// - Quantity 0, an unparseable quantity, price or date, a missing order number or title: the row is
//   reported with its line number and reason; the order's other rows import.
// - Customer ids written as floats ("17850.0") are read as "17850". No customer id: a guest order
//   (with an email-only customer ref when the file has an email column).
// - Line totals are exact: the decimal unit price × quantity, then rounded once to minor units
//   (a 0.001 GBP price gives a line total of 0 pence, not an error). Order total = Σ line totals
//   − discount + shipping + tax (the last three only when the file has those columns).
// - The contract caps an order at 1000 lines; beyond 999, the remaining lines are folded into one
//   "Other items" line holding their amount so the total stays exact, and each folded row is named
//   in `warnings`.
// - Times without a zone are UTC. placedAt = updatedAt = the order's first row's date; status
//   'closed' unless a status column says otherwise.
// - A customer is yielded once per distinct customer id, in the batch of (or before) its first order,
//   with the first row's name, email, phone and country. Its updatedAt is that first order's date, so
//   it never overwrites a newer record of the same customer. Import customers before orders.

export interface RowIssue {
  /** 1-based line in the file; the header is line 1 */
  line: number;
  message: string;
}

export interface OrderBatch {
  orders: OrderInput[];
  refunds: RefundInput[];
  customers: CustomerInput[];
  /** rows not imported, with the reason */
  errors: RowIssue[];
  /** rows imported with a change worth telling (folded lines) */
  warnings: RowIssue[];
  /** data rows consumed by this batch (the header is not counted) */
  rowsRead: number;
}

export interface ReadOrdersOptions {
  mapping: ColumnMapping<OrderField> | Record<string, string | null | undefined>;
  /** ISO 4217 currency of rows without a currency column or cell, e.g. 'GBP' */
  currency: string;
  /** the orders' sourceName; 'csv' when absent */
  source?: string;
  /** gzip input; detected from the magic bytes when absent */
  gzip?: boolean;
  /** the date format; detected from the first rows when absent */
  dateFormat?: DateFormat;
  /** rows per batch (default 5000) */
  batchSize?: number;
  /** order numbers starting with this and a digit are cancellations (default 'C'); null: none */
  cancellationPrefix?: string | null;
}

/** How many recent orders stay open to merge rows that come back after a few other orders. */
const OPEN_WINDOW = 32;
const MAX_LINES = 1000;
const ORDER_AMOUNTS = [
  ['discountAmount', 'discount'],
  ['shipping', 'shipping'],
  ['tax', 'tax'],
] as const;

interface Item {
  line: number;
  sku: string | undefined;
  title: string;
  quantity: number;
  price: string;
  lineTotal: string | undefined;
}

interface IndexEntry {
  number: string;
  seq: number;
  placedMs: number;
  /** interned SKU ids */
  skus: number[];
}

interface OpenOrder {
  number: string;
  seq: number;
  refund: boolean;
  placedAt: string;
  placedMs: number;
  customerId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  phone?: string;
  currency?: string;
  status?: string;
  financialStatus?: string;
  fulfillmentStatus?: string;
  discountCodes: string[];
  discount?: string;
  shipping?: string;
  tax?: string;
  items: Item[];
  entry?: IndexEntry;
}

function decimalCell(values: readonly string[], index: number): string | undefined {
  const c = cell(values, index);
  return c === undefined ? undefined : cleanDecimal(c);
}

function emptyBatch(): OrderBatch {
  return { orders: [], refunds: [], customers: [], errors: [], warnings: [], rowsRead: 0 };
}

function orderStatus(value: string | undefined): OrderInput['status'] {
  const v = value?.toLowerCase();
  if (!v) return 'closed';
  if (/cancel|void|refused/.test(v)) return 'cancelled';
  if (/^(open|pending|processing|on-hold|unfulfilled|new)$/.test(v)) return 'open';
  return 'closed';
}

const issuesText = (issues: readonly { path: PropertyKey[]; message: string }[]): string =>
  issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');

/**
 * Streams an order-lines CSV (plain or gzip) and yields batches of canonical orders, refunds
 * (cancellation invoices), customers and per-row errors. Throws MappingError when the mapping does
 * not fit the file, CsvFileError when the file is not CSV.
 */
export async function* readOrders(input: Readable, opts: ReadOrdersOptions): AsyncGenerator<OrderBatch> {
  if (!isCurrencyCode(opts.currency)) throw new Error(`"${opts.currency}" is not an ISO 4217 currency code`);
  const csv = await openCsv(input, { gzip: opts.gzip });
  const mapping = validateMapping('orders', opts.mapping, csv.headers);
  const col = columnIndexes(mapping, csv.headers);
  const { format, rows } = await resolveDateFormat(csv.rows, col.placedAt, opts.dateFormat);
  const batchSize = Math.max(1, opts.batchSize ?? 5000);
  const prefix = opts.cancellationPrefix === undefined ? 'C' : opts.cancellationPrefix;
  const isCancellation = (n: string) =>
    prefix !== null && n.length > prefix.length && n.startsWith(prefix) && /\d/.test(n[prefix.length]!);
  const sourceName = opts.source ?? 'csv';

  const open = new Map<string, OpenOrder>();
  const closed = new Set<string>();
  const seenCustomers = new Set<string>();
  const skuIds = new Map<string, number>();
  const history = new Map<string, IndexEntry[]>();
  let seq = 0;
  let batch = emptyBatch();

  const skuId = (sku: string): number => {
    let id = skuIds.get(sku);
    if (id === undefined) {
      id = skuIds.size;
      skuIds.set(sku, id);
    }
    return id;
  };

  const fail = (lines: readonly number[], message: string) => {
    for (const line of lines) batch.errors.push({ line, message });
  };

  const customerRef = (o: OpenOrder) =>
    o.customerId || o.email
      ? {
          externalId: o.customerId ?? null,
          email: o.email ?? null,
          phone: o.phone ?? null,
          firstName: o.firstName ?? null,
          lastName: o.lastName ?? null,
        }
      : null;

  /** the refunded order: the customer's latest earlier order holding most of the refunded SKUs */
  const findOriginal = (o: OpenOrder): string | undefined => {
    if (!o.customerId) return undefined;
    const entries = history.get(o.customerId);
    if (!entries) return undefined;
    const wanted = new Set<number>();
    for (const it of o.items) if (it.sku !== undefined) wanted.add(skuId(it.sku));
    let best: IndexEntry | undefined;
    let bestScore = -1;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.seq > o.seq || e.placedMs > o.placedMs) continue;
      let score = 0;
      for (const s of e.skus) if (wanted.has(s)) score++;
      if (score > bestScore || (score === bestScore && best && e.placedMs > best.placedMs)) {
        best = e;
        bestScore = score;
      }
    }
    return best?.number;
  };

  const money = (o: OpenOrder, currency: string, value: string | undefined, what: string): number | null => {
    if (value === undefined) return 0;
    const m = toMinor(value, currency);
    if (m === undefined) {
      fail(
        o.items.map((i) => i.line),
        `${what} "${value}" is out of range`,
      );
      return null;
    }
    return m;
  };

  const finalize = (o: OpenOrder) => {
    open.delete(o.number);
    closed.add(o.number);
    const currency = o.currency ?? opts.currency;
    const lines: { item: Item; unit: number; total: number }[] = [];
    for (const item of o.items) {
      const unit = toMinor(item.price, currency);
      const total = toMinor(item.lineTotal ?? multiplyDecimal(item.price, item.quantity), currency);
      if (unit === undefined || total === undefined) {
        fail([item.line], `amount of ${item.quantity} × ${item.price} is out of range`);
        continue;
      }
      lines.push({ item, unit, total });
    }
    const dropFromHistory = () => {
      if (!o.entry || !o.customerId) return;
      const list = history.get(o.customerId);
      const i = list?.indexOf(o.entry) ?? -1;
      if (list && i >= 0) list.splice(i, 1);
    };
    if (lines.length === 0) {
      dropFromHistory();
      return;
    }
    const allLines = lines.map((l) => l.item.line);

    if (o.refund) {
      const parsed = refundInput.safeParse({
        externalId: o.number,
        orderExternalId: findOriginal(o) ?? null,
        customer: customerRef(o),
        amountMinor: lines.reduce((s, l) => s + Math.abs(l.total), 0),
        currency,
        reason: 'cancellation invoice',
        lines: lines.slice(0, MAX_LINES).map((l) => ({
          sku: l.item.sku ?? null,
          quantity: Math.abs(l.item.quantity),
          amountMinor: Math.abs(l.total),
        })),
        createdAt: o.placedAt,
      });
      if (parsed.success) batch.refunds.push(parsed.data);
      else fail(allLines, `refund ${o.number} is invalid: ${issuesText(parsed.error.issues)}`);
      return;
    }

    const subtotal = lines.reduce((s, l) => s + l.total, 0);
    const discount = money(o, currency, o.discount, 'discount');
    const shipping = money(o, currency, o.shipping, 'shipping');
    const tax = money(o, currency, o.tax, 'tax');
    if (discount === null || shipping === null || tax === null) {
      dropFromHistory();
      return;
    }
    let outLines = lines.map((l, i) => ({
      externalId: `${o.number}-${i + 1}`,
      sku: l.item.sku ?? null,
      title: l.item.title,
      quantity: l.item.quantity,
      unitPriceMinor: l.unit,
      // a line total given in the file may differ from quantity × price: the gap is a line discount
      discountMinor: l.item.quantity * l.unit - l.total,
    }));
    if (outLines.length > MAX_LINES) {
      const rest = lines.slice(MAX_LINES - 1);
      const restTotal = rest.reduce((s, l) => s + l.total, 0);
      for (const l of rest)
        batch.warnings.push({
          line: l.item.line,
          message: `order ${o.number} has ${lines.length} lines, more than the ${MAX_LINES} an order can hold: this line is kept in a combined "Other items" line`,
        });
      outLines = outLines.slice(0, MAX_LINES - 1);
      outLines.push({
        externalId: `${o.number}-other`,
        sku: null,
        title: `Other items (${rest.length} lines)`,
        quantity: 1,
        unitPriceMinor: restTotal,
        discountMinor: 0,
      });
    }
    const parsed = orderInput.safeParse({
      externalId: o.number,
      number: o.number,
      customer: customerRef(o),
      status: orderStatus(o.status),
      financialStatus: o.financialStatus ?? null,
      fulfillmentStatus: o.fulfillmentStatus ?? null,
      currency,
      subtotalMinor: subtotal,
      discountMinor: discount,
      taxMinor: tax,
      shippingMinor: shipping,
      totalMinor: subtotal - discount + shipping + tax,
      discountCodes: o.discountCodes,
      lines: outLines,
      sourceName,
      placedAt: o.placedAt,
      updatedAt: o.placedAt,
    });
    if (parsed.success) batch.orders.push(parsed.data);
    else {
      dropFromHistory();
      fail(allLines, `order ${o.number} is invalid: ${issuesText(parsed.error.issues)}`);
    }
  };

  const v = (values: readonly string[], field: OrderField) => cell(values, col[field]);
  let lastDateText: string | undefined;
  let lastDate: string | undefined;
  const width = csv.headers.length;

  const readRow = (line: number, values: string[]) => {
    if (values.length < width) {
      batch.errors.push({ line, message: `the row has ${values.length} fields, the header has ${width}` });
      return;
    }
    const number = v(values, 'orderNumber');
    if (!number) {
      batch.errors.push({ line, message: 'order number is empty' });
      return;
    }
    const existing = open.get(number);
    if (!existing && closed.has(number)) {
      batch.errors.push({
        line,
        message: `order ${number} is already complete: its rows must be adjacent, and this one comes after ${OPEN_WINDOW} other orders`,
      });
      return;
    }
    const problems: string[] = [];
    const dateText = v(values, 'placedAt');
    let placedAt: string | undefined;
    if (dateText) {
      // rows of one order repeat its date: parse each distinct text once
      if (dateText !== lastDateText) {
        lastDateText = dateText;
        lastDate = parseDate(dateText, format);
      }
      placedAt = lastDate;
      if (!placedAt) problems.push(`date "${dateText}" is not a valid ${format} date`);
    } else if (!existing) problems.push('date is empty');
    const qtyText = v(values, 'quantity');
    const quantity = qtyText === undefined ? undefined : parseInteger(qtyText);
    if (qtyText === undefined) problems.push('quantity is empty');
    else if (quantity === undefined) problems.push(`quantity "${qtyText}" is not a whole number`);
    else if (quantity === 0) problems.push('quantity is 0');
    else if (Math.abs(quantity) > 1_000_000) problems.push(`quantity ${quantity} is out of range`);
    const priceText = v(values, 'unitPrice');
    const price = priceText === undefined ? undefined : cleanDecimal(priceText);
    if (priceText === undefined) problems.push('unit price is empty');
    else if (price === undefined) problems.push(`unit price "${priceText}" is not a number`);
    const totalText = v(values, 'lineTotal');
    const lineTotal = totalText === undefined ? undefined : cleanDecimal(totalText);
    if (totalText !== undefined && lineTotal === undefined)
      problems.push(`line total "${totalText}" is not a number`);
    const sku = v(values, 'sku');
    const title = v(values, 'productTitle') ?? sku;
    if (!title) problems.push('the line has neither a product title nor a SKU');
    const currencyText = v(values, 'currency')?.toUpperCase();
    if (currencyText && !isCurrencyCode(currencyText))
      problems.push(`currency "${currencyText}" is not an ISO 4217 code`);
    for (const [field, label] of ORDER_AMOUNTS) {
      const t = v(values, field);
      if (t !== undefined && cleanDecimal(t) === undefined) problems.push(`${label} "${t}" is not a number`);
    }
    if (problems.length) {
      batch.errors.push({ line, message: problems.join('; ') });
      return;
    }

    let o = existing;
    const customerId = normalizeId(v(values, 'customerId'));
    if (!o) {
      if (open.size >= OPEN_WINDOW) finalize(open.values().next().value!);
      const placedMs = Date.parse(placedAt!);
      o = {
        number,
        seq: seq++,
        refund: isCancellation(number),
        placedAt: placedAt!,
        placedMs,
        discountCodes: [],
        items: [],
      };
      open.set(number, o);
    }
    // Order-level cells: the first non-empty one wins (Shopify fills them on the first row only).
    if (!o.customerId && customerId) o.customerId = customerId;
    o.email ??= v(values, 'email');
    o.firstName ??= v(values, 'firstName');
    o.lastName ??= v(values, 'lastName');
    o.phone ??= v(values, 'phone');
    o.currency ??= currencyText;
    o.status ??= v(values, 'status');
    o.financialStatus ??= v(values, 'financialStatus');
    o.fulfillmentStatus ??= v(values, 'fulfillmentStatus');
    if (col.discountAmount !== undefined) o.discount ??= decimalCell(values, col.discountAmount);
    if (col.shipping !== undefined) o.shipping ??= decimalCell(values, col.shipping);
    if (col.tax !== undefined) o.tax ??= decimalCell(values, col.tax);
    const code = v(values, 'discountCode');
    if (code)
      for (const c of code.split(',')) {
        const trimmed = c.trim();
        if (trimmed && !o.discountCodes.includes(trimmed)) o.discountCodes.push(trimmed);
      }
    o.items.push({ line, sku, title: title!, quantity: quantity!, price: price!, lineTotal });

    if (o.customerId) {
      if (!seenCustomers.has(o.customerId)) {
        seenCustomers.add(o.customerId);
        const country = v(values, 'country');
        const parsed = customerInput.safeParse({
          externalId: o.customerId,
          email: o.email ?? null,
          phone: o.phone ?? null,
          firstName: o.firstName ?? null,
          lastName: o.lastName ?? null,
          addresses: country
            ? [{ country, firstName: o.firstName, lastName: o.lastName, phone: o.phone, isDefault: true }]
            : undefined,
          updatedAt: o.placedAt,
        });
        if (parsed.success) batch.customers.push(parsed.data);
        else
          batch.errors.push({
            line,
            message: `customer ${o.customerId} is invalid: ${issuesText(parsed.error.issues)} (the order keeps a reference to it)`,
          });
      }
      if (!o.refund) {
        if (!o.entry) {
          o.entry = { number: o.number, seq: o.seq, placedMs: o.placedMs, skus: [] };
          let list = history.get(o.customerId);
          if (!list) {
            list = [];
            history.set(o.customerId, list);
          }
          list.push(o.entry);
        }
        if (sku !== undefined) {
          const id = skuId(sku);
          if (!o.entry.skus.includes(id)) o.entry.skus.push(id);
        }
      }
    }
  };

  for await (const row of rows) {
    batch.rowsRead++;
    readRow(row.line, row.values);
    if (batch.rowsRead >= batchSize) {
      yield batch;
      batch = emptyBatch();
    }
  }
  for (const o of [...open.values()]) finalize(o);
  const b = batch;
  if (b.rowsRead || b.orders.length || b.refunds.length || b.customers.length || b.errors.length) yield b;
}
