import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as c from '../../../../contracts/commerce-api.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { withWorkspace } from '../../platform/http.ts';
import { assertCan } from '../../platform/permissions.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './commerce.service.ts';
import * as ingest from './ingest.service.ts';
import { getProduct } from './products.service.ts';

const idParams = z.object({ id: z.uuid() });

export function commerceRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;
  const scope = (ctx: WorkspaceCtx): ingest.Scope => ({
    workspaceId: ctx.workspaceId,
    source: 'api',
    actorUserId: ctx.userId,
  });

  const batch = <T>(
    path: string,
    summary: string,
    body: z.ZodType<{ items: T[] }>,
    permission: 'customers.write' | 'orders.write',
    run: (ctx: WorkspaceCtx, items: T[]) => Promise<ingest.ItemResult[]>,
    // work committed in a transaction of its own before the batch's (the people orders name)
    prepare?: (ctx: WorkspaceCtx, items: T[]) => Promise<void>,
  ) =>
    r.post(
      path,
      { schema: { tags: ['Commerce'], summary, body, response: { 200: c.batchResult } } },
      async (req) => {
        if (prepare)
          await withWorkspace(req, db, async (ctx) => {
            assertCan(ctx, permission);
            await prepare(ctx, req.body.items);
          });
        return withWorkspace(req, db, async (ctx) => {
          assertCan(ctx, permission);
          return { results: await run(ctx, req.body.items) };
        });
      },
    );

  batch(
    '/api/v1/customers/batch',
    'Upsert up to 1,000 customers by external id',
    c.customerBatch,
    'customers.write',
    (ctx, items) => ingest.upsertCustomers(ctx.db, scope(ctx), items),
  );
  batch(
    '/api/v1/products/batch',
    'Upsert up to 1,000 products by external id',
    c.productBatch,
    'orders.write',
    (ctx, items) => ingest.upsertProducts(ctx.db, scope(ctx), items),
  );
  batch(
    '/api/v1/orders/batch',
    'Upsert up to 1,000 orders by external id (older updates never win)',
    c.orderBatch,
    'orders.write',
    (ctx, items) => ingest.upsertOrders(ctx.db, scope(ctx), items),
    (ctx, items) => ingest.createOrderPeople(ctx.db, scope(ctx), items),
  );
  batch(
    '/api/v1/refunds/batch',
    'Record up to 1,000 refunds by external id',
    c.refundBatch,
    'orders.write',
    (ctx, items) => ingest.upsertRefunds(ctx.db, scope(ctx), items),
  );
  batch(
    '/api/v1/checkouts/batch',
    'Upsert up to 1,000 carts/checkouts by external id',
    c.checkoutBatch,
    'orders.write',
    (ctx, items) => ingest.upsertCheckouts(ctx.db, scope(ctx), items),
  );

  r.get(
    '/api/v1/customers',
    {
      schema: {
        tags: ['Commerce'],
        summary: 'Customers (q searches email, name, phone, company, platform id)',
        description:
          'Filters and sorts by custom fields too. `cf.<key>=value`: equal for text, email and URL ' +
          '(without regard to case), select and boolean (`true`/`false`); contains for multi-select; ' +
          'equal for number, money (minor units) and date (YYYY-MM-DD), which also take ranges ' +
          '`cf.<key>.min` and `cf.<key>.max` (inclusive). `sort=cf.<key>` sorts by a custom field ' +
          '(customers without a value come last when descending). An unknown key, a range on another ' +
          'type or a value of the wrong type answers 400 naming the parameter and the field.',
        querystring: c.customerListQuery,
        response: { 200: c.customerPage },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.listCustomers(ctx, req.query)),
  );
  r.get(
    '/api/v1/customers/:id',
    {
      schema: {
        tags: ['Commerce'],
        summary: 'One customer',
        params: idParams,
        response: { 200: c.customerSummary },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.getCustomer(ctx, req.params.id)),
  );
  r.post(
    '/api/v1/customers/:id/merge',
    {
      schema: {
        tags: ['Commerce'],
        summary: 'Merge a duplicate into this customer',
        params: idParams,
        body: c.mergeBody,
        response: { 200: c.customerSummary },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.mergeCustomers(ctx, req.params.id, req.body.mergeId)),
  );
  r.get(
    '/api/v1/orders',
    {
      schema: {
        tags: ['Commerce'],
        summary: 'Orders, newest first (q searches number, external id, email)',
        querystring: c.orderListQuery,
        response: { 200: c.orderPage },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.listOrders(ctx, req.query)),
  );
  r.get(
    '/api/v1/orders/:id',
    {
      schema: {
        tags: ['Commerce'],
        summary: 'One order with lines, refunds and status history',
        params: idParams,
        response: { 200: c.orderDetail },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.getOrder(ctx, req.params.id)),
  );
  r.get(
    '/api/v1/products',
    {
      schema: {
        tags: ['Commerce'],
        summary: 'Products (q searches title, SKU, external id)',
        querystring: c.productListQuery,
        response: { 200: c.productPage },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.listProducts(ctx, req.query)),
  );
  r.get(
    '/api/v1/products/:id',
    {
      schema: {
        tags: ['Commerce'],
        summary:
          'One product with variants, stock and sales: monthly, top buyers, bought with, latest orders',
        params: idParams,
        response: { 200: c.productDetail },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => getProduct(ctx, req.params.id)),
  );
}
