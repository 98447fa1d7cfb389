import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { okSchema } from '../../../../contracts/common.ts';
import * as c from '../../../../contracts/integrations.ts';
import { baseUrl, withWorkspace } from '../../platform/http.ts';
import { assertCan } from '../../platform/permissions.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './integrations.service.ts';

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const webhookAnswer = z.object({ status: z.string(), detail: z.string().optional() });

export function integrationsRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;
  const tags = ['Integrations'];

  r.get(
    '/api/v1/integrations',
    {
      schema: {
        tags,
        summary: 'Connected stores and their latest webhook deliveries',
        response: { 200: c.integrationList },
      },
    },
    async (req) => {
      const base = baseUrl(req, rt.config);
      const list = await withWorkspace(req, db, svc.listIntegrations);
      return {
        ...list,
        webhookUrls: {
          shopify: `${base}/api/v1/webhooks/shopify`,
          woocommerce: `${base}/api/v1/webhooks/woocommerce`,
        },
      };
    },
  );

  r.post(
    '/api/v1/integrations',
    {
      schema: {
        tags,
        summary: 'Connect a Shopify or WooCommerce store',
        body: c.connectBody,
        response: { 201: c.integrationView },
      },
    },
    async (req, reply) => {
      const conn = await withWorkspace(req, db, async (ctx) => {
        assertCan(ctx, 'integrations.manage');
        return ctx;
      }).then((ctx) =>
        svc.connectStore(
          db,
          ctx.workspaceId,
          { userId: ctx.userId, email: ctx.email, role: ctx.role, meta: ctx.meta },
          req.body,
        ),
      );
      return reply.status(201).send(conn);
    },
  );

  r.delete(
    '/api/v1/integrations/:id',
    {
      schema: {
        tags,
        summary: 'Disconnect a store',
        params: z.object({ id: z.uuid() }),
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await withWorkspace(req, db, (ctx) => svc.disconnect(ctx, req.params.id));
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/tracking',
    {
      schema: {
        tags,
        summary: "The store site's tracking key and snippet",
        response: { 200: c.trackingInfo },
      },
    },
    async (req) => {
      const key = await withWorkspace(req, db, svc.trackingKey);
      const base = baseUrl(req, rt.config);
      const snippet = `<script async src="${base}/t.js" data-key="${key}"></script>`;
      return { key, endpoint: `${base}/api/v1/track`, snippet };
    },
  );

  // Webhooks: signed by the store, sent from its servers. The raw body is kept for the signature.
  app.register(async (hooks) => {
    hooks.removeAllContentTypeParsers();
    hooks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) =>
      done(null, body),
    );
    const hr = hooks.withTypeProvider<ZodTypeProvider>();
    hr.post(
      '/api/v1/webhooks/shopify',
      {
        config: { csrf: false },
        schema: {
          tags,
          summary: 'Shopify webhooks (HMAC-signed); the workspace is found from X-Shopify-Shop-Domain',
          security: [],
          response: { 200: webhookAnswer },
        },
      },
      async (req, reply) => {
        const out = await svc.receiveWebhook(db, {
          kind: 'shopify',
          address: header(req, 'x-shopify-shop-domain'),
          signature: header(req, 'x-shopify-hmac-sha256'),
          topic: header(req, 'x-shopify-topic'),
          deliveryId: header(req, 'x-shopify-event-id') ?? header(req, 'x-shopify-webhook-id'),
          rawBody: req.body as Buffer,
        });
        return reply.status(out.status).send(out.body);
      },
    );
    hr.post(
      '/api/v1/webhooks/woocommerce',
      {
        config: { csrf: false },
        schema: {
          tags,
          summary: 'WooCommerce webhooks (signed); the workspace is found from X-WC-Webhook-Source',
          security: [],
          response: { 200: webhookAnswer },
        },
      },
      async (req, reply) => {
        const body = req.body as Buffer;
        // WooCommerce "pings" a new webhook with a form body `webhook_id=…` and no topic.
        if (!header(req, 'x-wc-webhook-topic') && /^webhook_id=\d+$/.test(body.toString('utf8').trim())) {
          return reply.send({ status: 'ping' });
        }
        const out = await svc.receiveWebhook(db, {
          kind: 'woocommerce',
          address: header(req, 'x-wc-webhook-source'),
          signature: header(req, 'x-wc-webhook-signature'),
          topic: header(req, 'x-wc-webhook-topic'),
          deliveryId: header(req, 'x-wc-webhook-delivery-id'),
          rawBody: body,
        });
        return reply.status(out.status).send(out.body);
      },
    );
  });
}
