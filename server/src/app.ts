import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { problemSchema } from '../../contracts/problem.ts';
import { accountsRoutes } from './modules/accounts/accounts.routes.ts';
import { installSessionAuth } from './modules/accounts/session.plugin.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { commerceRoutes } from './modules/commerce/commerce.routes.ts';
import { companiesRoutes } from './modules/customers/companies.routes.ts';
import { customersRoutes } from './modules/customers/customers.routes.ts';
import { importsRoutes } from './modules/imports/imports.routes.ts';
import { integrationsRoutes } from './modules/integrations/integrations.routes.ts';
import { mailRoutes } from './modules/mail/mail.routes.ts';
import { onboardingRoutes } from './modules/onboarding/onboarding.routes.ts';
import { segmentsRoutes } from './modules/segments/segments.routes.ts';
import { systemRoutes } from './modules/system/system.routes.ts';
import { trackingRoutes } from './modules/tracking/tracking.routes.ts';
import { workspacesRoutes } from './modules/workspaces/workspaces.routes.ts';
import { installErrorHandling } from './platform/errors.ts';
import { installCsrfCheck, installIdempotency, installNulGuard } from './platform/http.ts';
import { installHttpMetrics } from './platform/metrics.ts';
import type { Runtime } from './platform/runtime.ts';
import { nudgeTableUpkeep } from './platform/table-upkeep.ts';
import { newId } from './platform/tokens.ts';

export const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Builds the HTTP app: platform plugins first, then every module's routes, then the web app. */
export async function buildApp(rt: Runtime, opts: { serveWeb?: boolean } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: rt.log as FastifyBaseLogger,
    bodyLimit: rt.config.bodyLimit,
    trustProxy: rt.config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,100}$/.test(given) ? given : newId();
    },
    requestIdHeader: false,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // a write that went through may have grown a table past what the planner knows of it
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && reply.statusCode < 400)
      nudgeTableUpkeep(rt.database.db, rt.log);
  });
  installErrorHandling(app);

  await app.register(fastifyHelmet, {
    // HSTS belongs to the TLS-terminating proxy; on plain http://localhost it would only get in the way.
    hsts: false,
    contentSecurityPolicy: {
      directives: {
        'img-src': ["'self'", 'data:'],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'upgrade-insecure-requests': null,
      },
    },
  });
  await app.register(fastifyCookie);
  await app.register(fastifyRateLimit, {
    max: 1200,
    timeWindow: '1 minute',
    allowList: ['127.0.0.1', '::1'].filter(() => rt.config.isTest),
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patron API',
        version: '1',
        description:
          'The public REST API of Patron, the CRM for online stores. The web app uses exactly this API. Errors are application/problem+json with a stable `code`.',
      },
      servers: [{ url: '/' }],
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'patron_session' } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  // Every API route documents its error answers: problem+json for any 4xx and 5xx.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1') || !route.schema || route.schema.hide) return;
    route.schema.response = {
      ...(route.schema.response as object),
      '4XX': problemSchema,
      '5XX': problemSchema,
    };
  });

  installCsrfCheck(app, rt.config);
  installSessionAuth(app, rt.database.db);
  installIdempotency(app, rt.database.db);
  installNulGuard(app);
  installHttpMetrics(app);

  systemRoutes(app, rt);
  onboardingRoutes(app, rt);
  accountsRoutes(app, rt);
  workspacesRoutes(app, rt);
  auditRoutes(app, rt);
  mailRoutes(app, rt);
  commerceRoutes(app, rt);
  customersRoutes(app, rt);
  companiesRoutes(app, rt);
  segmentsRoutes(app, rt);
  integrationsRoutes(app, rt);
  importsRoutes(app, rt);
  trackingRoutes(app, rt);
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (opts.serveWeb !== false && fs.existsSync(path.join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false });
    const indexHtml = fs.readFileSync(path.join(webDist, 'index.html'));
    // Every page of the web app is index.html; the router in the browser takes it from there.
    app.get('/*', { schema: { hide: true } }, async (req, reply) => {
      if (req.url.startsWith('/api/')) return reply.callNotFound();
      const file = path.join(webDist, decodeURIComponent(req.url.split('?')[0]!));
      if (file.startsWith(webDist) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        return reply.sendFile(path.relative(webDist, file));
      }
      return reply.type('text/html').header('cache-control', 'no-cache').send(indexHtml);
    });
  }
  return app;
}
