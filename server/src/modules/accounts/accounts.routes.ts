import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as c from '../../../../contracts/auth.ts';
import { okSchema } from '../../../../contracts/common.ts';
import { type Role, rolePermissions } from '../../../../contracts/roles.ts';
import { AppError } from '../../platform/errors.ts';
import { baseUrl, requestMeta, requireUser } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './accounts.service.ts';
import { users } from './accounts.table.ts';
import { clearSessionCookie, setSessionCookie } from './session.plugin.ts';
import { listSessions, revokeOtherSessions, revokeSession, SESSION_COOKIE } from './sessions.ts';

const tags = ['Accounts'];

export function accountsRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;

  const currentUser = async (userId: string) => {
    const [u] = await db.select().from(users).where(eq(users.id, userId));
    if (!u) throw new AppError('unauthenticated', 'Sign in first.');
    return u;
  };

  r.post(
    '/api/v1/auth/sign-in',
    {
      schema: {
        tags,
        summary: 'Sign in with email and password (sets the session cookie)',
        body: c.signInBody,
        response: { 200: c.signInResult },
      },
    },
    async (req, reply) => {
      const result = await svc.signIn(rt, req.body, requestMeta(req));
      setSessionCookie(reply, result.token, rt.config);
      return { twoFactorRequired: result.twoFactorRequired };
    },
  );

  r.post(
    '/api/v1/auth/two-factor',
    {
      schema: {
        tags,
        summary: 'Finish signing in with a TOTP or recovery code',
        body: c.twoFactorBody,
        response: { 200: okSchema },
      },
    },
    async (req, reply) => {
      const token = await svc.completeTwoFactor(
        rt,
        req.cookies[SESSION_COOKIE],
        req.body.code,
        requestMeta(req),
      );
      setSessionCookie(reply, token, rt.config);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/auth/sign-out',
    { schema: { tags, summary: 'Sign out (ends this session)', response: { 200: okSchema } } },
    async (req, reply) => {
      if (req.auth) await revokeSession(db, req.auth.userId, req.auth.sessionId);
      clearSessionCookie(reply);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/auth/password-reset',
    {
      schema: {
        tags,
        summary: 'Email a password reset link',
        body: c.resetRequestBody,
        response: { 202: okSchema },
      },
    },
    async (req, reply) => {
      await svc.requestPasswordReset(rt, req.body.email, baseUrl(req, rt.config));
      return reply.status(202).send({ ok: true as const });
    },
  );

  r.post(
    '/api/v1/auth/password-reset/confirm',
    {
      schema: {
        tags,
        summary: 'Set a new password with a reset link token',
        body: c.resetConfirmBody,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await svc.confirmPasswordReset(rt, req.body.token, req.body.password, requestMeta(req));
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/me',
    { schema: { tags, summary: 'Who is signed in, and in which workspace', response: { 200: c.meResult } } },
    async (req) => {
      const auth = requireUser(req);
      const user = await currentUser(auth.userId);
      const list = await svc.myWorkspaces(db, auth.userId);
      const current = list.find((w) => w.id === auth.workspaceId);
      return {
        user: { id: user.id, email: user.email, name: user.name, twoFactorEnabled: !!user.totpEnabledAt },
        workspace: current ? { ...current, role: current.role as Role } : null,
        permissions: current ? [...rolePermissions[current.role as Role]] : [],
        workspaces: list.map(({ timeZone: _tz, currency: _cur, ...w }) => ({ ...w, role: w.role as Role })),
      };
    },
  );

  r.patch(
    '/api/v1/me',
    {
      schema: { tags, summary: 'Update my profile', body: c.updateProfileBody, response: { 200: okSchema } },
    },
    async (req) => {
      const auth = requireUser(req);
      await svc.updateProfile(rt, await currentUser(auth.userId), req.body.name, requestMeta(req));
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/me/workspace',
    {
      schema: {
        tags,
        summary: 'Switch to another of my workspaces',
        body: c.switchWorkspaceBody,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      const auth = requireUser(req);
      await svc.switchWorkspace(db, auth.sessionId, auth.userId, req.body.workspaceId);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/me/password',
    {
      schema: {
        tags,
        summary: 'Change my password (signs out my other sessions)',
        body: c.changePasswordBody,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      const auth = requireUser(req);
      await svc.changePassword(
        rt,
        await currentUser(auth.userId),
        auth.sessionId,
        req.body,
        requestMeta(req),
      );
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/me/sessions',
    { schema: { tags, summary: 'My signed-in sessions', response: { 200: c.sessionList } } },
    async (req) => {
      const auth = requireUser(req);
      const list = await listSessions(db, auth.userId);
      return {
        data: list.map((s) => ({
          id: s.id,
          current: s.id === auth.sessionId,
          ip: s.ip,
          userAgent: s.userAgent,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
        })),
      };
    },
  );

  r.delete(
    '/api/v1/me/sessions/:id',
    {
      schema: {
        tags,
        summary: 'Revoke one of my sessions',
        params: z.object({ id: z.uuid() }),
        response: { 200: okSchema },
      },
    },
    async (req, reply) => {
      const auth = requireUser(req);
      if (!(await revokeSession(db, auth.userId, req.params.id)))
        throw new AppError('not_found', 'No such session of yours.');
      if (req.params.id === auth.sessionId) clearSessionCookie(reply);
      return { ok: true as const };
    },
  );

  r.delete(
    '/api/v1/me/sessions',
    { schema: { tags, summary: 'Revoke all my sessions but this one', response: { 200: okSchema } } },
    async (req) => {
      const auth = requireUser(req);
      await revokeOtherSessions(db, auth.userId, auth.sessionId);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/me/two-factor/setup',
    {
      schema: {
        tags,
        summary: 'Start two-factor set-up: a secret and QR code',
        body: c.twoFactorSetupBody,
        response: { 200: c.twoFactorSetupResult },
      },
    },
    async (req) => svc.startTwoFactorSetup(rt, await currentUser(requireUser(req).userId), req.body.password),
  );

  r.post(
    '/api/v1/me/two-factor/enable',
    {
      schema: {
        tags,
        summary: 'Turn two-factor on with a code from the app',
        body: c.twoFactorEnableBody,
        response: { 200: c.recoveryCodesResult },
      },
    },
    async (req) =>
      svc.enableTwoFactor(rt, await currentUser(requireUser(req).userId), req.body.code, requestMeta(req)),
  );

  r.post(
    '/api/v1/me/two-factor/disable',
    {
      schema: {
        tags,
        summary: 'Turn two-factor off',
        body: c.twoFactorDisableBody,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await svc.disableTwoFactor(
        rt,
        await currentUser(requireUser(req).userId),
        req.body.password,
        requestMeta(req),
      );
      return { ok: true as const };
    },
  );

  r.post(
    '/api/v1/me/two-factor/recovery-codes',
    {
      schema: {
        tags,
        summary: 'Replace my recovery codes',
        body: c.twoFactorDisableBody,
        response: { 200: c.recoveryCodesResult },
      },
    },
    async (req) =>
      svc.regenerateRecoveryCodes(
        rt,
        await currentUser(requireUser(req).userId),
        req.body.password,
        requestMeta(req),
      ),
  );
}
