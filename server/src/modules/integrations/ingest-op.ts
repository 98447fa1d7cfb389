// What a store adapter (Shopify, WooCommerce) makes of one webhook delivery: canonical inputs from
// contracts/commerce.ts plus the few changes that are not upserts (deletes, consent, privacy requests).
// Every input has passed its contract schema before it is put in an op.
import { z } from 'zod';
import {
  type CheckoutInput,
  type CustomerInput,
  checkoutInput,
  consentState,
  customerInput,
  type OrderInput,
  orderInput,
  type ProductInput,
  productInput,
  type RefundInput,
  refundInput,
} from '../../../../contracts/commerce.ts';

export type ConsentState = z.infer<typeof consentState>;

export type IngestOp =
  | { kind: 'customer'; customer: CustomerInput }
  | { kind: 'customer_deleted'; externalId: string }
  | { kind: 'product'; product: ProductInput }
  | { kind: 'product_deleted'; externalId: string }
  | { kind: 'order'; order: OrderInput }
  /** An order that is gone from the store and of which only the id was sent (WooCommerce order.deleted). */
  | { kind: 'order_deleted'; externalId: string }
  | { kind: 'refund'; refund: RefundInput }
  | { kind: 'checkout'; checkout: CheckoutInput }
  | {
      kind: 'consent';
      customerExternalId: string | null;
      email: string | null;
      channel: 'email' | 'sms';
      state: ConsentState;
      /** when the person gave or withdrew consent, as the store recorded it */
      updatedAt: string | null;
    }
  | {
      kind: 'privacy_request';
      request: 'data_request' | 'redact';
      customerExternalId: string | null;
      email: string | null;
      phone: string | null;
      /** the delivery as received, kept as the request's proof */
      payload: Record<string, unknown>;
    };

export type MappingIssue = { path: string; message: string };

/** A payload that cannot be turned into canonical inputs. The message names every offending field. */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(
    readonly issues: MappingIssue[],
    readonly context = 'payload',
  ) {
    super(
      `The ${context} is not valid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`,
    );
  }
}

/** A webhook topic the adapter does not handle. */
export class UnsupportedTopicError extends Error {
  override readonly name = 'UnsupportedTopicError';
  constructor(
    readonly platform: string,
    readonly topic: string,
  ) {
    super(`The ${platform} topic "${topic}" is not supported.`);
  }
}

const consentOp = z.object({
  customerExternalId: z.string().min(1).max(100).nullable(),
  email: z.string().max(254).nullable(),
  channel: z.enum(['email', 'sms']),
  state: consentState,
  updatedAt: z.iso.datetime({ offset: true }).nullable(),
});

const privacyOp = z.object({
  request: z.enum(['data_request', 'redact']),
  customerExternalId: z.string().min(1).max(100).nullable(),
  email: z.string().max(254).nullable(),
  phone: z.string().max(40).nullable(),
  payload: z.record(z.string(), z.unknown()),
});

const schemas = {
  customer: customerInput,
  product: productInput,
  order: orderInput,
  refund: refundInput,
  checkout: checkoutInput,
} as const;

type Canonical = { [K in keyof typeof schemas]: z.input<(typeof schemas)[K]> };

const joinPath = (prefix: string, path: readonly PropertyKey[]) =>
  [prefix, ...path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))]
    .filter(Boolean)
    .join('.')
    .replace(/\.\[/g, '[');

function check<S extends z.ZodType>(schema: S, value: unknown, label: string, issues: MappingIssue[]) {
  const r = schema.safeParse(value);
  if (r.success) return r.data as z.output<S>;
  for (const i of r.error.issues) issues.push({ path: joinPath(label, i.path), message: i.message });
  return undefined;
}

/**
 * Validates a canonical input against its contract schema and wraps it in an op. Problems already
 * found while reading the payload (`pending`) and the schema's complaints are thrown together.
 */
export function validated<K extends keyof typeof schemas>(
  kind: K,
  value: Canonical[K],
  pending: MappingIssue[] = [],
): IngestOp {
  const issues = [...pending];
  const data = check(schemas[kind], value, kind, issues);
  if (issues.length > 0 || data === undefined) throw new MappingError(issues, `${kind} payload`);
  return { kind, [kind]: data } as IngestOp;
}

export function consent(value: Omit<Extract<IngestOp, { kind: 'consent' }>, 'kind'>): IngestOp {
  const issues: MappingIssue[] = [];
  const data = check(consentOp, value, 'consent', issues);
  if (!data) throw new MappingError(issues, 'consent payload');
  return { kind: 'consent', ...data };
}

export function privacyRequest(
  value: Omit<Extract<IngestOp, { kind: 'privacy_request' }>, 'kind'>,
): IngestOp {
  const issues: MappingIssue[] = [];
  const data = check(privacyOp, value, 'privacy_request', issues);
  if (!data) throw new MappingError(issues, 'privacy request payload');
  return { kind: 'privacy_request', ...data };
}

export function deleted(
  kind: 'customer_deleted' | 'product_deleted' | 'order_deleted',
  externalId: string | undefined,
): IngestOp {
  const id = externalId?.trim();
  if (!id) throw new MappingError([{ path: 'id', message: 'is missing' }], 'delete payload');
  if (id.length > 100)
    throw new MappingError([{ path: 'id', message: 'is longer than 100 characters' }], 'delete payload');
  return { kind, externalId: id };
}
