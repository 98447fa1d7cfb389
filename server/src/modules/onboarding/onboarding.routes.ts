import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { setupBody, setupStatus } from '../../../../contracts/auth.ts';
import { okSchema } from '../../../../contracts/common.ts';
import {
  acceptInvitationBody,
  createWorkspaceBody,
  invitationLookup,
  workspaceSchema,
} from '../../../../contracts/workspaces.ts';
import { requestMeta, requireUser } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { users } from '../accounts/accounts.table.ts';
import { setSessionCookie } from '../accounts/session.plugin.ts';
import { workspaceView } from '../workspaces/index.ts';
import * as svc from './onboarding.service.ts';

const tags = ['Onboarding'];

export function onboardingRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;

  r.get(
    '/api/v1/setup',
    {
      schema: {
        tags,
        summary: 'Whether Patron still needs its first-run set-up',
        response: { 200: setupStatus },
      },
    },
    async () => ({
      needsSetup: await svc.needsSetup(db),
    }),
  );

  r.post(
    '/api/v1/setup',
    {
      schema: {
        tags,
        summary: 'First run: create the workspace and its owner (signs in)',
        body: setupBody,
        response: { 201: okSchema },
      },
    },
    async (req, reply) => {
      const token = await svc.setup(rt, req.body, requestMeta(req));
      setSessionCookie(reply, token, rt.config);
      return reply.status(201).send({ ok: true as const });
    },
  );

  r.post(
    '/api/v1/workspaces',
    {
      schema: {
        tags,
        summary: 'Create another workspace; I become its owner and switch to it',
        body: createWorkspaceBody,
        response: { 201: workspaceSchema },
      },
    },
    async (req, reply) => {
      const auth = requireUser(req);
      const [user] = await db.select().from(users).where(eq(users.id, auth.userId));
      const ws = await svc.createAnotherWorkspace(db, user!, auth.sessionId, req.body.name, requestMeta(req));
      return reply.status(201).send(workspaceView(ws));
    },
  );

  r.get(
    '/api/v1/invitations/lookup',
    {
      schema: {
        tags,
        summary: 'What an invitation link is for (public)',
        querystring: z.object({ token: z.string().min(10).max(200) }),
        response: { 200: invitationLookup },
      },
    },
    async (req) => svc.lookupInvitation(db, req.query.token),
  );

  r.post(
    '/api/v1/invitations/accept',
    {
      schema: {
        tags,
        summary: 'Accept an invitation (creates the account if needed; signs in)',
        body: acceptInvitationBody,
        response: { 200: okSchema },
      },
    },
    async (req, reply) => {
      const signedIn = req.auth?.verified
        ? (await db.select().from(users).where(eq(users.id, req.auth.userId)))[0]
        : undefined;
      const token = await svc.acceptInvitation(rt, req.body, signedIn, requestMeta(req));
      setSessionCookie(reply, token, rt.config);
      return { ok: true as const };
    },
  );
}
