import { z } from 'zod';
import { idSchema, isoDate, pageOf, pageQuery } from './common.ts';

export const auditEntry = z.object({
  id: idSchema,
  actorUserId: z.string().nullable(),
  actorEmail: z.string().nullable(),
  action: z.string(),
  recordType: z.string(),
  recordId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  at: isoDate,
});
export const auditQuery = pageQuery.extend({
  action: z.string().max(100).optional(),
  recordType: z.string().max(100).optional(),
  actor: z.string().max(254).optional().describe('actor email, or part of it'),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export const auditPage = pageOf(auditEntry);

export const outboxMessage = z.object({
  id: idSchema,
  toEmail: z.string(),
  subject: z.string(),
  text: z.string(),
  kind: z.string(),
  status: z.enum(['held', 'queued', 'sent', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  sentAt: isoDate.nullable(),
  createdAt: isoDate,
});
export const outboxPage = pageOf(outboxMessage);
