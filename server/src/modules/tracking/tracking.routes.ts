import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { trackBody } from '../../../../contracts/tracking.ts';
import { AppError } from '../../platform/errors.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { track } from './tracking.service.ts';

const snippet = fs.readFileSync(new URL('./snippet.js', import.meta.url), 'utf8');

/** The tracking endpoint is called by the store's pages on other sites: open CORS, no cookies, rate-limited. */
export function trackingRoutes(app: FastifyInstance, rt: Runtime): void {
  app.get('/t.js', { schema: { hide: true } }, async (_req, reply) =>
    reply
      .type('text/javascript')
      .header('cache-control', 'public, max-age=3600')
      .header('cross-origin-resource-policy', 'cross-origin')
      .send(snippet),
  );
  app.register(async (scope) => {
    // sendBeacon posts text/plain; the body is JSON all the same
    scope.addContentTypeParser(
      'text/plain',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => {
        try {
          done(null, JSON.parse(String(body)));
        } catch {
          done(new AppError('malformed_json', 'The body is not valid JSON'), undefined);
        }
      },
    );
    scope.addHook('onSend', async (_req, reply) => {
      reply.header('access-control-allow-origin', '*');
      reply.header('cross-origin-resource-policy', 'cross-origin');
    });
    scope.options('/api/v1/track', { schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type')
        .status(204)
        .send(),
    );
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/track',
      {
        config: { csrf: false, rateLimit: { max: 300, timeWindow: '1 minute' } },
        bodyLimit: 16 * 1024,
        schema: {
          tags: ['Tracking'],
          summary:
            "An event from the store's site (page, product, cart, checkout, identify); public, by tracking key",
          security: [],
          body: trackBody,
          response: { 202: z.object({ ok: z.literal(true) }) },
        },
      },
      async (req, reply) => {
        await track(rt.database.db, req.body);
        return reply.status(202).send({ ok: true as const });
      },
    );
  });
}
