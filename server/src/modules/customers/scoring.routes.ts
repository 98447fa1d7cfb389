// Settings → Customer scoring: the workspace's lifecycle rules, a preview of proposed ones, and saving.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import * as c from '../../../../contracts/scoring.ts';
import { expectedVersion, withWorkspace } from '../../platform/http.ts';
import type { Runtime } from '../../platform/runtime.ts';
import * as svc from './scoring.service.ts';

export function scoringRoutes(app: FastifyInstance, rt: Runtime): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const db = rt.database.db;
  const tags = ['Customers'];

  r.get(
    '/api/v1/customer-scoring',
    {
      schema: {
        tags,
        summary:
          'The lifecycle rules (loyal after N orders, at-risk and churned factors), the figures they compare with and when the last full rescore finished',
        response: { 200: c.scoringSettingsSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.getScoring(ctx)),
  );
  r.put(
    '/api/v1/customer-scoring',
    {
      schema: {
        tags,
        summary:
          'Save the lifecycle rules (owners and admins; version or If-Match, a stale one answers 409); every customer is rescored in the background',
        body: c.updateScoringSchema,
        response: { 200: c.scoringSettingsSchema },
      },
    },
    async (req, reply) => {
      const version = expectedVersion(req, req.body.version);
      const out = await withWorkspace(req, db, (ctx) =>
        svc.updateScoring(ctx, rt.jobs, { ...req.body, version }),
      );
      reply.header('etag', `"${out.version}"`);
      return out;
    },
  );
  r.post(
    '/api/v1/customer-scoring/preview',
    {
      schema: {
        tags,
        summary:
          'How many customers would be in each lifecycle stage and tier under proposed rules, next to the saved ones (nothing is saved)',
        body: c.scoringRulesSchema,
        response: { 200: c.scoringPreviewSchema },
      },
    },
    async (req) => withWorkspace(req, db, (ctx) => svc.previewScoring(ctx, req.body)),
  );
}
