// Applies what an adapter (Shopify, WooCommerce) made of a delivery: the canonical upserts, deletes,
// consent changes and privacy requests, in the caller's transaction.
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import { recordEvent } from '../../platform/events.ts';
import { newId } from '../../platform/tokens.ts';
import { customers, orders, products } from '../commerce/commerce.table.ts';
import { customerIdsByIdentity, normaliseEmail } from '../commerce/identity.ts';
import * as ingest from '../commerce/ingest.service.ts';
import type { IngestOp } from './ingest-op.ts';
import { privacyRequests } from './integrations.table.ts';

export type ApplySummary = Record<string, number>;

export async function applyOps(tx: Db, scope: ingest.Scope, ops: IngestOp[]): Promise<ApplySummary> {
  const summary: ApplySummary = {};
  const count = (k: string) => {
    summary[k] = (summary[k] ?? 0) + 1;
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'customer':
        await ingest.upsertCustomers(tx, scope, [op.customer]);
        break;
      case 'product':
        await ingest.upsertProducts(tx, scope, [op.product]);
        break;
      case 'order':
        await ingest.upsertOrders(tx, scope, [op.order]);
        break;
      case 'refund':
        await ingest.upsertRefunds(tx, scope, [op.refund]);
        break;
      case 'checkout':
        await ingest.upsertCheckouts(tx, scope, [op.checkout]);
        break;
      case 'customer_deleted': {
        const id = (await customerIdsByIdentity(tx, scope.workspaceId, scope.source, [op.externalId])).get(
          op.externalId,
        );
        if (id) {
          await tx
            .update(customers)
            .set({ deletedAt: new Date(), updatedAt: new Date() })
            .where(and(eq(customers.workspaceId, scope.workspaceId), eq(customers.id, id)));
          await recordEvent(tx, {
            workspaceId: scope.workspaceId,
            type: 'customer.deleted',
            subjectType: 'customer',
            subjectId: id,
            payload: { source: scope.source, externalId: op.externalId },
          });
        }
        break;
      }
      case 'product_deleted': {
        const done = await tx
          .update(products)
          .set({ deletedAt: new Date(), updatedAt: new Date() })
          .where(
            and(
              eq(products.workspaceId, scope.workspaceId),
              eq(products.source, scope.source),
              eq(products.externalId, op.externalId),
            ),
          )
          .returning({ id: products.id });
        if (done[0]) {
          await recordEvent(tx, {
            workspaceId: scope.workspaceId,
            type: 'product.deleted',
            subjectType: 'product',
            subjectId: done[0].id,
            payload: { source: scope.source, externalId: op.externalId },
          });
        }
        break;
      }
      case 'order_deleted': {
        // The store deleted the order: it is kept, as cancelled, so history and metrics stay true.
        const gone = await tx
          .update(orders)
          .set({
            status: 'cancelled',
            cancelledAt: sql`coalesce(${orders.cancelledAt}, now())`,
            updatedAt: new Date(),
          })
          .where(
            and(
              eq(orders.workspaceId, scope.workspaceId),
              eq(orders.source, scope.source),
              eq(orders.externalId, op.externalId),
            ),
          )
          .returning({ id: orders.id, customerId: orders.customerId, number: orders.number });
        if (gone[0]) {
          await recordEvent(tx, {
            workspaceId: scope.workspaceId,
            type: 'order.cancelled',
            subjectType: 'order',
            subjectId: gone[0].id,
            payload: {
              source: scope.source,
              externalId: op.externalId,
              number: gone[0].number,
              customerId: gone[0].customerId,
              status: 'cancelled',
              deleted: true,
            },
          });
        }
        break;
      }
      case 'consent': {
        const byPlatform = op.customerExternalId
          ? (await customerIdsByIdentity(tx, scope.workspaceId, scope.source, [op.customerExternalId])).get(
              op.customerExternalId,
            )
          : undefined;
        const email = normaliseEmail(op.email);
        const id =
          byPlatform ??
          (email
            ? (await customerIdsByIdentity(tx, scope.workspaceId, 'email', [email])).get(email)
            : undefined);
        if (id) {
          const column = op.channel === 'sms' ? { smsConsent: op.state } : { emailConsent: op.state };
          await tx
            .update(customers)
            .set({ ...column, updatedAt: new Date(), version: sql`${customers.version} + 1` })
            .where(and(eq(customers.workspaceId, scope.workspaceId), eq(customers.id, id)));
          await recordEvent(tx, {
            workspaceId: scope.workspaceId,
            type: 'customer.consent_changed',
            subjectType: 'customer',
            subjectId: id,
            payload: { source: scope.source, channel: op.channel, state: op.state, at: op.updatedAt },
          });
        }
        break;
      }
      case 'privacy_request': {
        const id = op.customerExternalId
          ? (await customerIdsByIdentity(tx, scope.workspaceId, scope.source, [op.customerExternalId])).get(
              op.customerExternalId,
            )
          : undefined;
        const requestId = newId();
        await tx.insert(privacyRequests).values({
          workspaceId: scope.workspaceId,
          id: requestId,
          source: scope.source,
          kind: op.request,
          customerId: id ?? null,
          email: op.email ?? null,
          payload: op.payload as Record<string, unknown>,
        });
        await recordEvent(tx, {
          workspaceId: scope.workspaceId,
          type: `privacy.${op.request}_received`,
          subjectType: 'privacy_request',
          subjectId: requestId,
          payload: { source: scope.source, customerId: id ?? null, email: op.email ?? null },
        });
        break;
      }
    }
    count(op.kind);
  }
  return summary;
}
