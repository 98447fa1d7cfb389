import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { outboxPage } from '../../../../contracts/audit.ts';
import { pageQuery } from '../../../../contracts/common.ts';
import { withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { listOutbox } from './mail.service.ts';

export function mailRoutes(app: FastifyInstance, rt: Runtime): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/mail-outbox',
    {
      schema: {
        tags: ['Mail'],
        summary: 'Mail Patron sent or holds (without SMTP configured it is held here)',
        querystring: pageQuery,
        response: { 200: outboxPage },
      },
    },
    async (req) => withWorkspace(req, rt.database.db, (ctx) => listOutbox(ctx, req.query)),
  );
}
