// Column mapping for CSV import: which header of the file feeds which field of Patron, detected from
// the header names (the common exports of Shopify, WooCommerce and the UCI online-retail data set)
// and adjustable by the user before the import runs.

export const importKinds = ['orders', 'customers', 'products'] as const;
export type ImportKind = (typeof importKinds)[number];

export interface ImportField {
  field: string;
  label: string;
  /** header names that map to this field, compared with normalizeHeader */
  synonyms: readonly string[];
}

const f = (field: string, label: string, ...synonyms: string[]): ImportField => ({
  field,
  label,
  synonyms: [field, label, ...synonyms],
});

/** Target fields per import kind; the order is the detection priority when two fields share a header. */
export const importFields = {
  orders: [
    f(
      'orderNumber',
      'Order number',
      'InvoiceNo',
      'Invoice',
      'Invoice Number',
      'order_id',
      'Order Id',
      'Order',
      'Order No',
      'Name',
      'Order Name',
      'Number',
    ),
    f(
      'placedAt',
      'Placed at',
      'InvoiceDate',
      'Created at',
      'order_date',
      'Date',
      'Order Created',
      'Created',
      'Purchase Date',
      'Processed at',
      'Transaction Date',
    ),
    f(
      'customerId',
      'Customer id',
      'CustomerID',
      'Customer',
      'Customer Number',
      'Client Id',
      'customer_user',
      'Buyer Id',
    ),
    f('email', 'Email', 'E-mail', 'Customer Email', 'Email Address', 'Billing Email', 'billing_email'),
    f('firstName', 'First name', 'Billing First Name', 'billing_first_name', 'Given Name'),
    f('lastName', 'Last name', 'Billing Last Name', 'billing_last_name', 'Surname', 'Family Name'),
    f('phone', 'Phone', 'Billing Phone', 'billing_phone', 'Telephone', 'Phone Number', 'Mobile'),
    f('country', 'Country', 'Billing Country', 'billing_country', 'Shipping Country', 'Country Code'),
    f(
      'sku',
      'SKU',
      'StockCode',
      'Stock Code',
      'Lineitem sku',
      'Product SKU',
      'Item SKU',
      'Product Code',
      'Item Code',
      'Variant SKU',
    ),
    f(
      'productTitle',
      'Product title',
      'Description',
      'Lineitem name',
      'Product',
      'Product Name',
      'Item Name',
      'Title',
      'Item',
    ),
    f('quantity', 'Quantity', 'Qty', 'Lineitem quantity', 'Item Quantity', 'Units'),
    f('unitPrice', 'Unit price', 'UnitPrice', 'Lineitem price', 'Price', 'Item Price', 'Item Cost'),
    f('lineTotal', 'Line total', 'Lineitem total', 'Line Amount', 'Item Total', 'Line Subtotal'),
    f('currency', 'Currency', 'Currency Code', 'order_currency'),
    f('discountCode', 'Discount code', 'Coupon', 'Coupon Code', 'Promo Code', 'Coupons'),
    f('discountAmount', 'Discount amount', 'Discount Total', 'cart_discount'),
    f('shipping', 'Shipping', 'Shipping Amount', 'Shipping Total', 'order_shipping'),
    f('tax', 'Tax', 'Taxes', 'Tax Amount', 'Tax Total', 'order_tax'),
    f('status', 'Status', 'Order Status'),
    f('financialStatus', 'Financial status', 'Payment Status'),
    f('fulfillmentStatus', 'Fulfillment status', 'Fulfilment Status', 'Shipping Status'),
  ],
  customers: [
    f(
      'externalId',
      'Customer id',
      'CustomerID',
      'Id',
      'External Id',
      'Customer Number',
      'Client Id',
      'customer_user',
    ),
    f('email', 'Email', 'E-mail', 'Email Address', 'Customer Email'),
    f('firstName', 'First name', 'Given Name', 'Billing First Name'),
    f('lastName', 'Last name', 'Surname', 'Family Name', 'Billing Last Name'),
    f('phone', 'Phone', 'Telephone', 'Phone Number', 'Mobile', 'Default Address Phone'),
    f('company', 'Company', 'Company Name', 'Organization', 'Organisation', 'Default Address Company'),
    f('city', 'City', 'Town', 'Default Address City', 'Billing City'),
    f('region', 'Region', 'Province', 'State', 'County', 'Province Code', 'Default Address Province Code'),
    f('postalCode', 'Postal code', 'Postcode', 'Zip', 'Zip Code', 'Default Address Zip', 'Billing Postcode'),
    f('country', 'Country', 'Country Code', 'Default Address Country Code', 'Billing Country'),
    f('tags', 'Tags', 'Tag', 'Labels'),
    f(
      'emailConsent',
      'Email consent',
      'Accepts Email Marketing',
      'Accepts Marketing',
      'Email Marketing',
      'Subscribed',
      'Newsletter',
    ),
    f('createdAt', 'Created at', 'Created', 'Signup Date', 'Date Joined', 'Registered', 'date_created'),
  ],
  products: [
    f('externalId', 'Product id', 'Id', 'External Id', 'Handle'),
    f('sku', 'SKU', 'Variant SKU', 'StockCode', 'Stock Code', 'Product Code', 'Item Code'),
    f('title', 'Title', 'Name', 'Product Name', 'Product Title', 'Description'),
    f('category', 'Category', 'Categories', 'Product Category', 'Type', 'Product Type', 'Collection'),
    f('price', 'Price', 'Variant Price', 'Unit Price', 'UnitPrice', 'Regular Price'),
    f('currency', 'Currency', 'Currency Code'),
    f('vendor', 'Vendor', 'Brand', 'Manufacturer'),
  ],
} as const satisfies Record<ImportKind, readonly ImportField[]>;

export type ImportFieldName<K extends ImportKind> = (typeof importFields)[K][number]['field'];
export type OrderField = ImportFieldName<'orders'>;
export type CustomerField = ImportFieldName<'customers'>;
export type ProductField = ImportFieldName<'products'>;

/** A custom field a customers import can fill: mapped as `custom.<key>`, detected by its key or label. */
export type CustomColumn = { key: string; label: string };

/** The fields of an import: the kind's own, then (customers) one per custom field. */
export function fieldsFor(kind: ImportKind, custom: readonly CustomColumn[] = []): readonly ImportField[] {
  const own: readonly ImportField[] = importFields[kind];
  if (kind !== 'customers' || custom.length === 0) return own;
  return [
    ...own,
    ...custom.map((c) => ({ field: `custom.${c.key}`, label: c.label, synonyms: [c.key, c.label] })),
  ];
}

/** A mapping: for each field, the header feeding it, or null when the file has none. */
export type ColumnMapping<F extends string = string> = Partial<Record<F, string | null>>;

/**
 * Required fields: each group needs at least one of its fields mapped. Orders need a title for their
 * lines, from the product title or else the SKU; customers and products need an id, from their own
 * id column or else the email / SKU.
 */
export const requiredFields: Record<ImportKind, readonly (readonly string[])[]> = {
  orders: [['orderNumber'], ['placedAt'], ['quantity'], ['unitPrice'], ['productTitle', 'sku']],
  customers: [['externalId', 'email']],
  products: [['title'], ['externalId', 'sku']],
};

/** "Customer Id", "customer_id" and "CUSTOMER-ID" all become "customerid". */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '');
}

export interface DetectedMapping {
  mapping: Record<string, string | null>;
  /** the first field of each required group that no header feeds */
  missingRequired: string[];
}

/**
 * Maps each field to the first header matching one of its synonyms; a header feeds one field only.
 * Custom fields (customers) come after the built-in ones: a header matching a custom field's key or
 * label feeds it, unless a built-in field took that header first.
 */
export function detectMapping(
  kind: ImportKind,
  headers: readonly string[],
  custom: readonly CustomColumn[] = [],
): DetectedMapping {
  const byName = new Map<string, string>();
  for (const h of headers) {
    const n = normalizeHeader(h);
    if (n && !byName.has(n)) byName.set(n, h);
  }
  const used = new Set<string>();
  const mapping: Record<string, string | null> = {};
  for (const def of fieldsFor(kind, custom)) {
    mapping[def.field] = null;
    for (const syn of def.synonyms) {
      const h = byName.get(normalizeHeader(syn));
      if (h !== undefined && !used.has(h)) {
        mapping[def.field] = h;
        used.add(h);
        break;
      }
    }
  }
  return { mapping, missingRequired: missingRequired(kind, mapping) };
}

function missingRequired(kind: ImportKind, mapping: Record<string, string | null | undefined>): string[] {
  return requiredFields[kind].filter((group) => !group.some((field) => mapping[field])).map((g) => g[0]!);
}

export type MappingCheck =
  | { ok: true; mapping: Record<string, string | null> }
  | { ok: false; errors: string[] };

/**
 * Checks a mapping (detected or chosen by the user) against the file's headers: every field must be
 * known, every named header must exist in the file, every required field must be fed.
 */
export function checkMapping(
  kind: ImportKind,
  mapping: Record<string, string | null | undefined>,
  headers: readonly string[],
  custom: readonly CustomColumn[] = [],
): MappingCheck {
  const errors: string[] = [];
  const fields = fieldsFor(kind, custom);
  const known = new Set(fields.map((d) => d.field));
  const present = new Set(headers);
  const normalized: Record<string, string | null> = {};
  for (const d of fields) normalized[d.field] = null;
  for (const [field, header] of Object.entries(mapping)) {
    if (!known.has(field)) {
      errors.push(`"${field}" is not a field of a ${kind} import (fields: ${[...known].join(', ')})`);
      continue;
    }
    if (header === null || header === undefined || header === '') continue;
    if (!present.has(header)) {
      errors.push(
        `column "${header}" (mapped to ${field}) is not in the file; its columns are: ${headers.join(', ')}`,
      );
      continue;
    }
    normalized[field] = header;
  }
  for (const group of requiredFields[kind]) {
    if (group.some((field) => normalized[field])) continue;
    const labels = group.map((field) => `${fieldLabel(kind, field)} (${field})`).join(' or ');
    errors.push(`required column missing: ${labels}`);
  }
  return errors.length ? { ok: false, errors } : { ok: true, mapping: normalized };
}

/** The mapping error: why a CSV import refuses to start. */
export class MappingError extends Error {
  constructor(readonly errors: string[]) {
    super(`the column mapping is not usable: ${errors.join('; ')}`);
    this.name = 'MappingError';
  }
}

/** Like checkMapping, but throws a MappingError naming every problem; answers the normalized mapping. */
export function validateMapping(
  kind: ImportKind,
  mapping: Record<string, string | null | undefined>,
  headers: readonly string[],
  custom: readonly CustomColumn[] = [],
): Record<string, string | null> {
  const r = checkMapping(kind, mapping, headers, custom);
  if (!r.ok) throw new MappingError(r.errors);
  return r.mapping;
}

function fieldLabel(kind: ImportKind, field: string): string {
  const fields: readonly ImportField[] = importFields[kind];
  return fields.find((d) => d.field === field)?.label ?? field;
}

/** Column positions of the mapped fields, for reading a record array. */
export function columnIndexes(
  mapping: Record<string, string | null | undefined>,
  headers: readonly string[],
): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const [field, header] of Object.entries(mapping)) {
    if (!header) continue;
    const i = headers.indexOf(header);
    if (i >= 0) out[field] = i;
  }
  return out;
}
