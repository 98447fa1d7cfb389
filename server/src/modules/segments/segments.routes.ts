import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as c from '../../../../contracts/segments.ts';
import { withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './segments.service.ts';

export function segmentsRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;

  r.post(
    '/api/v1/segments/preview',
    {
      schema: {
        tags: ['Segments'],
        summary:
          'Live count and first customers of rules or query text (malformed text is refused with the character position and the reason)',
        body: c.previewRequestSchema,
        response: { 200: c.previewResponseSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.preview(ctx, req.body)),
  );
  r.get(
    '/api/v1/segments/rfm',
    {
      schema: {
        tags: ['Segments'],
        summary:
          'RFM grid: recency × frequency cells with their group, counts and revenue; totals per named group',
        response: { 200: c.rfmGridSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.rfmGrid(ctx)),
  );
  r.get(
    '/api/v1/segments/rfm/customers',
    {
      schema: {
        tags: ['Segments'],
        summary: 'Customers of an RFM group or of one grid cell (r and f), by spend',
        querystring: c.rfmCustomersQuery,
        response: { 200: c.rfmCustomersSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.rfmCustomers(ctx, req.query)),
  );
}
