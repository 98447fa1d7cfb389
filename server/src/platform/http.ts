import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../../contracts/roles.ts';
import type { Config } from './config.ts';
import type { RequestMeta, WorkspaceCtx } from './context.ts';
import { type Db, inWorkspace } from './db.ts';
import { AppError } from './errors.ts';
import { idempotencyKeys } from './platform.table.ts';

export type AuthState = {
  userId: string;
  email: string;
  sessionId: string;
  verified: boolean;
  workspaceId: string | null;
  role: Role | null;
};

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthState | null;
  }
  interface FastifyContextConfig {
    /** false for endpoints that other sites call by design (webhooks, tracking) */
    csrf?: boolean;
  }
}

export const requestMeta = (req: FastifyRequest): RequestMeta => ({
  ip: req.ip ?? null,
  userAgent: req.headers['user-agent']?.slice(0, 500) ?? null,
  requestId: req.id,
});

/** The address links in emails point at: PUBLIC_URL, or the address the request came to. */
export const baseUrl = (req: FastifyRequest, config: Config): string =>
  config.publicUrl?.replace(/\/$/, '') ?? `${req.protocol}://${req.host}`;

export function requireUser(req: FastifyRequest): AuthState {
  if (!req.auth) throw new AppError('unauthenticated', 'Sign in first.');
  if (!req.auth.verified)
    throw new AppError('two_factor_required', 'Enter your two-factor code to finish signing in.');
  return req.auth;
}

/**
 * Runs a service call for the signed-in person's current workspace, in a transaction that
 * row-level security confines to that workspace.
 */
export async function withWorkspace<T>(
  req: FastifyRequest,
  db: Db,
  fn: (ctx: WorkspaceCtx) => Promise<T>,
): Promise<T> {
  const auth = requireUser(req);
  if (!auth.workspaceId || !auth.role) {
    throw new AppError('forbidden', 'You are not a member of any workspace. Ask an admin for an invitation.');
  }
  const { workspaceId, role } = auth;
  return inWorkspace(db, workspaceId, (tx) =>
    fn({ db: tx, workspaceId, userId: auth.userId, email: auth.email, role, meta: requestMeta(req) }),
  );
}

/** The version an update was made against: the body's `version`, or the If-Match header. */
export function expectedVersion(req: FastifyRequest, bodyVersion: number | undefined): number {
  if (bodyVersion !== undefined) return bodyVersion;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(String(req.headers['if-match'] ?? ''));
  if (m) return Number(m[1]);
  throw new AppError(
    'precondition_required',
    'Send the version you read, as `version` in the body or an If-Match header.',
  );
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF: a browser always names the page a write comes from (Origin, or Sec-Fetch-Site); a write
 * from another site is refused. Clients that are not browsers send neither and are let through,
 * which is safe because only browsers attach cookies on their own. Cookies are SameSite=Lax too.
 */
export function installCsrfCheck(app: FastifyInstance, config: Config): void {
  app.addHook('onRequest', async (req) => {
    if (!UNSAFE.has(req.method) || req.routeOptions.config?.csrf === false) return;
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site')
      throw new AppError('csrf_rejected', 'Cross-site requests may not change anything.');
    const origin = req.headers.origin;
    if (!origin) return;
    const allowed = new Set([
      `${req.protocol}://${req.host}`,
      ...(config.publicUrl ? [new URL(config.publicUrl).origin] : []),
    ]);
    if (!allowed.has(origin))
      throw new AppError('csrf_rejected', `Requests from ${origin} may not change anything here.`);
  });
}

/**
 * Idempotency-Key on POST: the first request's answer is stored and replayed for a retry with the
 * same key and body; the same key with another body is refused.
 */
export function installIdempotency(app: FastifyInstance, db: Db): void {
  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key'];
    if (req.method !== 'POST' || typeof key !== 'string' || !key) return;
    if (key.length > 200)
      throw new AppError('validation_failed', 'Idempotency-Key is at most 200 characters.');
    const scope = req.auth ? `${req.auth.userId}:${req.auth.workspaceId ?? ''}` : `ip:${req.ip}`;
    const requestHash = createHash('sha256')
      .update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex');
    const claimed = await db
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length > 0) {
      (req as FastifyRequest & { idem?: { scope: string; key: string } }).idem = { scope, key };
      return;
    }
    const [prior] = await db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
    if (!prior) return;
    if (prior.requestHash !== requestHash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used for a different request.');
    }
    if (prior.statusCode === null)
      throw new AppError('idempotency_key_in_progress', 'The first request with this key is still running.');
    reply.header('idempotent-replayed', 'true');
    return replay(reply, prior.statusCode, prior.responseBody);
  });
  app.addHook('onSend', async (req, reply, payload) => {
    const idem = (req as FastifyRequest & { idem?: { scope: string; key: string } }).idem;
    if (!idem) return payload;
    const where = and(eq(idempotencyKeys.scope, idem.scope), eq(idempotencyKeys.key, idem.key));
    if (reply.statusCode >= 500) {
      await db.delete(idempotencyKeys).where(where);
    } else {
      await db
        .update(idempotencyKeys)
        .set({ statusCode: reply.statusCode, responseBody: typeof payload === 'string' ? payload : null })
        .where(where);
    }
    return payload;
  });
}

function replay(reply: FastifyReply, status: number, body: string | null) {
  return reply
    .status(status)
    .type(status >= 400 ? 'application/problem+json' : 'application/json')
    .send(body ?? '');
}

export const purgeOldIdempotencyKeys = (db: Db) =>
  db.execute(sql`DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`);

/** The path of the first string holding a NUL character, which PostgreSQL text cannot store. */
/** Where in parsed JSON a string holds a NUL, as path segments (the path is built only on a hit). */
function findNul(value: unknown, depth = 0): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], depth + 1);
      if (hit) return [String(i), ...hit];
    }
    return undefined;
  }
  // only parsed JSON: a raw body (a stream or a buffer) is not walked
  if (Object.getPrototypeOf(value) !== Object.prototype) return undefined;
  for (const k in value) {
    const hit = findNul((value as Record<string, unknown>)[k], depth + 1);
    if (hit) return [k, ...hit];
  }
  return undefined;
}

const nulAt = (value: unknown, root: string) => {
  const hit = findNul(value);
  return hit ? [root, ...hit].join('.') : undefined;
};

/** Text with a NUL byte is refused up front with the field named, instead of failing in the database. */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (req) => {
    const hit = nulAt(req.body, 'body') ?? nulAt(req.query, 'querystring') ?? nulAt(req.params, 'params');
    if (hit) {
      throw new AppError('validation_failed', `${hit}: text may not contain NUL characters`, {
        errors: [{ path: hit, message: 'may not contain NUL characters' }],
      });
    }
  });
}
