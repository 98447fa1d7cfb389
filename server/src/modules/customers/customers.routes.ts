import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { customerSummary } from '../../../../contracts/commerce-api.ts';
import { okSchema } from '../../../../contracts/common.ts';
import * as c from '../../../../contracts/customers.ts';
import { expectedVersion, withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './customers.service.ts';
import { scoringRoutes } from './scoring.routes.ts';

export function customersRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;
  const tags = ['Customers'];
  const params = z.object({ id: z.uuid() });
  scoringRoutes(app, rt);

  r.get(
    '/api/v1/customers/:id/360',
    {
      schema: {
        tags,
        summary:
          "The customer page in one call: profile, metrics, health score and its reasons, tags, notes, custom fields, recent orders and the timeline's first page",
        params,
        response: { 200: c.customer360Schema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.get360(ctx, req.params.id)),
  );
  r.patch(
    '/api/v1/customers/:id',
    {
      schema: {
        tags,
        summary:
          'Edit the profile and custom field values (optimistic concurrency: version or If-Match; a stale one answers 409)',
        params,
        body: c.updateCustomerSchema,
        response: { 200: customerSummary },
      },
    },
    async (req, reply) => {
      const version = expectedVersion(req, req.body.version);
      const out = await withWorkspace(req, db, (ctx) =>
        svc.updateCustomer(ctx, req.params.id, { ...req.body, version }),
      );
      reply.header('etag', `"${out.version}"`);
      return out;
    },
  );
  r.post(
    '/api/v1/customers/:id/tags',
    {
      schema: {
        tags,
        summary: 'Add and remove tags (case-insensitive; each change is on the timeline)',
        params,
        body: c.customerTagsChangeSchema,
        response: { 200: customerSummary },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.changeTags(ctx, req.params.id, req.body)),
  );
  r.get(
    '/api/v1/customers/:id/timeline',
    {
      schema: {
        tags,
        summary: 'The timeline, newest first, cursor-paged, optionally of one kind',
        params,
        querystring: c.timelineQuery,
        response: { 200: c.timelinePage },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.timeline(ctx, req.params.id, req.query)),
  );
  r.get(
    '/api/v1/customers/:id/notes',
    {
      schema: {
        tags,
        summary: 'Notes, pinned first',
        params,
        response: { 200: z.object({ data: z.array(c.noteSchema) }) },
      },
    },
    async (req) => ({ data: await withWorkspace(req, db, (ctx) => svc.listNotes(ctx, req.params.id)) }),
  );
  r.post(
    '/api/v1/customers/:id/notes',
    {
      schema: {
        tags,
        summary: 'Add a note (teammates named as @their-email are mentioned)',
        params,
        body: c.createNoteSchema,
        response: { 201: c.noteSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await withWorkspace(req, db, (ctx) => svc.createNote(ctx, req.params.id, req.body))),
  );
  r.patch(
    '/api/v1/customers/:id/notes/:noteId',
    {
      schema: {
        tags,
        summary: 'Edit or pin a note (version or If-Match)',
        params: c.noteParams,
        body: c.updateNoteSchema,
        response: { 200: c.noteSchema },
      },
    },
    async (req) => {
      const version = expectedVersion(req, req.body.version);
      return withWorkspace(req, db, (ctx) =>
        svc.updateNote(ctx, req.params.id, req.params.noteId, { ...req.body, version }),
      );
    },
  );
  r.delete(
    '/api/v1/customers/:id/notes/:noteId',
    { schema: { tags, summary: 'Delete a note', params: c.noteParams, response: { 200: okSchema } } },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.deleteNote(ctx, req.params.id, req.params.noteId));
      return { ok: true as const };
    },
  );
  r.get(
    '/api/v1/tags',
    {
      schema: {
        tags,
        summary: 'Tags in use, with how many customers carry each and its colour',
        response: {
          200: z.object({ data: z.array(c.tagSchema.extend({ customers: z.number() })) }),
        },
      },
    },
    async (req) => ({ data: await withWorkspace(req, db, (ctx) => svc.listTags(ctx)) }),
  );
  r.put(
    '/api/v1/tags',
    {
      schema: {
        tags,
        summary: "Set a tag's colour",
        body: c.setTagColourSchema,
        response: { 200: c.tagSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.setTagColour(ctx, req.body.name, req.body.colour)),
  );
  r.get(
    '/api/v1/custom-fields',
    {
      schema: {
        tags,
        summary: 'Custom field definitions',
        response: { 200: z.object({ data: z.array(c.customFieldSchema) }) },
      },
    },
    async (req) => ({ data: await withWorkspace(req, db, (ctx) => svc.listFields(ctx)) }),
  );
  r.post(
    '/api/v1/custom-fields',
    {
      schema: {
        tags,
        summary:
          'Define a custom field (admins): text, number, money, date, select, multi-select, boolean, URL, email',
        body: c.createCustomFieldSchema,
        response: { 201: c.customFieldSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await withWorkspace(req, db, (ctx) => svc.createField(ctx, req.body))),
  );
  r.patch(
    '/api/v1/custom-fields/:id',
    {
      schema: {
        tags,
        summary: 'Relabel, reorder or change the options of a custom field (version or If-Match)',
        params,
        body: c.updateCustomFieldSchema,
        response: { 200: c.customFieldSchema },
      },
    },
    async (req) => {
      const version = expectedVersion(req, req.body.version);
      return withWorkspace(req, db, (ctx) => svc.updateField(ctx, req.params.id, { ...req.body, version }));
    },
  );
  r.delete(
    '/api/v1/custom-fields/:id',
    {
      schema: { tags, summary: 'Delete a custom field and its values', params, response: { 200: okSchema } },
    },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.deleteField(ctx, req.params.id));
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/customers/bulk',
    {
      schema: {
        tags,
        summary: 'Tag, untag, assign an owner to or delete up to 1,000 customers at once',
        body: c.customerBulkSchema,
        response: { 200: c.customerBulkResultSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.bulkAction(ctx, req.body)),
  );
  r.post(
    '/api/v1/customers/export',
    {
      schema: {
        tags,
        summary: 'The chosen customers as CSV, with a column per custom field',
        body: c.customerExportSchema,
      },
    },
    async (req, reply) => {
      const csv = await withWorkspace(req, db, (ctx) => svc.exportCustomers(ctx, req.body.ids));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="customers.csv"')
        .send(csv);
    },
  );
  r.get(
    '/api/v1/views',
    {
      schema: {
        tags,
        summary: 'Saved views of the customer list: mine and the shared ones',
        response: { 200: z.object({ data: z.array(c.viewSchema) }) },
      },
    },
    async (req) => ({ data: await withWorkspace(req, db, (ctx) => svc.listViews(ctx)) }),
  );
  r.post(
    '/api/v1/views',
    {
      schema: {
        tags,
        summary: "Save the list's search, filters and sort as a view (shared: owners, admins and managers)",
        body: c.createViewSchema,
        response: { 201: c.viewSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await withWorkspace(req, db, (ctx) => svc.createView(ctx, req.body))),
  );
  r.delete(
    '/api/v1/views/:id',
    { schema: { tags, summary: 'Delete a saved view', params, response: { 200: okSchema } } },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.deleteView(ctx, req.params.id));
      return { ok: true as const };
    },
  );
}
