import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { okSchema } from '../../../../contracts/common.ts';
import * as c from '../../../../contracts/segments.ts';
import { expectedVersion, withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as saved from './saved.service.ts';
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

  // ---- saved segments ----
  const tags = ['Segments'];
  const params = c.segmentIdParams;
  r.get(
    '/api/v1/segments',
    {
      schema: {
        tags,
        summary: 'Saved segments (the pre-built ones included) with their size and revenue',
        response: { 200: c.segmentListSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => saved.listSegments(ctx)),
  );
  r.post(
    '/api/v1/segments',
    {
      schema: {
        tags,
        summary:
          'Save a segment: dynamic (kept current as data changes) or static (a frozen list; may start empty and be filled by hand)',
        body: c.createSegmentSchema,
        response: { 201: c.segmentSchema },
      },
    },
    async (req, reply) => {
      const seg = await withWorkspace(req, db, (ctx) => saved.createSegment(ctx, req.body));
      return reply.status(201).header('etag', `"${seg.version}"`).send(seg);
    },
  );
  r.get(
    '/api/v1/segments/:id',
    { schema: { tags, summary: 'One saved segment', params, response: { 200: c.segmentSchema } } },
    async (req, reply) => {
      const seg = await withWorkspace(req, db, (ctx) => saved.getSegment(ctx, req.params.id));
      reply.header('etag', `"${seg.version}"`);
      return seg;
    },
  );
  r.patch(
    '/api/v1/segments/:id',
    {
      schema: {
        tags,
        summary:
          'Rename, re-describe, change kind or rules (optimistic concurrency: version or If-Match); new rules re-evaluate the members',
        params,
        body: c.updateSegmentSchema,
        response: { 200: c.segmentSchema },
      },
    },
    async (req, reply) => {
      const version = expectedVersion(req, req.body.version);
      const seg = await withWorkspace(req, db, (ctx) =>
        saved.updateSegment(ctx, req.params.id, { ...req.body, version }),
      );
      reply.header('etag', `"${seg.version}"`);
      return seg;
    },
  );
  r.delete(
    '/api/v1/segments/:id',
    {
      schema: {
        tags,
        summary: 'Delete a segment (its members and history go with it)',
        params,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await withWorkspace(req, db, (ctx) => saved.deleteSegment(ctx, req.params.id));
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/segments/:id/refresh',
    {
      schema: {
        tags,
        summary: 'Re-evaluate the rules now (a static list is frozen again from its rules)',
        params,
        response: { 200: c.segmentSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => saved.refreshSegment(ctx, req.params.id)),
  );
  r.get(
    '/api/v1/segments/:id/members',
    {
      schema: {
        tags,
        summary: 'Members, cursor paged',
        params,
        querystring: c.segmentMembersQuery,
        response: { 200: c.segmentMembersSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => saved.listMembers(ctx, req.params.id, req.query)),
  );
  r.post(
    '/api/v1/segments/:id/members',
    {
      schema: {
        tags,
        summary: 'Add or remove members of a static list by customer id or email',
        params,
        body: c.segmentMembersChangeSchema,
        response: { 200: c.segmentMembersChangeResultSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => saved.changeMembers(ctx, req.params.id, req.body)),
  );
  r.get(
    '/api/v1/segments/:id/history',
    {
      schema: {
        tags,
        summary: 'Size, revenue and AOV per day, and who entered or left in the last 30 days',
        params,
        response: { 200: c.segmentHistorySchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => saved.segmentHistory(ctx, req.params.id)),
  );
  r.get(
    '/api/v1/segments/:id/export',
    { schema: { tags, summary: 'The members as CSV', params } },
    async (req, reply) => {
      const { csv, name } = await withWorkspace(req, db, async (ctx) => ({
        csv: await saved.exportMembers(ctx, req.params.id),
        name: (await saved.getSegment(ctx, req.params.id)).name,
      }));
      const file = `${
        name
          .replace(/[^\w.-]+/g, '-')
          .replace(/^-+|-+$/g, '')
          .toLowerCase() || 'segment'
      }.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${file}"`)
        .send(csv);
    },
  );
  r.post(
    '/api/v1/segments/:id/tags',
    {
      schema: {
        tags,
        summary: 'Add a tag to, or remove it from, every member',
        params,
        body: c.segmentTagActionSchema,
        response: { 200: c.segmentTagResultSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => saved.tagMembers(ctx, req.params.id, req.body)),
  );
}
