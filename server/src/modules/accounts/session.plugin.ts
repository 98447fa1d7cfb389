import type {} from '@fastify/cookie';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Role } from '../../../../contracts/roles.ts';
import type { Config } from '../../platform/config.ts';
import type { Db } from '../../platform/db.ts';
import { memberships } from '../workspaces/workspaces.table.ts';
import { findSession, SESSION_COOKIE, touchSession } from './sessions.ts';

const TOUCH_EVERY_MS = 5 * 60_000;

/** Resolves the session cookie into req.auth: who is signed in, in which workspace, with which role. */
export function installSessionAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (req) => {
    const token = req.cookies[SESSION_COOKIE];
    if (!token || !req.url.startsWith('/api/')) return;
    const found = await findSession(db, token);
    if (!found) return;
    const { session, user } = found;
    let role: Role | null = null;
    if (session.workspaceId) {
      const [m] = await db
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.workspaceId, session.workspaceId), eq(memberships.userId, user.id)));
      role = (m?.role as Role | undefined) ?? null;
    }
    req.auth = {
      userId: user.id,
      email: user.email,
      sessionId: session.id,
      verified: session.verified,
      workspaceId: role ? session.workspaceId : null,
      role,
    };
    if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(db, session.id);
  });
}

export function setSessionCookie(reply: FastifyReply, token: string, config: Config): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: reply.request.protocol === 'https',
    maxAge: config.sessionDays * 86_400,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
