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
  r.post(
    '/api/v1/segments/export',
    {
      schema: {
        tags: ['Segments'],
        summary: 'Every customer matching rules or query text, as CSV',
        body: c.exportRequestSchema,
      },
    },
    async (req, reply) => {
      const csv = await withWorkspace(req, db, (ctx) => svc.exportCsv(ctx, req.body));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="segment.csv"')
        .send(csv);
    },
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
