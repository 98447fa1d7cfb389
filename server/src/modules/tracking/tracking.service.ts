import { and, eq, isNull } from 'drizzle-orm';
import type { TrackBody } from '../../../../contracts/tracking.ts';
import { type Db, inWorkspace } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { recordEvent } from '../../platform/events.ts';
import { newId } from '../../platform/tokens.ts';
import { browsingEvents } from '../commerce/commerce.table.ts';
import { resolvePeople } from '../commerce/identity.ts';
import { trackingKeys, visitors } from '../integrations/integrations.table.ts';

/**
 * Records one event from the store's site. An `identify` links the anonymous visitor to a customer
 * (found or created by email or platform id); the visitor's earlier events are linked too.
 */
export async function track(db: Db, body: TrackBody, source = 'api'): Promise<{ customerId: string | null }> {
  const [k] = await db.select().from(trackingKeys).where(eq(trackingKeys.key, body.key));
  if (!k) throw new AppError('unauthenticated', 'Unknown tracking key.');
  const workspaceId = k.workspaceId;
  return inWorkspace(db, workspaceId, async (tx) => {
    let customerId: string | null = null;
    if (body.type === 'identify') {
      if (!body.email && !body.customerId) {
        throw new AppError('validation_failed', 'identify needs an email or a customerId', {
          errors: [{ path: 'body.email', message: 'required for identify' }],
        });
      }
      const [person] = await resolvePeople(tx, workspaceId, source, [
        { email: body.email, externalId: body.customerId },
      ]);
      customerId = person?.customerId ?? null;
      if (customerId) {
        await tx
          .insert(visitors)
          .values({ workspaceId, visitorId: body.visitorId, customerId })
          .onConflictDoUpdate({
            target: [visitors.workspaceId, visitors.visitorId],
            set: { customerId, identifiedAt: new Date() },
          });
        await tx
          .update(browsingEvents)
          .set({ customerId })
          .where(
            and(
              eq(browsingEvents.workspaceId, workspaceId),
              eq(browsingEvents.visitorId, body.visitorId),
              isNull(browsingEvents.customerId),
            ),
          );
      }
    } else {
      const [v] = await tx
        .select({ customerId: visitors.customerId })
        .from(visitors)
        .where(and(eq(visitors.workspaceId, workspaceId), eq(visitors.visitorId, body.visitorId)));
      customerId = v?.customerId ?? null;
    }
    const id = newId();
    const occurredAt = body.occurredAt ? new Date(body.occurredAt) : new Date();
    await tx.insert(browsingEvents).values({
      workspaceId,
      id,
      visitorId: body.visitorId,
      customerId,
      type: body.type,
      url: body.url ?? null,
      productExternalId: body.productId ?? null,
      properties: body.properties ?? {},
      occurredAt,
    });
    await recordEvent(tx, {
      workspaceId,
      type: `browse.${body.type}`,
      subjectType: customerId ? 'customer' : 'visitor',
      subjectId: customerId ?? body.visitorId,
      payload: {
        visitorId: body.visitorId,
        customerId,
        url: body.url ?? null,
        productId: body.productId ?? null,
        at: occurredAt.toISOString(),
      },
    });
    return { customerId };
  });
}
