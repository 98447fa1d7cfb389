// The customer timeline, written from the events outbox: each event that concerns a customer becomes
// at most one item (event_id is unique), so a page view never queries the orders, refunds and events
// tables. Later capabilities (email, tickets, chat, loyalty) add their kinds here.
import { sql } from 'drizzle-orm';
import { records } from '../../platform/bulk.ts';
import type { Db } from '../../platform/db.ts';
import type { DomainEvent, EventHandler } from '../../platform/events.ts';

export type TimelineKind = 'order' | 'refund' | 'browse' | 'cart' | 'note' | 'tag' | 'account';

export type NewItem = {
  workspaceId: string;
  customerId: string;
  at: string;
  kind: TimelineKind;
  title: string;
  detail: Record<string, unknown>;
  refType: string | null;
  refId: string | null;
  eventId: string | null;
  actorUserId: string | null;
};

const money = (minor: unknown, currency: unknown) =>
  typeof minor === 'number'
    ? `${(minor / 100).toFixed(2)} ${typeof currency === 'string' ? currency : ''}`.trim()
    : '';

const browseTitles: Record<string, string> = {
  'browse.page_viewed': 'Viewed a page',
  'browse.product_viewed': 'Viewed a product',
  'browse.added_to_cart': 'Added to cart',
  'browse.checkout_started': 'Started checkout',
};

const isId = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f-]{36}$/i.test(x);

/** The timeline item an event makes, if it concerns a customer. */
export function itemFromEvent(e: DomainEvent): NewItem | null {
  const p = e.payload as Record<string, unknown>;
  const customerId = isId(p.customerId) ? p.customerId : e.subjectType === 'customer' ? e.subjectId : null;
  if (!customerId || !isId(customerId)) return null;
  const base = {
    workspaceId: e.workspaceId,
    customerId,
    at: new Date(e.occurredAt).toISOString(),
    eventId: e.id,
    actorUserId: e.actorUserId,
    detail: {} as Record<string, unknown>,
    refType: null as string | null,
    refId: null as string | null,
  };
  const num = typeof p.number === 'string' && p.number ? `#${p.number.replace(/^#/, '')}` : '';
  switch (e.type) {
    case 'order.placed':
      return {
        ...base,
        at: typeof p.placedAt === 'string' ? p.placedAt : base.at,
        kind: 'order',
        title: `Placed order ${num} — ${money(p.totalMinor, p.currency)}`.replace('  ', ' '),
        detail: { totalMinor: p.totalMinor, currency: p.currency, status: p.status, source: p.source },
        refType: 'order',
        refId: e.subjectId,
      };
    case 'order.cancelled':
      return {
        ...base,
        kind: 'order',
        title: `Order ${num} cancelled`,
        refType: 'order',
        refId: e.subjectId,
      };
    case 'order.refunded':
      return {
        ...base,
        kind: 'refund',
        title: `Refunded ${money(p.amountMinor, p.currency)}`,
        detail: { amountMinor: p.amountMinor, currency: p.currency, refundId: p.refundId },
        refType: isId(p.orderId) ? 'order' : null,
        refId: isId(p.orderId) ? p.orderId : null,
      };
    case 'checkout.started':
      return {
        ...base,
        kind: 'cart',
        title: `Started a checkout — ${money(p.totalMinor, p.currency)}`,
        detail: { totalMinor: p.totalMinor, currency: p.currency },
      };
    case 'customer.created':
      return { ...base, kind: 'account', title: 'Became a customer', detail: { source: p.source } };
    case 'customer.edited':
      if (
        Array.isArray(p.fields) &&
        p.fields.length === 1 &&
        p.fields[0] === 'ownerUserId' &&
        'ownerName' in p
      )
        return {
          ...base,
          kind: 'account',
          title: typeof p.ownerName === 'string' ? `Owner set to ${p.ownerName}` : 'Owner removed',
          detail: { fields: p.fields },
        };
      return {
        ...base,
        kind: 'account',
        title: `Profile edited: ${Array.isArray(p.labels) ? p.labels.join(', ') : Array.isArray(p.fields) ? p.fields.join(', ') : 'details'}`,
        detail: { fields: p.fields },
      };
    case 'customer.merged':
      return {
        ...base,
        customerId: isId(p.survivorId) ? p.survivorId : customerId,
        kind: 'account',
        title: 'A duplicate profile was merged in',
        detail: { mergedId: p.mergedId },
      };
    case 'customer.consent_changed':
      return {
        ...base,
        kind: 'account',
        title: `${p.channel === 'sms' ? 'SMS' : 'Email'} marketing consent: ${String(p.state ?? 'changed')}`,
        detail: { channel: p.channel, state: p.state },
      };
    case 'customer.tagged':
    case 'customer.untagged':
      return {
        ...base,
        kind: 'tag',
        title: `${e.type === 'customer.tagged' ? 'Tagged' : 'Untagged'} “${String(p.tag)}”`,
        detail: { tag: p.tag, automatic: p.automatic === true },
      };
    case 'customer.company_changed': {
      const name = (x: unknown) =>
        x && typeof x === 'object' && typeof (x as Record<string, unknown>).companyName === 'string'
          ? ((x as Record<string, unknown>).companyName as string)
          : null;
      const id = (x: unknown) =>
        x && typeof x === 'object' && isId((x as Record<string, unknown>).companyId)
          ? ((x as Record<string, unknown>).companyId as string)
          : null;
      const from = name(p.before);
      const to = name(p.after);
      return {
        ...base,
        kind: 'account',
        title: to
          ? from
            ? `Moved from company ${from} to ${to}`
            : `Linked to company ${to}`
          : `Unlinked from company ${from ?? ''}`.trim(),
        detail: { from, to },
        refType: id(p.after) || id(p.before) ? 'company' : null,
        refId: id(p.after) ?? id(p.before),
      };
    }
    case 'customer.relation_added':
      return {
        ...base,
        kind: 'account',
        title: `Related contact added: ${String(p.relatedName ?? 'a customer')} (${String(p.label ?? 'related').toLowerCase()})`,
        detail: { kind: p.kind, label: p.label },
        refType: isId(p.relatedCustomerId) ? 'customer' : null,
        refId: isId(p.relatedCustomerId) ? p.relatedCustomerId : null,
      };
    case 'note.added':
      return {
        ...base,
        kind: 'note',
        title: 'Note added',
        detail: { excerpt: typeof p.excerpt === 'string' ? p.excerpt : '' },
        refType: 'note',
        refId: isId(p.noteId) ? p.noteId : null,
      };
  }
  if (e.type.startsWith('browse.') && browseTitles[e.type])
    return {
      ...base,
      at: typeof p.at === 'string' ? p.at : base.at,
      kind: 'browse',
      title: browseTitles[e.type]!,
      detail: { url: p.url, productId: p.productId },
    };
  return null;
}

export async function insertItems(tx: Db, items: NewItem[]): Promise<void> {
  for (let i = 0; i < items.length; i += 5000) {
    const chunk = items.slice(i, i + 5000);
    await tx.execute(
      sql`INSERT INTO timeline_items (workspace_id, customer_id, at, kind, title, detail, ref_type, ref_id, event_id, actor_user_id)
          SELECT x."workspaceId",
                 -- an event dispatched after its customer was merged lands on the survivor
                 coalesce((SELECT c.merged_into FROM customers c
                            WHERE c.workspace_id = x."workspaceId" AND c.id = x."customerId"), x."customerId"),
                 x.at, x.kind, x.title, x.detail, x."refType", x."refId", x."eventId", x."actorUserId"
            FROM (${records(
              [
                ['workspaceId', 'uuid'],
                ['customerId', 'uuid'],
                ['at', 'timestamptz'],
                ['kind', 'text'],
                ['title', 'text'],
                ['detail', 'jsonb'],
                ['refType', 'text'],
                ['refId', 'text'],
                ['eventId', 'uuid'],
                ['actorUserId', 'uuid'],
              ],
              chunk,
            )}) AS x
          ON CONFLICT (workspace_id, event_id) DO NOTHING`,
    );
  }
}

export const TIMELINE_EVENTS = [
  'order.placed',
  'order.cancelled',
  'order.refunded',
  'checkout.started',
  'customer.created',
  'customer.edited',
  'customer.merged',
  'customer.consent_changed',
  'customer.tagged',
  'customer.untagged',
  'note.added',
  'customer.company_changed',
  'customer.relation_added',
  ...Object.keys(browseTitles),
];

export const timelineHandler: EventHandler = {
  name: 'customer-timeline',
  types: TIMELINE_EVENTS,
  handle: (tx, e) =>
    insertItems(
      tx,
      [itemFromEvent(e)].filter((x): x is NewItem => x !== null),
    ),
  handleBatch: (tx, events) =>
    insertItems(
      tx,
      events.map(itemFromEvent).filter((x): x is NewItem => x !== null),
    ),
};

/**
 * Rebuilds a workspace's timeline from its tables (for data loaded without events: the generator,
 * a restore): orders, refunds, browsing events and notes, set-based. Items from events stay.
 */
export async function rebuildTimeline(tx: Db, workspaceId: string): Promise<void> {
  await tx.execute(sql`DELETE FROM timeline_items WHERE workspace_id = ${workspaceId} AND event_id IS NULL`);
  await tx.execute(
    sql`INSERT INTO timeline_items (workspace_id, customer_id, at, kind, title, detail, ref_type, ref_id)
        SELECT o.workspace_id, o.customer_id, o.placed_at, 'order',
               'Placed order #' || ltrim(o.number, '#') || ' — ' || to_char(o.total_minor / 100.0, 'FM999999999990.00') || ' ' || o.currency,
               jsonb_build_object('totalMinor', o.total_minor, 'currency', o.currency, 'status', o.status),
               'order', o.id::text
          FROM orders o
         WHERE o.workspace_id = ${workspaceId} AND o.customer_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM timeline_items t WHERE t.workspace_id = o.workspace_id
                             AND t.ref_type = 'order' AND t.ref_id = o.id::text AND t.kind = 'order')`,
  );
  await tx.execute(
    sql`INSERT INTO timeline_items (workspace_id, customer_id, at, kind, title, detail, ref_type, ref_id)
        SELECT r.workspace_id, r.customer_id, r.refunded_at, 'refund',
               'Refunded ' || to_char(r.amount_minor / 100.0, 'FM999999999990.00') || ' ' || r.currency,
               jsonb_build_object('amountMinor', r.amount_minor, 'currency', r.currency, 'refundId', r.id),
               CASE WHEN r.order_id IS NULL THEN NULL ELSE 'order' END, r.order_id::text
          FROM refunds r
         WHERE r.workspace_id = ${workspaceId} AND r.customer_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM timeline_items t WHERE t.workspace_id = r.workspace_id
                             AND t.kind = 'refund' AND t.detail->>'refundId' = r.id::text)`,
  );
  await tx.execute(
    sql`INSERT INTO timeline_items (workspace_id, customer_id, at, kind, title, detail)
        SELECT e.workspace_id, e.customer_id, e.occurred_at, 'browse',
               CASE e.type WHEN 'page_viewed' THEN 'Viewed a page' WHEN 'product_viewed' THEN 'Viewed a product'
                           WHEN 'added_to_cart' THEN 'Added to cart' ELSE 'Started checkout' END,
               jsonb_build_object('url', e.url, 'productId', e.product_external_id)
          FROM browsing_events e
         WHERE e.workspace_id = ${workspaceId} AND e.customer_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM timeline_items t WHERE t.workspace_id = e.workspace_id
                             AND t.kind = 'browse' AND t.customer_id = e.customer_id AND t.at = e.occurred_at)`,
  );
}
