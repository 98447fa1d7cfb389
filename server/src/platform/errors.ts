import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { ErrorCode, Problem } from '../../../contracts/problem.ts';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_json: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthenticated: 401,
  two_factor_required: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_rejected: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  idempotency_key_in_progress: 409,
  precondition_required: 428,
  idempotency_key_reused: 422,
  rule_violated: 422,
  invalid_token: 422,
  invalid_code: 422,
  setup_done: 409,
  rate_limited: 429,
  database_busy: 503,
  internal: 500,
};

const TITLE: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'The request is not valid',
  malformed_json: 'The body is not valid JSON',
  payload_too_large: 'The body is too large',
  unauthenticated: 'Sign in first',
  forbidden: 'Your role does not allow this',
  not_found: 'Not found',
  version_conflict: 'Someone else changed this record; reload and try again',
  rate_limited: 'Too many requests',
  internal: 'Something went wrong on our side',
};

export type FieldError = { path: string; message: string };

/** A failure the caller can act on; the error handler turns it into problem+json. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  constructor(
    code: ErrorCode,
    detail?: string,
    extra?: { errors?: FieldError[]; headers?: Record<string, string> },
  ) {
    super(detail ?? TITLE[code] ?? code);
    this.code = code;
    this.status = STATUS[code];
    this.errors = extra?.errors;
    this.headers = extra?.headers;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found`);
export const forbidden = (detail?: string) => new AppError('forbidden', detail);

export function problem(
  code: ErrorCode,
  detail: string | undefined,
  requestId: string,
  errors?: FieldError[],
): Problem {
  const status = STATUS[code];
  return {
    type: `https://patron.dev/problems/${code.replaceAll('_', '-')}`,
    title: TITLE[code] ?? code.replaceAll('_', ' '),
    status,
    code,
    ...(detail ? { detail } : {}),
    requestId,
    ...(errors?.length ? { errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type('application/problem+json').send(p);
}

function fromFastifyError(err: FastifyError, req: FastifyRequest): Problem | undefined {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const errors = err.validation.map((v) => ({
      path: [err.validationContext, ...v.instancePath.split('/')].filter(Boolean).join('.'),
      message: v.message ?? 'is not valid',
    }));
    return problem(
      'validation_failed',
      errors.map((e) => `${e.path}: ${e.message}`).join('; '),
      req.id,
      errors,
    );
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('malformed_json', err.message, req.id);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('payload_too_large', err.message, req.id);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('unsupported_media_type', err.message, req.id);
  }
  if (err instanceof SyntaxError) return problem('malformed_json', err.message, req.id);
  if (err.statusCode === 429) return problem('rate_limited', err.message, req.id);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return { ...problem('validation_failed', err.message, req.id), status: err.statusCode };
  }
  return undefined;
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      if (err.headers) reply.headers(err.headers);
      return sendProblem(reply, problem(err.code, err.message, req.id, err.errors));
    }
    const known = fromFastifyError(err, req);
    if (known) return sendProblem(reply, known);
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, problem('internal', undefined, req.id));
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem('not_found', `No route ${req.method} ${req.url.split('?')[0]}`, req.id)),
  );
}
