import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import QRCode from 'qrcode';
import type { RequestMeta } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { hashToken, newId, newToken } from '../../platform/tokens.ts';
import { recordChange } from '../audit/index.ts';
import { queueMail } from '../mail/index.ts';
import { memberships, workspaces } from '../workspaces/workspaces.table.ts';
import { authAttempts, passwordResets, recoveryCodes, sessions, users } from './accounts.table.ts';
import { checkTotp, hashPassword, newTotpSecret, totpFor, verifyPassword } from './passwords.ts';
import { createSession, findSession, revokeOtherSessions, type UserRow } from './sessions.ts';

const WINDOW_MS = 15 * 60_000;
const MAX_FAILS_PER_ACCOUNT = 10;
const MAX_FAILS_PER_IP = 50;

/** Brute-force limits, counted in the database so every web process shares them. */
async function assertNotThrottled(db: Db, email: string, ip: string): Promise<void> {
  const since = new Date(Date.now() - WINDOW_MS);
  const [byAccount] = await db
    .select({ n: count() })
    .from(authAttempts)
    .where(and(eq(authAttempts.email, email), eq(authAttempts.succeeded, false), gt(authAttempts.at, since)));
  const [byIp] = await db
    .select({ n: count() })
    .from(authAttempts)
    .where(and(eq(authAttempts.ip, ip), eq(authAttempts.succeeded, false), gt(authAttempts.at, since)));
  if ((byAccount?.n ?? 0) >= MAX_FAILS_PER_ACCOUNT || (byIp?.n ?? 0) >= MAX_FAILS_PER_IP) {
    throw new AppError('rate_limited', 'Too many failed attempts. Wait 15 minutes, or reset your password.', {
      headers: { 'retry-after': String(WINDOW_MS / 1000) },
    });
  }
}

async function recordAttempt(db: Db, email: string, ip: string, succeeded: boolean): Promise<void> {
  await db.insert(authAttempts).values({ id: newId(), email, ip, succeeded });
}

export async function createUser(
  db: Db,
  u: { email: string; name: string; password: string },
): Promise<UserRow> {
  const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, u.email));
  if (existing) throw new AppError('conflict', 'An account with this email already exists; sign in instead.');
  const [row] = await db
    .insert(users)
    .values({ id: newId(), email: u.email, name: u.name, passwordHash: await hashPassword(u.password) })
    .returning();
  return row!;
}

export type SignInResult = { token: string; twoFactorRequired: boolean };

export async function signIn(
  rt: Runtime,
  body: { email: string; password: string },
  meta: RequestMeta,
): Promise<SignInResult> {
  const db = rt.database.db;
  const ip = meta.ip ?? 'unknown';
  await assertNotThrottled(db, body.email, ip);
  const [user] = await db.select().from(users).where(eq(users.email, body.email));
  const ok = await verifyPassword(user?.passwordHash ?? null, body.password);
  await recordAttempt(db, body.email, ip, ok && !!user);
  if (!ok || !user) throw new AppError('invalid_credentials', 'The email or password is not right.');
  const twoFactorRequired = !!user.totpEnabledAt;
  const token = await createSession(db, {
    userId: user.id,
    workspaceId: null,
    verified: !twoFactorRequired,
    meta,
    days: twoFactorRequired ? 1 : rt.config.sessionDays,
  });
  return { token, twoFactorRequired };
}

/** Finishes a sign-in with a TOTP or recovery code; answers a fresh session token (the old one is revoked). */
export async function completeTwoFactor(
  rt: Runtime,
  pendingToken: string | undefined,
  code: string,
  meta: RequestMeta,
) {
  const db = rt.database.db;
  const found = pendingToken ? await findSession(db, pendingToken) : undefined;
  if (!found || found.session.verified)
    throw new AppError('unauthenticated', 'Sign in with your password first.');
  const { session, user } = found;
  const ip = meta.ip ?? 'unknown';
  await assertNotThrottled(db, user.email, ip);
  const ok =
    (user.totpSecret && checkTotp(user.totpSecret, code)) || (await redeemRecoveryCode(db, user.id, code));
  await recordAttempt(db, user.email, ip, !!ok);
  if (!ok)
    throw new AppError(
      'invalid_code',
      'That code is not right. Use the current code from your app, or a recovery code.',
    );
  return db.transaction(async (tx) => {
    await tx.update(sessions).set({ revokedAt: new Date() }).where(eq(sessions.id, session.id));
    return createSession(tx as unknown as Db, {
      userId: user.id,
      workspaceId: session.workspaceId,
      verified: true,
      meta,
      days: rt.config.sessionDays,
    });
  });
}

const normaliseRecovery = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();

async function redeemRecoveryCode(db: Db, userId: string, code: string): Promise<boolean> {
  const used = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(recoveryCodes.userId, userId),
        eq(recoveryCodes.codeHash, hashToken(normaliseRecovery(code))),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ userId: recoveryCodes.userId });
  return used.length > 0;
}

/** Account changes land in the audit log of every workspace the person belongs to. */
async function auditAccount(db: Db, user: UserRow, meta: RequestMeta, action: string, after?: unknown) {
  const ws = await db
    .select({ id: memberships.workspaceId })
    .from(memberships)
    .where(eq(memberships.userId, user.id));
  for (const w of ws) {
    await recordChange(
      db,
      { workspaceId: w.id, userId: user.id, email: user.email, role: 'read-only', meta },
      { action, recordType: 'user', recordId: user.id, after: after ?? null },
    );
  }
}

async function assertPassword(user: UserRow, password: string): Promise<void> {
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new AppError('invalid_credentials', 'The password is not right.', {
      errors: [{ path: 'body.password', message: 'not right' }],
    });
  }
}

export async function changePassword(
  rt: Runtime,
  user: UserRow,
  sessionId: string,
  body: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
) {
  if (!(await verifyPassword(user.passwordHash, body.currentPassword))) {
    throw new AppError('invalid_credentials', 'The current password is not right.', {
      errors: [{ path: 'body.currentPassword', message: 'not right' }],
    });
  }
  const passwordHash = await hashPassword(body.newPassword);
  await rt.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await tx
      .update(users)
      .set({ passwordHash, updatedAt: new Date(), version: sql`${users.version} + 1` })
      .where(eq(users.id, user.id));
    await revokeOtherSessions(tx, user.id, sessionId);
    await auditAccount(tx, user, meta, 'user.password_changed');
  });
}

export async function updateProfile(rt: Runtime, user: UserRow, name: string, meta: RequestMeta) {
  await rt.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await tx
      .update(users)
      .set({ name, updatedAt: new Date(), version: sql`${users.version} + 1` })
      .where(eq(users.id, user.id));
    await auditAccount(tx, user, meta, 'user.updated', { name });
  });
}

const RESET_TTL_MS = 60 * 60_000;

/** A single-use link, valid for an hour, that lets the account's holder choose a new password. */
async function newPasswordResetLink(tx: Db, userId: string, baseUrl: string): Promise<string> {
  const token = newToken();
  await tx.insert(passwordResets).values({
    tokenHash: hashToken(token),
    userId,
    expiresAt: new Date(Date.now() + RESET_TTL_MS),
  });
  return `${baseUrl}/reset-password?token=${token}`;
}

/**
 * For the operator of the server (`patron admin password-reset-link`): a reset link printed on the
 * console, for when no mail server is set up. Nobody reads reset links in the Outbox but the holder.
 */
export async function passwordResetLinkFor(db: Db, email: string, baseUrl: string): Promise<string> {
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) throw new AppError('not_found', `There is no account with the email ${email}`);
  return db.transaction((t) => newPasswordResetLink(t as unknown as Db, user.id, baseUrl));
}

/** Always answers the same way, whether or not the account exists. */
export async function requestPasswordReset(rt: Runtime, email: string, baseUrl: string): Promise<void> {
  const db = rt.database.db;
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) return;
  const [recent] = await db
    .select({ n: count() })
    .from(passwordResets)
    .where(
      and(
        eq(passwordResets.userId, user.id),
        gt(passwordResets.createdAt, new Date(Date.now() - RESET_TTL_MS)),
      ),
    );
  if ((recent?.n ?? 0) >= 5) return;
  await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const link = await newPasswordResetLink(tx, user.id, baseUrl);
    await queueMail(tx, rt, {
      workspaceId: null,
      to: user.email,
      kind: 'password_reset',
      subject: 'Reset your Patron password',
      text: `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset the password of your Patron account.\nOpen this link within an hour to choose a new one:\n\n${link}\n\nIf it was not you, ignore this message: your password stays as it is.`,
    });
  });
}

export async function confirmPasswordReset(rt: Runtime, token: string, password: string, meta: RequestMeta) {
  const db = rt.database.db;
  const passwordHash = await hashPassword(password);
  await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [reset] = await tx
      .update(passwordResets)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(passwordResets.tokenHash, hashToken(token)),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, new Date()),
        ),
      )
      .returning();
    if (!reset)
      throw new AppError('invalid_token', 'This reset link is not valid any more. Ask for a new one.');
    const [user] = await tx
      .update(users)
      .set({ passwordHash, updatedAt: new Date(), version: sql`${users.version} + 1` })
      .where(eq(users.id, reset.userId))
      .returning();
    await revokeOtherSessions(tx, reset.userId, null);
    if (user) await auditAccount(tx, user, meta, 'user.password_reset');
  });
}

export async function startTwoFactorSetup(rt: Runtime, user: UserRow, password: string) {
  await assertPassword(user, password);
  if (user.totpEnabledAt)
    throw new AppError('conflict', 'Two-factor is already on. Turn it off first to set up a new app.');
  const secret = newTotpSecret();
  await rt.database.db.update(users).set({ totpSecret: secret }).where(eq(users.id, user.id));
  const otpauthUrl = totpFor(secret, user.email).toString();
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', margin: 1 });
  return { secret, otpauthUrl, qrSvg };
}

async function newRecoveryCodes(tx: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: 10 }, () => {
    const raw = newToken(6)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')
      .slice(0, 8);
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}`;
  });
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx
    .insert(recoveryCodes)
    .values(codes.map((c) => ({ userId, codeHash: hashToken(normaliseRecovery(c)) })));
  return codes;
}

export async function enableTwoFactor(rt: Runtime, user: UserRow, code: string, meta: RequestMeta) {
  if (user.totpEnabledAt) throw new AppError('conflict', 'Two-factor is already on.');
  if (!user.totpSecret)
    throw new AppError('rule_violated', 'Start the set-up first: it gives the code to scan.');
  if (!checkTotp(user.totpSecret, code)) {
    throw new AppError(
      'invalid_code',
      'That code is not right; check the time on your phone and try the next one.',
      {
        errors: [{ path: 'body.code', message: 'not right' }],
      },
    );
  }
  return rt.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await tx
      .update(users)
      .set({ totpEnabledAt: new Date(), updatedAt: new Date() })
      .where(eq(users.id, user.id));
    await auditAccount(tx, user, meta, 'user.two_factor_enabled');
    return { recoveryCodes: await newRecoveryCodes(tx, user.id) };
  });
}

export async function regenerateRecoveryCodes(
  rt: Runtime,
  user: UserRow,
  password: string,
  meta: RequestMeta,
) {
  await assertPassword(user, password);
  if (!user.totpEnabledAt)
    throw new AppError('rule_violated', 'Two-factor is off; there are no recovery codes.');
  return rt.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await auditAccount(tx, user, meta, 'user.recovery_codes_regenerated');
    return { recoveryCodes: await newRecoveryCodes(tx, user.id) };
  });
}

export async function disableTwoFactor(rt: Runtime, user: UserRow, password: string, meta: RequestMeta) {
  await assertPassword(user, password);
  await rt.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await tx
      .update(users)
      .set({ totpEnabledAt: null, totpSecret: null, updatedAt: new Date() })
      .where(eq(users.id, user.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    await auditAccount(tx, user, meta, 'user.two_factor_disabled');
  });
}

export async function myWorkspaces(db: Db, userId: string) {
  return db
    .select({
      id: workspaces.id,
      name: workspaces.name,
      slug: workspaces.slug,
      role: memberships.role,
      timeZone: workspaces.timeZone,
      currency: workspaces.currency,
    })
    .from(memberships)
    .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
    .where(eq(memberships.userId, userId))
    .orderBy(workspaces.name);
}

export async function switchWorkspace(db: Db, sessionId: string, userId: string, workspaceId: string) {
  const [m] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.workspaceId, workspaceId)));
  if (!m) throw new AppError('not_found', 'You are not a member of that workspace.');
  await db.update(sessions).set({ workspaceId }).where(eq(sessions.id, sessionId));
}
