import { z } from 'zod';

/** Stable error codes. Clients branch on `code`, never on the human-readable text. */
export const errorCodes = [
  'validation_failed',
  'malformed_json',
  'payload_too_large',
  'unsupported_media_type',
  'unauthenticated',
  'two_factor_required',
  'forbidden',
  'csrf_rejected',
  'not_found',
  'conflict',
  'version_conflict',
  'precondition_required',
  'idempotency_key_reused',
  'idempotency_key_in_progress',
  'rule_violated',
  'rate_limited',
  'invalid_credentials',
  'invalid_token',
  'invalid_code',
  'setup_done',
  'database_busy',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
export type Problem = z.infer<typeof problemSchema>;
