import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { okSchema } from '../../../../contracts/common.ts';
import * as c from '../../../../contracts/companies.ts';
import { expectedVersion, withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './companies.service.ts';

export function companiesRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;
  const tags = ['Companies'];
  const params = z.object({ id: z.uuid() });

  r.get(
    '/api/v1/companies',
    {
      schema: {
        tags,
        summary: 'Companies by name, cursor-paged; q finds part of the name or the domain',
        querystring: c.companyListQuery,
        response: { 200: c.companyPage },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.listCompanies(ctx, req.query)),
  );
  r.post(
    '/api/v1/companies',
    {
      schema: {
        tags,
        summary: 'Create a company (the account manager must be a member; custom values fit their fields)',
        body: c.createCompanySchema,
        response: { 201: c.companyDetailSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await withWorkspace(req, db, (ctx) => svc.createCompany(ctx, req.body))),
  );
  r.get(
    '/api/v1/companies/:id',
    {
      schema: {
        tags,
        summary:
          'A company with its contacts (customers) and their totals: customers, orders, lifetime spend',
        params,
        response: { 200: c.companyDetailSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.getCompany(ctx, req.params.id)),
  );
  r.patch(
    '/api/v1/companies/:id',
    {
      schema: {
        tags,
        summary: 'Edit a company and its custom field values (version or If-Match; a stale one answers 409)',
        params,
        body: c.updateCompanySchema,
        response: { 200: c.companyDetailSchema },
      },
    },
    async (req, reply) => {
      const version = expectedVersion(req, req.body.version);
      const out = await withWorkspace(req, db, (ctx) =>
        svc.updateCompany(ctx, req.params.id, { ...req.body, version }),
      );
      reply.header('etag', `"${out.version}"`);
      return out;
    },
  );
  r.delete(
    '/api/v1/companies/:id',
    {
      schema: {
        tags,
        summary: 'Delete a company; its customers stay, unlinked',
        params,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.deleteCompany(ctx, req.params.id));
      return { ok: true as const };
    },
  );
  r.post(
    '/api/v1/companies/:id/contacts',
    {
      schema: {
        tags,
        summary: 'Link a customer to this company (moving it from the one it had); on its timeline',
        params,
        body: c.companyContactBody,
        response: { 200: c.companyDetailSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.linkCustomer(ctx, req.params.id, req.body.customerId)),
  );
  r.delete(
    '/api/v1/companies/:id/contacts/:customerId',
    {
      schema: {
        tags,
        summary: 'Unlink a customer from this company',
        params: c.companyContactParams,
        response: { 200: c.companyDetailSchema },
      },
    },
    async (req) =>
      withWorkspace(req, db, (ctx) => svc.unlinkCustomer(ctx, req.params.id, req.params.customerId)),
  );
  r.get(
    '/api/v1/customers/:id/relations',
    {
      schema: {
        tags: ['Customers'],
        summary:
          "Related contacts (household, business associates, gift recipients), read from this customer's side",
        params,
        response: { 200: z.object({ data: z.array(c.relationSchema) }) },
      },
    },
    async (req) => ({ data: await withWorkspace(req, db, (ctx) => svc.relationsOf(ctx, req.params.id)) }),
  );
  r.post(
    '/api/v1/customers/:id/relations',
    {
      schema: {
        tags: ['Customers'],
        summary: 'Relate another customer (not itself, and one relation per pair); on both timelines',
        params,
        body: c.createRelationSchema,
        response: { 201: c.relationSchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await withWorkspace(req, db, (ctx) => svc.createRelation(ctx, req.params.id, req.body))),
  );
  r.delete(
    '/api/v1/customers/:id/relations/:relationId',
    {
      schema: {
        tags: ['Customers'],
        summary: 'Remove a related contact (from either side)',
        params: c.relationParams,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.deleteRelation(ctx, req.params.id, req.params.relationId));
      return { ok: true as const };
    },
  );
}
