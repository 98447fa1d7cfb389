import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { okSchema } from '../../../../contracts/common.ts';
import * as c from '../../../../contracts/workspaces.ts';
import { baseUrl, expectedVersion, withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './workspaces.service.ts';

const tags = ['Workspace'];

export function workspacesRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;

  r.get(
    '/api/v1/workspace',
    { schema: { tags, summary: 'The current workspace', response: { 200: c.workspaceSchema } } },
    async (req, reply) => {
      const ws = await withWorkspace(req, db, svc.getWorkspace);
      reply.header('etag', `"${ws.version}"`);
      return ws;
    },
  );

  r.patch(
    '/api/v1/workspace',
    {
      schema: {
        tags,
        summary: 'Update the workspace settings (optimistic concurrency: version or If-Match)',
        body: c.updateWorkspaceBody,
        response: { 200: c.workspaceSchema },
      },
    },
    async (req, reply) => {
      const { version, ...patch } = req.body;
      const expected = expectedVersion(req, version);
      const ws = await withWorkspace(req, db, (ctx) => svc.updateWorkspace(ctx, patch, expected));
      reply.header('etag', `"${ws.version}"`);
      return ws;
    },
  );

  r.get(
    '/api/v1/members',
    { schema: { tags, summary: 'Members of the workspace', response: { 200: c.memberList } } },
    async (req) => withWorkspace(req, db, svc.listMembers),
  );

  r.patch(
    '/api/v1/members/:userId',
    {
      schema: {
        tags,
        summary: "Change a member's role",
        params: z.object({ userId: z.uuid() }),
        body: c.updateMemberBody,
        response: { 200: c.memberSchema },
      },
    },
    async (req) =>
      withWorkspace(req, db, (ctx) =>
        svc.updateMemberRole(ctx, req.params.userId, req.body.role, req.body.version),
      ),
  );

  r.delete(
    '/api/v1/members/:userId',
    {
      schema: {
        tags,
        summary: 'Remove a member from the workspace',
        params: z.object({ userId: z.uuid() }),
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.removeMember(ctx, req.params.userId));
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/invitations',
    { schema: { tags, summary: 'Invitations of the workspace', response: { 200: c.invitationList } } },
    async (req) => withWorkspace(req, db, svc.listInvitations),
  );

  r.post(
    '/api/v1/invitations',
    {
      schema: {
        tags,
        summary: 'Invite someone by email',
        body: c.createInvitationBody,
        response: { 201: c.invitationSchema },
      },
    },
    async (req, reply) => {
      const inv = await withWorkspace(req, db, (ctx) =>
        svc.createInvitation(ctx, rt, req.body, baseUrl(req, rt.config)),
      );
      return reply.status(201).send(inv);
    },
  );

  r.delete(
    '/api/v1/invitations/:id',
    {
      schema: {
        tags,
        summary: 'Revoke a pending invitation',
        params: z.object({ id: z.uuid() }),
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.revokeInvitation(ctx, req.params.id));
      return { ok: true as const };
    },
  );
}
