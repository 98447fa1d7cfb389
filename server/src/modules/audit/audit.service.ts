import { and, desc, eq, gte, ilike, lt, lte, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { auditQuery } from '../../../../contracts/audit.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { recordEvent } from '../../platform/events.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { assertCan } from '../../platform/permissions.ts';
import { newId } from '../../platform/tokens.ts';
import { auditLog } from './audit.table.ts';

export type Change = {
  action: string;
  recordType: string;
  recordId: string | null;
  before?: unknown;
  after?: unknown;
  /** the domain event for the outbox; defaults to the action */
  eventType?: string | null;
};

/**
 * Records a change in the caller's transaction: its audit entry (who, what, before/after, from where)
 * and its domain event on the outbox.
 */
export async function recordChange(tx: Db, ctx: Omit<WorkspaceCtx, 'db'>, change: Change): Promise<void> {
  await tx.insert(auditLog).values({
    workspaceId: ctx.workspaceId,
    id: newId(),
    actorUserId: ctx.userId,
    actorEmail: ctx.email,
    action: change.action,
    recordType: change.recordType,
    recordId: change.recordId,
    before: change.before ?? null,
    after: change.after ?? null,
    ip: ctx.meta.ip,
    userAgent: ctx.meta.userAgent,
    requestId: ctx.meta.requestId,
  });
  if (change.eventType !== null) {
    await recordEvent(tx, {
      workspaceId: ctx.workspaceId,
      type: change.eventType ?? change.action,
      subjectType: change.recordType,
      subjectId: change.recordId ?? ctx.workspaceId,
      actorUserId: ctx.userId,
      payload: { before: change.before ?? null, after: change.after ?? null },
    });
  }
}

export async function listAudit(ctx: WorkspaceCtx, q: z.infer<typeof auditQuery>) {
  assertCan(ctx, 'audit.read');
  const where: (SQL | undefined)[] = [eq(auditLog.workspaceId, ctx.workspaceId)];
  if (q.action) where.push(ilike(auditLog.action, `${escapeLike(q.action)}%`));
  if (q.recordType) where.push(eq(auditLog.recordType, q.recordType));
  if (q.actor) where.push(ilike(auditLog.actorEmail, `%${escapeLike(q.actor)}%`));
  if (q.from) where.push(gte(auditLog.at, new Date(q.from)));
  if (q.to) where.push(lte(auditLog.at, new Date(q.to)));
  const cursor = decodeCursor(q.cursor);
  if (cursor) where.push(lt(auditLog.id, cursor.id));
  const found = await ctx.db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  const page = found.slice(0, q.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => ({
      id: r.id,
      actorUserId: r.actorUserId,
      actorEmail: r.actorEmail,
      action: r.action,
      recordType: r.recordType,
      recordId: r.recordId,
      before: r.before,
      after: r.after,
      ip: r.ip,
      userAgent: r.userAgent,
      at: r.at.toISOString(),
    })),
    nextCursor: found.length > q.limit && last ? encodeCursor({ id: last.id }) : null,
  };
}

export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
