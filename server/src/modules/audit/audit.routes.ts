import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditPage, auditQuery } from '../../../../contracts/audit.ts';
import { withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { listAudit } from './audit.service.ts';

export function auditRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;
  r.get(
    '/api/v1/audit-log',
    {
      schema: {
        tags: ['Audit'],
        summary: 'The audit trail of every change, newest first',
        querystring: auditQuery,
        response: { 200: auditPage },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => listAudit(ctx, req.query)),
  );
}
