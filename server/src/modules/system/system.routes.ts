import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { pendingMigrations } from '../../platform/db.ts';
import { registry } from '../../platform/metrics.ts';
import type { Runtime } from '../../platform/runtime.ts';

/** Liveness, readiness and Prometheus metrics: for load balancers and monitoring, not the API. */
export function systemRoutes(app: FastifyInstance, rt: Runtime): void {
  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async (_req, reply) => {
    try {
      await rt.database.db.execute(sql`SELECT 1`);
      const pending = await pendingMigrations(rt.database.db);
      if (pending > 0) return reply.status(503).send({ status: 'migrations pending', pending });
      return { status: 'ready', database: rt.database.kind };
    } catch (err) {
      rt.log.warn({ err }, 'readiness check failed');
      return reply.status(503).send({ status: 'database unreachable' });
    }
  });
  app.get('/metrics', hide, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
