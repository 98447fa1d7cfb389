import { and, desc, eq, gt, isNull, ne } from 'drizzle-orm';
import type { RequestMeta } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { hashToken, newId, newToken } from '../../platform/tokens.ts';
import { memberships } from '../workspaces/workspaces.table.ts';
import { sessions, users } from './accounts.table.ts';

export const SESSION_COOKIE = 'patron_session';

export async function createSession(
  db: Db,
  opts: { userId: string; workspaceId: string | null; verified: boolean; meta: RequestMeta; days: number },
): Promise<string> {
  const token = newToken();
  const workspaceId = opts.workspaceId ?? (await defaultWorkspace(db, opts.userId));
  await db.insert(sessions).values({
    id: newId(),
    tokenHash: hashToken(token),
    userId: opts.userId,
    workspaceId,
    verified: opts.verified,
    ip: opts.meta.ip,
    userAgent: opts.meta.userAgent?.slice(0, 500) ?? null,
    expiresAt: new Date(Date.now() + opts.days * 86_400_000),
  });
  return token;
}

async function defaultWorkspace(db: Db, userId: string): Promise<string | null> {
  const [m] = await db
    .select({ workspaceId: memberships.workspaceId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .orderBy(desc(memberships.createdAt))
    .limit(1);
  return m?.workspaceId ?? null;
}

export type SessionRow = typeof sessions.$inferSelect;
export type UserRow = typeof users.$inferSelect;

/** The live session for a cookie token, with its user; undefined when expired, revoked or unknown. */
export async function findSession(
  db: Db,
  token: string,
): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const [found] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, hashToken(token)),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, new Date()),
      ),
    )
    .limit(1);
  return found;
}

export async function touchSession(db: Db, sessionId: string): Promise<void> {
  await db.update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.id, sessionId));
}

export async function revokeSession(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const done = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return done.length > 0;
}

export async function revokeOtherSessions(
  db: Db,
  userId: string,
  keepSessionId: string | null,
): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        keepSessionId ? ne(sessions.id, keepSessionId) : undefined,
      ),
    );
}

export async function listSessions(db: Db, userId: string) {
  return db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())))
    .orderBy(desc(sessions.lastSeenAt));
}
