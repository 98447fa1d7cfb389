import { and, desc, eq } from 'drizzle-orm';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { type Db, inWorkspace } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assertCan } from '../../platform/permissions.ts';
import { newId, newToken } from '../../platform/tokens.ts';
import { recordChange } from '../audit/index.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';
import { applyOps } from './apply-ops.ts';
import type { IngestOp } from './ingest-op.ts';
import { integrations, trackingKeys, webhookDeliveries } from './integrations.table.ts';
import { parseJsonLossless } from './lossless-json.ts';
import { mapShopifyWebhook } from './shopify.mapper.ts';
import { verifyShopifyHmac, verifyWooSignature } from './signatures.ts';
import { mapWooWebhook } from './woocommerce.mapper.ts';

export type Kind = 'shopify' | 'woocommerce';

/** "Example.myshopify.com" / "https://shop.example.com/" → the form connections are keyed by. */
export function normaliseAddress(kind: Kind, address: string): string {
  const a = address.trim().toLowerCase();
  if (kind === 'shopify') return a.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  try {
    return new URL(/^https?:\/\//.test(a) ? a : `https://${a}`).origin;
  } catch {
    throw new AppError('validation_failed', `"${address}" is not a store URL`, {
      errors: [{ path: 'body.address', message: 'not a URL' }],
    });
  }
}

const view = (i: typeof integrations.$inferSelect) => ({
  id: i.id,
  kind: i.kind as Kind,
  address: i.address,
  currency: i.currency,
  secretHint: `…${i.secret.slice(-4)}`,
  createdAt: i.createdAt.toISOString(),
});

/** Connects a store (or replaces the secret of a connected one), in a workspace. */
export async function connectStore(
  db: Db,
  workspaceId: string,
  actor: Omit<WorkspaceCtx, 'db' | 'workspaceId'>,
  body: { kind: Kind; address: string; secret: string; currency?: string },
) {
  const address = normaliseAddress(body.kind, body.address);
  const [taken] = await db
    .select({ workspaceId: integrations.workspaceId })
    .from(integrations)
    .where(and(eq(integrations.kind, body.kind), eq(integrations.address, address)));
  if (taken && taken.workspaceId !== workspaceId)
    throw new AppError('conflict', `${address} is connected to another workspace.`);
  return inWorkspace(db, workspaceId, async (tx) => {
    const [row] = await tx
      .insert(integrations)
      .values({
        workspaceId,
        id: newId(),
        kind: body.kind,
        address,
        secret: body.secret,
        currency: body.currency ?? 'USD',
      })
      .onConflictDoUpdate({
        target: [integrations.kind, integrations.address],
        set: { secret: body.secret, currency: body.currency ?? 'USD', updatedAt: new Date() },
      })
      .returning();
    await recordChange(
      tx,
      { ...actor, workspaceId },
      {
        action: taken ? 'integration.updated' : 'integration.connected',
        recordType: 'integration',
        recordId: row!.id,
        after: { kind: body.kind, address },
      },
    );
    return view(row!);
  });
}

export async function listIntegrations(ctx: WorkspaceCtx) {
  assertCan(ctx, 'integrations.manage');
  const list = await ctx.db.select().from(integrations).where(eq(integrations.workspaceId, ctx.workspaceId));
  const deliveries = await ctx.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.workspaceId, ctx.workspaceId))
    .orderBy(desc(webhookDeliveries.receivedAt))
    .limit(50);
  return {
    data: list.map(view),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      kind: d.kind,
      topic: d.topic,
      deliveryId: d.deliveryId,
      status: d.status,
      detail: d.detail,
      receivedAt: d.receivedAt.toISOString(),
    })),
  };
}

export async function disconnect(ctx: WorkspaceCtx, id: string) {
  assertCan(ctx, 'integrations.manage');
  const [gone] = await ctx.db
    .delete(integrations)
    .where(and(eq(integrations.workspaceId, ctx.workspaceId), eq(integrations.id, id)))
    .returning();
  if (!gone) throw notFound('The connection');
  await recordChange(ctx.db, ctx, {
    action: 'integration.disconnected',
    recordType: 'integration',
    recordId: id,
    before: view(gone),
  });
}

export async function trackingKey(ctx: WorkspaceCtx): Promise<string> {
  assertCan(ctx, 'workspace.read');
  const [k] = await ctx.db.select().from(trackingKeys).where(eq(trackingKeys.workspaceId, ctx.workspaceId));
  if (k) return k.key;
  const key = `pk_${newToken(18)}`;
  await ctx.db.insert(trackingKeys).values({ key, workspaceId: ctx.workspaceId }).onConflictDoNothing();
  const [again] = await ctx.db
    .select()
    .from(trackingKeys)
    .where(eq(trackingKeys.workspaceId, ctx.workspaceId));
  return again!.key;
}

export type Delivery = {
  kind: Kind;
  address: string | undefined;
  signature: string | undefined;
  topic: string | undefined;
  deliveryId: string | undefined;
  rawBody: Buffer;
};
export type DeliveryOutcome = { status: 200; body: { status: string; detail?: string } };

/**
 * Receives a webhook: finds the workspace by the store's address, checks the signature over the raw
 * body (401 and nothing stored when wrong), ignores a redelivery, maps the payload and applies it in
 * one transaction together with the delivery record. A payload that cannot be mapped answers 422
 * and stores only the failed delivery, for the integrations page.
 */
export async function receiveWebhook(db: Db, d: Delivery): Promise<DeliveryOutcome> {
  if (!d.address) throw new AppError('unauthenticated', `The delivery does not name its store.`);
  const [conn] = await db
    .select()
    .from(integrations)
    .where(and(eq(integrations.kind, d.kind), eq(integrations.address, normaliseAddress(d.kind, d.address))));
  const valid =
    conn &&
    (d.kind === 'shopify'
      ? verifyShopifyHmac(d.rawBody, d.signature, conn.secret)
      : verifyWooSignature(d.rawBody, d.signature, conn.secret));
  if (!conn || !valid)
    throw new AppError('unauthenticated', 'The webhook signature is not valid for any connected store.');
  const topic = d.topic ?? 'unknown';
  const deliveryId = d.deliveryId ?? newToken(12);
  let ops: IngestOp[];
  try {
    const payload = parseJsonLossless(d.rawBody.toString('utf8'));
    const [ws] = await db
      .select({ currency: workspaces.currency })
      .from(workspaces)
      .where(eq(workspaces.id, conn.workspaceId));
    ops =
      d.kind === 'shopify'
        ? mapShopifyWebhook(topic, payload, { currency: conn.currency ?? ws?.currency })
        : mapWooWebhook(topic, payload);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    await db
      .insert(webhookDeliveries)
      .values({
        workspaceId: conn.workspaceId,
        id: newId(),
        kind: d.kind,
        topic,
        deliveryId,
        status: 'rejected',
        detail: detail.slice(0, 2000),
      })
      .onConflictDoNothing();
    throw new AppError('rule_violated', `The ${topic} payload could not be read: ${detail}`);
  }
  return inWorkspace(db, conn.workspaceId, async (tx) => {
    const claimed = await tx
      .insert(webhookDeliveries)
      .values({
        workspaceId: conn.workspaceId,
        id: newId(),
        kind: d.kind,
        topic,
        deliveryId,
        status: 'processed',
      })
      // a delivery rejected before (say, by a mapping bug since fixed) may be processed on its redelivery
      .onConflictDoUpdate({
        target: [webhookDeliveries.workspaceId, webhookDeliveries.kind, webhookDeliveries.deliveryId],
        set: { status: 'processed', detail: null, receivedAt: new Date() },
        setWhere: eq(webhookDeliveries.status, 'rejected'),
      })
      .returning({ id: webhookDeliveries.id });
    if (claimed.length === 0)
      return {
        status: 200 as const,
        body: { status: 'duplicate', detail: 'This delivery was already received.' },
      };
    const summary = await applyOps(tx, { workspaceId: conn.workspaceId, source: d.kind }, ops);
    const detail = Object.entries(summary)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    await tx
      .update(webhookDeliveries)
      .set({ detail: detail || 'nothing to store' })
      .where(
        and(eq(webhookDeliveries.workspaceId, conn.workspaceId), eq(webhookDeliveries.id, claimed[0]!.id)),
      );
    return { status: 200 as const, body: { status: 'processed', detail } };
  });
}
