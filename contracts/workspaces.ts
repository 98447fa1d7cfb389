import { z } from 'zod';
import { roleSchema } from './auth.ts';
import { email, idSchema, isoDate, password, personName } from './common.ts';

export const timeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Europe/Berlin');

export const workspaceSchema = z.object({
  id: idSchema,
  name: z.string(),
  slug: z.string(),
  timeZone: z.string(),
  currency: z.string(),
  version: z.number().int(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export const updateWorkspaceBody = z.object({
  name: z.string().trim().min(1).max(120).optional(),
  timeZone: timeZone.optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR')
    .optional(),
  version: z.number().int().positive().optional().describe('the version read; or send If-Match'),
});
export const createWorkspaceBody = z.object({ name: z.string().trim().min(1).max(120) });

export const memberSchema = z.object({
  userId: idSchema,
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  twoFactorEnabled: z.boolean(),
  version: z.number().int(),
  joinedAt: isoDate,
});
export const memberList = z.object({ data: z.array(memberSchema) });
export const updateMemberBody = z.object({
  role: roleSchema,
  version: z.number().int().positive().optional(),
});

export const invitationSchema = z.object({
  id: idSchema,
  email: z.string(),
  role: roleSchema,
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
  invitedBy: z.string().nullable(),
  expiresAt: isoDate,
  createdAt: isoDate,
});
export const invitationList = z.object({ data: z.array(invitationSchema) });
export const createInvitationBody = z.object({ email, role: roleSchema });
export const invitationLookup = z.object({
  workspaceName: z.string(),
  email: z.string(),
  role: roleSchema,
  accountExists: z.boolean(),
});
export const acceptInvitationBody = z.object({
  token: z.string().min(10).max(200),
  name: personName.optional(),
  password: password.optional(),
});
