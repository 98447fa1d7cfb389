import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as c from '../../../../contracts/imports.ts';
import { withWorkspace } from '../../platform/http.ts';
import { assertCan } from '../../platform/permissions.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { customerFields } from '../customers/list-custom.ts';
import { fieldsFor, type ImportKind, requiredFields } from './csv-columns.ts';
import * as svc from './imports.service.ts';

const idParams = z.object({ id: z.uuid() });
const tags = ['Imports'];

export function importsRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;

  r.get(
    '/api/v1/imports/fields/:kind',
    {
      schema: {
        tags,
        summary:
          'The fields a CSV import of this kind can fill (customers: also each custom field, as custom.<key>)',
        params: z.object({ kind: c.importKind }),
        response: { 200: c.importFieldsView },
      },
    },
    async (req) => {
      const kind = req.params.kind as ImportKind;
      const required = new Set(requiredFields[kind].filter((g) => g.length === 1).flat());
      const custom = kind === 'customers' ? await withWorkspace(req, db, (ctx) => customerFields(ctx)) : [];
      return {
        fields: fieldsFor(kind, custom).map((f) => ({
          field: f.field,
          label: f.label,
          required: required.has(f.field),
        })),
      };
    },
  );
  r.get(
    '/api/v1/imports',
    { schema: { tags, summary: 'Recent CSV imports', response: { 200: c.importList } } },
    async (req) => withWorkspace(req, db, svc.listImports),
  );
  r.post(
    '/api/v1/imports',
    {
      schema: {
        tags,
        summary: 'Start a CSV import: then PUT its file',
        body: c.createImportBody,
        response: { 201: c.importView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await withWorkspace(req, db, (ctx) => svc.createImport(ctx, req.body))),
  );
  r.get(
    '/api/v1/imports/:id',
    {
      schema: {
        tags,
        summary: 'An import: columns, mapping, progress and counts',
        params: idParams,
        response: { 200: c.importView },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.getImport(ctx, req.params.id)),
  );
  r.post(
    '/api/v1/imports/:id/start',
    {
      schema: {
        tags,
        summary: 'Run the import (or a dry run) in the background with this column mapping',
        params: idParams,
        body: c.startImportBody,
        response: { 200: c.importView },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.startImport(ctx, rt.jobs, req.params.id, req.body)),
  );
  r.get(
    '/api/v1/imports/:id/errors.csv',
    {
      schema: {
        tags,
        summary: 'The rows that failed (and warnings), with line numbers, as CSV',
        params: idParams,
      },
    },
    async (req, reply) => {
      const csv = await withWorkspace(req, db, (ctx) => svc.importErrorsCsv(ctx, req.params.id));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-${req.params.id}-errors.csv"`)
        .send(csv);
    },
  );
  // The file itself: the raw body (plain or gzip CSV), streamed into the database.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.withTypeProvider<ZodTypeProvider>().put(
      '/api/v1/imports/:id/file',
      {
        schema: {
          tags,
          summary: 'Upload the CSV file (plain or gzip) as the raw request body',
          params: idParams,
          response: { 200: c.importView },
        },
      },
      async (req) => {
        const ws = await withWorkspace(req, db, async (ctx) => {
          const imp = await svc.getImport(ctx, req.params.id);
          assertCan(ctx, imp.kind === 'customers' ? 'customers.write' : 'orders.write');
          return ctx.workspaceId;
        });
        return svc.storeFile(db, ws, req.params.id, req.body as AsyncIterable<Buffer>);
      },
    );
  });
}
