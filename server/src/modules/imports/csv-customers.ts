import type { Readable } from 'node:stream';
import { customerInput } from '../../../../contracts/commerce.ts';
import { type CustomField, checkCustomValues } from '../../../../contracts/customers.ts';
import type { CustomerUpsert } from '../commerce/ingest.service.ts';
import { type ColumnMapping, type CustomerField, columnIndexes, validateMapping } from './csv-columns.ts';
import type { RowIssue } from './csv-orders.ts';
import { openCsv } from './csv-source.ts';
import {
  cell,
  cleanDecimal,
  type DateFormat,
  normalizeId,
  parseDate,
  parseMoney,
  resolveDateFormat,
} from './csv-values.ts';

// Streaming import of a customers CSV: one row per customer.
// - The id is the id column ("17850.0" read as "17850"), else the lower-cased email.
// - updatedAt is the import's time (opts.updatedAt): the import is a deliberate update by staff.
// - A customer id seen again later in the file is reported as an error on the later row.
// - Consent: yes/true/1/subscribed → subscribed; no/false/0 → not_subscribed (never opted in);
//   unsubscribed/opted out → unsubscribed; pending → pending.
// - Custom fields: a column mapped to custom.<key> fills that field, checked by the same validator as
//   the API's profile edit; a bad value fails its row, naming the field. Numbers and money read like
//   amounts ("1,250.50"; money in major units, two decimals, as the export writes it), yes/no for
//   booleans, options without regard to case, several options separated by | or ;. An empty cell
//   leaves the field as it is.

export type CustomImportField = Pick<
  CustomField,
  'key' | 'label' | 'type' | 'options' | 'required' | 'entity'
>;

export interface CustomerBatch {
  customers: CustomerUpsert[];
  errors: RowIssue[];
  rowsRead: number;
}

export interface ReadCustomersOptions {
  mapping: ColumnMapping<CustomerField> | Record<string, string | null | undefined>;
  gzip?: boolean;
  dateFormat?: DateFormat;
  /** the records' updatedAt (ISO 8601); the time the import starts when absent */
  updatedAt?: string;
  /** rows per batch (default 5000) */
  batchSize?: number;
  /** the workspace's customer custom fields (what custom.<key> in the mapping may name) */
  fields?: readonly CustomImportField[];
}

/** A custom field's cell as the value its type holds; a string the validator then refuses if it must. */
export function customCell(f: CustomImportField, text: string): unknown {
  switch (f.type) {
    case 'number': {
      const d = cleanDecimal(text);
      return d === undefined ? text : Number(d);
    }
    case 'money':
      return parseMoney(text, 'USD') ?? text;
    case 'boolean': {
      const v = text.toLowerCase();
      if (/^(yes|y|true|1)$/.test(v)) return true;
      if (/^(no|n|false|0)$/.test(v)) return false;
      return text;
    }
    case 'select':
      return f.options.find((o) => o.toLowerCase() === text.toLowerCase()) ?? text;
    case 'multi_select':
      return text
        .split(/[|;]/)
        .map((part) => part.trim())
        .filter(Boolean)
        .map((part) => f.options.find((o) => o.toLowerCase() === part.toLowerCase()) ?? part);
    default:
      return text;
  }
}

const typeWords: Partial<Record<CustomField['type'], string>> = {
  number: 'expected a number',
  money: 'expected an amount such as 12.50',
  boolean: 'expected yes or no',
};

export function parseConsent(value: string): CustomerUpsert['emailConsent'] | undefined {
  const v = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (/^(yes|y|true|1|subscribed|opt_?in|opted_in)$/.test(v)) return 'subscribed';
  if (/^(no|n|false|0|not_subscribed|never_subscribed)$/.test(v)) return 'not_subscribed';
  if (/^(unsubscribed|opt_?out|opted_out)$/.test(v)) return 'unsubscribed';
  if (/^(pending|unconfirmed)$/.test(v)) return 'pending';
  return undefined;
}

const issuesText = (issues: readonly { path: PropertyKey[]; message: string }[]): string =>
  issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');

/** Streams a customers CSV and yields batches of validated CustomerInput and per-row errors. */
export async function* readCustomers(
  input: Readable,
  opts: ReadCustomersOptions,
): AsyncGenerator<CustomerBatch> {
  const csv = await openCsv(input, { gzip: opts.gzip });
  const fields = (opts.fields ?? []).filter((f) => f.entity === 'customer');
  const mapping = validateMapping('customers', opts.mapping, csv.headers, fields);
  const customColumns = fields.flatMap((f) => {
    const header = mapping[`custom.${f.key}`];
    const index = header ? csv.headers.indexOf(header) : -1;
    return index >= 0 ? [{ field: f, index }] : [];
  });
  const col = columnIndexes(mapping, csv.headers);
  const { format, rows } = await resolveDateFormat(csv.rows, col.createdAt, opts.dateFormat);
  const updatedAt = opts.updatedAt ?? new Date().toISOString();
  const batchSize = Math.max(1, opts.batchSize ?? 5000);
  const seen = new Map<string, number>();
  const width = csv.headers.length;
  let batch: CustomerBatch = { customers: [], errors: [], rowsRead: 0 };
  const v = (values: readonly string[], field: CustomerField) => cell(values, col[field]);

  const readRow = (line: number, values: string[]): CustomerUpsert | string => {
    if (values.length < width) return `the row has ${values.length} fields, the header has ${width}`;
    const email = v(values, 'email');
    const externalId = normalizeId(v(values, 'externalId')) ?? email?.toLowerCase();
    if (!externalId) return 'the row has neither a customer id nor an email';
    const first = seen.get(externalId);
    if (first !== undefined) return `customer ${externalId} already appeared on line ${first}`;
    const problems: string[] = [];
    const consentText = v(values, 'emailConsent');
    const emailConsent = consentText === undefined ? undefined : parseConsent(consentText);
    if (consentText !== undefined && !emailConsent)
      problems.push(`email consent "${consentText}" is not yes/no/subscribed/unsubscribed/pending`);
    const createdText = v(values, 'createdAt');
    const createdAt = createdText === undefined ? undefined : parseDate(createdText, format);
    if (createdText !== undefined && !createdAt)
      problems.push(`created date "${createdText}" is not a valid ${format} date`);
    const customText: Record<string, unknown> = {};
    for (const { field, index } of customColumns) {
      const text = cell(values, index);
      if (text !== undefined) customText[field.key] = customCell(field, text);
    }
    const custom = checkCustomValues(fields, customText);
    for (const e of custom.errors) {
      const f = fields.find((x) => `custom.${x.key}` === e.path)!;
      const raw = customText[f.key];
      problems.push(
        typeof raw === 'string' && typeWords[f.type]
          ? `${f.label}: "${raw}" — ${typeWords[f.type]}`
          : e.message,
      );
    }
    if (problems.length) return problems.join('; ');
    const firstName = v(values, 'firstName');
    const lastName = v(values, 'lastName');
    const phone = v(values, 'phone');
    const company = v(values, 'company');
    const address = {
      city: v(values, 'city'),
      region: v(values, 'region'),
      postalCode: v(values, 'postalCode'),
      country: v(values, 'country'),
    };
    const hasAddress = Object.values(address).some((x) => x !== undefined);
    const tags = v(values, 'tags')
      ?.split(/[,;]/)
      .map((t) => t.trim())
      .filter((t, i, all) => t && all.indexOf(t) === i);
    const parsed = customerInput.safeParse({
      externalId,
      email: email ?? null,
      phone: phone ?? null,
      firstName: firstName ?? null,
      lastName: lastName ?? null,
      company: company ?? null,
      addresses: hasAddress
        ? [{ ...address, firstName, lastName, company, phone, isDefault: true }]
        : undefined,
      emailConsent: emailConsent ?? null,
      tags,
      createdAt: createdAt ?? null,
      updatedAt,
    });
    if (!parsed.success) return issuesText(parsed.error.issues);
    seen.set(externalId, line);
    return Object.keys(custom.values).length ? { ...parsed.data, custom: custom.values } : parsed.data;
  };

  for await (const row of rows) {
    batch.rowsRead++;
    const r = readRow(row.line, row.values);
    if (typeof r === 'string') batch.errors.push({ line: row.line, message: r });
    else batch.customers.push(r);
    if (batch.rowsRead >= batchSize) {
      yield batch;
      batch = { customers: [], errors: [], rowsRead: 0 };
    }
  }
  if (batch.rowsRead) yield batch;
}
