import type { Readable } from 'node:stream';
import { type ProductInput, productInput } from '../../../../contracts/commerce.ts';
import { type ColumnMapping, columnIndexes, type ProductField, validateMapping } from './csv-columns.ts';
import type { RowIssue } from './csv-orders.ts';
import { openCsv } from './csv-source.ts';
import { cell, isCurrencyCode, normalizeId, parseMoney } from './csv-values.ts';

// Streaming import of a products CSV. Adjacent rows with the same product id are one product with
// several variants (Shopify's export shape); the id is the id column, else the SKU. A product id
// that comes back after other products is reported as an error on those rows. A variant's id is its
// SKU, else the product id with its position ("P1#2"). Prices are exact decimal → minor units.

export interface ProductBatch {
  products: ProductInput[];
  errors: RowIssue[];
  rowsRead: number;
}

export interface ReadProductsOptions {
  mapping: ColumnMapping<ProductField> | Record<string, string | null | undefined>;
  /** ISO 4217 currency of rows without a currency column or cell */
  currency: string;
  gzip?: boolean;
  /** the records' updatedAt (ISO 8601); the time the import starts when absent */
  updatedAt?: string;
  /** rows per batch (default 5000) */
  batchSize?: number;
}

interface OpenProduct {
  externalId: string;
  line: number;
  lines: number[];
  title?: string;
  vendor?: string;
  categories: string[];
  currency?: string;
  variants: { externalId: string; sku: string | null; priceMinor: number | null }[];
}

/** Streams a products CSV and yields batches of validated ProductInput and per-row errors. */
export async function* readProducts(
  input: Readable,
  opts: ReadProductsOptions,
): AsyncGenerator<ProductBatch> {
  if (!isCurrencyCode(opts.currency)) throw new Error(`"${opts.currency}" is not an ISO 4217 currency code`);
  const csv = await openCsv(input, { gzip: opts.gzip });
  const mapping = validateMapping('products', opts.mapping, csv.headers);
  const col = columnIndexes(mapping, csv.headers);
  const updatedAt = opts.updatedAt ?? new Date().toISOString();
  const batchSize = Math.max(1, opts.batchSize ?? 5000);
  const width = csv.headers.length;
  const done = new Map<string, number>();
  let current: OpenProduct | undefined;
  let batch: ProductBatch = { products: [], errors: [], rowsRead: 0 };
  const v = (values: readonly string[], field: ProductField) => cell(values, col[field]);

  const finish = (p: OpenProduct) => {
    done.set(p.externalId, p.line);
    const parsed = productInput.safeParse({
      externalId: p.externalId,
      title: p.title,
      vendor: p.vendor ?? null,
      categories: p.categories.length ? p.categories : undefined,
      currency: p.currency ?? opts.currency,
      variants: p.variants,
      updatedAt,
    });
    if (parsed.success) batch.products.push(parsed.data);
    else {
      const why = parsed.error.issues
        .slice(0, 3)
        .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ');
      for (const line of p.lines)
        batch.errors.push({ line, message: `product ${p.externalId} is invalid: ${why}` });
    }
  };

  const readRow = (line: number, values: string[]): string | undefined => {
    if (values.length < width) return `the row has ${values.length} fields, the header has ${width}`;
    const sku = v(values, 'sku');
    const externalId = normalizeId(v(values, 'externalId')) ?? sku;
    if (!externalId) return 'the row has neither a product id nor a SKU';
    const title = v(values, 'title');
    if (!title && current?.externalId !== externalId) return 'title is empty';
    const currency = v(values, 'currency')?.toUpperCase();
    if (currency && !isCurrencyCode(currency)) return `currency "${currency}" is not an ISO 4217 code`;
    const priceText = v(values, 'price');
    let priceMinor: number | null = null;
    if (priceText !== undefined) {
      const m = parseMoney(priceText, currency ?? current?.currency ?? opts.currency);
      if (m === undefined) return `price "${priceText}" is not a number`;
      priceMinor = m;
    }
    if (current?.externalId !== externalId) {
      const first = done.get(externalId);
      if (first !== undefined)
        return `product ${externalId} already appeared on line ${first}: rows of one product must be adjacent`;
      if (current) finish(current);
      current = { externalId, line, lines: [], categories: [], variants: [] };
    }
    const p = current;
    p.lines.push(line);
    p.title ??= title;
    p.vendor ??= v(values, 'vendor');
    p.currency ??= currency;
    const category = v(values, 'category');
    if (category)
      for (const c of category.split(/[,>|]/)) {
        const t = c.trim();
        if (t && !p.categories.includes(t)) p.categories.push(t);
      }
    const variantId = sku ?? (p.variants.length ? `${externalId}#${p.variants.length + 1}` : externalId);
    if (p.variants.some((x) => x.externalId === variantId))
      return `variant ${variantId} appears twice in product ${externalId}`;
    if (sku || priceMinor !== null || p.variants.length === 0)
      p.variants.push({ externalId: variantId, sku: sku ?? null, priceMinor });
    return undefined;
  };

  for await (const row of csv.rows) {
    batch.rowsRead++;
    const error = readRow(row.line, row.values);
    if (error) batch.errors.push({ line: row.line, message: error });
    if (batch.rowsRead >= batchSize) {
      yield batch;
      batch = { products: [], errors: [], rowsRead: 0 };
    }
  }
  if (current) finish(current);
  if (batch.rowsRead || batch.products.length) yield batch;
}
