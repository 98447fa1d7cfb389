import { z } from 'zod';
import { email, idSchema, isoDate, password, personName } from './common.ts';
import { permissions, roles } from './roles.ts';

export const roleSchema = z.enum(roles);
export const permissionSchema = z.enum(permissions);

export const setupStatus = z.object({ needsSetup: z.boolean() });
export const setupBody = z.object({
  workspaceName: z.string().trim().min(1).max(120),
  name: personName,
  email,
  password,
});

export const signInBody = z.object({
  email,
  password: z.string().min(1).max(200),
});
export const signInResult = z.object({
  /** true when the account has two-factor on: POST /auth/two-factor with a code to finish */
  twoFactorRequired: z.boolean(),
});
export const twoFactorBody = z.object({
  code: z
    .string()
    .trim()
    .min(6)
    .max(20)
    .describe('a 6-digit code from the authenticator app, or a recovery code'),
});

export const workspaceSummary = z.object({
  id: idSchema,
  name: z.string(),
  slug: z.string(),
  role: roleSchema,
});
export const meResult = z.object({
  user: z.object({ id: idSchema, email: z.string(), name: z.string(), twoFactorEnabled: z.boolean() }),
  workspace: workspaceSummary.extend({ timeZone: z.string(), currency: z.string() }).nullable(),
  permissions: z.array(permissionSchema),
  workspaces: z.array(workspaceSummary),
});
export type Me = z.infer<typeof meResult>;

export const switchWorkspaceBody = z.object({ workspaceId: idSchema });

export const sessionItem = z.object({
  id: idSchema,
  current: z.boolean(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: isoDate,
  lastSeenAt: isoDate,
});
export const sessionList = z.object({ data: z.array(sessionItem) });

export const changePasswordBody = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: password,
});
export const updateProfileBody = z.object({ name: personName });

export const resetRequestBody = z.object({ email });
export const resetConfirmBody = z.object({ token: z.string().min(10).max(200), password });

export const twoFactorSetupBody = z.object({ password: z.string().min(1).max(200) });
export const twoFactorSetupResult = z.object({
  secret: z.string(),
  otpauthUrl: z.string(),
  qrSvg: z.string(),
});
export const twoFactorEnableBody = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'a 6-digit code'),
});
export const recoveryCodesResult = z.object({ recoveryCodes: z.array(z.string()) });
export const twoFactorDisableBody = z.object({ password: z.string().min(1).max(200) });
