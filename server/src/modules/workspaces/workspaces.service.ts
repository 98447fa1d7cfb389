import { and, count, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Role } from '../../../../contracts/roles.ts';
import { canAssignRole } from '../../../../contracts/roles.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { assertCan } from '../../platform/permissions.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { hashToken, newId, newToken } from '../../platform/tokens.ts';
import { users } from '../accounts/accounts.table.ts';
import { recordChange } from '../audit/index.ts';
import { queueMail } from '../mail/index.ts';
import { ensurePrebuilt } from '../segments/saved.service.ts';
import { invitations, memberships, workspaces } from './workspaces.table.ts';

type WorkspaceRow = typeof workspaces.$inferSelect;
const INVITATION_DAYS = 7;

export const workspaceView = (w: WorkspaceRow) => ({
  id: w.id,
  name: w.name,
  slug: w.slug,
  timeZone: w.timeZone,
  currency: w.currency,
  version: w.version,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});

function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return base || 'workspace';
}

/** Creates a workspace with its owner, in the caller's transaction. */
export async function createWorkspace(
  tx: Db,
  opts: { name: string; owner: { id: string; email: string }; meta: WorkspaceCtx['meta'] },
): Promise<WorkspaceRow> {
  const base = slugify(opts.name);
  const taken = await tx
    .select({ slug: workspaces.slug })
    .from(workspaces)
    .where(sql`${workspaces.slug} = ${base} OR ${workspaces.slug} LIKE ${`${base}-%`}`);
  const names = new Set(taken.map((t) => t.slug));
  let slug = base;
  for (let i = 2; names.has(slug); i++) slug = `${base}-${i}`;
  const [ws] = await tx.insert(workspaces).values({ id: newId(), name: opts.name, slug }).returning();
  await tx.insert(memberships).values({ workspaceId: ws!.id, userId: opts.owner.id, role: 'owner' });
  await ensurePrebuilt(tx, ws!.id);
  const ctx = {
    workspaceId: ws!.id,
    userId: opts.owner.id,
    email: opts.owner.email,
    role: 'owner' as const,
    meta: opts.meta,
  };
  await recordChange(tx, ctx, {
    action: 'workspace.created',
    recordType: 'workspace',
    recordId: ws!.id,
    after: workspaceView(ws!),
  });
  await recordChange(tx, ctx, {
    action: 'member.added',
    recordType: 'member',
    recordId: opts.owner.id,
    after: { email: opts.owner.email, role: 'owner' },
  });
  return ws!;
}

export async function getWorkspace(ctx: WorkspaceCtx) {
  assertCan(ctx, 'workspace.read');
  const [w] = await ctx.db.select().from(workspaces).where(eq(workspaces.id, ctx.workspaceId));
  if (!w) throw notFound('The workspace');
  return workspaceView(w);
}

/** Optimistic concurrency: the update names the version it was made against; a stale one is refused. */
export async function updateWorkspace(
  ctx: WorkspaceCtx,
  patch: { name?: string; timeZone?: string; currency?: string },
  version: number,
) {
  assertCan(ctx, 'workspace.update');
  const [before] = await ctx.db.select().from(workspaces).where(eq(workspaces.id, ctx.workspaceId));
  if (!before) throw notFound('The workspace');
  const [after] = await ctx.db
    .update(workspaces)
    .set({ ...patch, version: sql`${workspaces.version} + 1`, updatedAt: new Date() })
    .where(and(eq(workspaces.id, ctx.workspaceId), eq(workspaces.version, version)))
    .returning();
  if (!after) {
    throw new AppError(
      'version_conflict',
      `The workspace is at version ${before.version}; you sent ${version}.`,
    );
  }
  await recordChange(ctx.db, ctx, {
    action: 'workspace.updated',
    recordType: 'workspace',
    recordId: ctx.workspaceId,
    before: workspaceView(before),
    after: workspaceView(after),
  });
  return workspaceView(after);
}

const memberColumns = {
  userId: memberships.userId,
  email: users.email,
  name: users.name,
  role: memberships.role,
  totpEnabledAt: users.totpEnabledAt,
  version: memberships.version,
  joinedAt: memberships.createdAt,
};

type MemberRow = {
  userId: string;
  email: string;
  name: string;
  role: string;
  totpEnabledAt: Date | null;
  version: number;
  joinedAt: Date;
};
const memberView = (m: MemberRow) => ({
  userId: m.userId,
  email: m.email,
  name: m.name,
  role: m.role as Role,
  twoFactorEnabled: !!m.totpEnabledAt,
  version: m.version,
  joinedAt: m.joinedAt.toISOString(),
});

export async function listMembers(ctx: WorkspaceCtx) {
  assertCan(ctx, 'members.read');
  const found = await ctx.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, ctx.workspaceId))
    .orderBy(users.name);
  return { data: found.map(memberView) };
}

async function getMember(ctx: WorkspaceCtx, userId: string): Promise<MemberRow> {
  const [m] = await ctx.db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.userId, userId)));
  if (!m) throw notFound('The member');
  return m;
}

async function assertAnotherOwner(ctx: WorkspaceCtx, leavingUserId: string) {
  const [n] = await ctx.db
    .select({ n: count() })
    .from(memberships)
    .where(
      and(
        eq(memberships.workspaceId, ctx.workspaceId),
        eq(memberships.role, 'owner'),
        sql`${memberships.userId} <> ${leavingUserId}`,
      ),
    );
  if ((n?.n ?? 0) === 0)
    throw new AppError(
      'rule_violated',
      'A workspace keeps at least one owner; make someone else owner first.',
    );
}

export async function updateMemberRole(
  ctx: WorkspaceCtx,
  userId: string,
  role: Role,
  version: number | undefined,
) {
  assertCan(ctx, 'members.update_role');
  const before = await getMember(ctx, userId);
  if (!canAssignRole(ctx.role, role) || (before.role === 'owner' && ctx.role !== 'owner')) {
    throw new AppError('forbidden', 'Only an owner may make or unmake an owner.');
  }
  if (before.role === 'owner' && role !== 'owner') await assertAnotherOwner(ctx, userId);
  const [after] = await ctx.db
    .update(memberships)
    .set({ role, version: sql`${memberships.version} + 1`, updatedAt: new Date() })
    .where(
      and(
        eq(memberships.workspaceId, ctx.workspaceId),
        eq(memberships.userId, userId),
        eq(memberships.version, version ?? before.version),
      ),
    )
    .returning();
  if (!after)
    throw new AppError('version_conflict', 'Someone else changed this member; reload and try again.');
  await recordChange(ctx.db, ctx, {
    action: 'member.role_changed',
    recordType: 'member',
    recordId: userId,
    before: { email: before.email, role: before.role },
    after: { email: before.email, role },
  });
  return memberView({ ...before, role, version: after.version });
}

export async function removeMember(ctx: WorkspaceCtx, userId: string) {
  assertCan(ctx, 'members.remove');
  const before = await getMember(ctx, userId);
  if (before.role === 'owner' && ctx.role !== 'owner')
    throw new AppError('forbidden', 'Only an owner may remove an owner.');
  if (before.role === 'owner') await assertAnotherOwner(ctx, userId);
  await ctx.db
    .delete(memberships)
    .where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(memberships.userId, userId)));
  await ctx.db.execute(
    sql`UPDATE sessions SET workspace_id = NULL WHERE user_id = ${userId} AND workspace_id = ${ctx.workspaceId}`,
  );
  await recordChange(ctx.db, ctx, {
    action: 'member.removed',
    recordType: 'member',
    recordId: userId,
    before: { email: before.email, role: before.role },
  });
}

type InvitationRow = typeof invitations.$inferSelect;
const invitationStatus = (i: InvitationRow) =>
  i.acceptedAt ? 'accepted' : i.revokedAt ? 'revoked' : i.expiresAt < new Date() ? 'expired' : 'pending';
const invitationView = (i: InvitationRow & { inviterEmail?: string | null }) => ({
  id: i.id,
  email: i.email,
  role: i.role as Role,
  status: invitationStatus(i) as 'pending' | 'accepted' | 'revoked' | 'expired',
  invitedBy: i.inviterEmail ?? null,
  expiresAt: i.expiresAt.toISOString(),
  createdAt: i.createdAt.toISOString(),
});

export async function listInvitations(ctx: WorkspaceCtx) {
  assertCan(ctx, 'members.read');
  const found = await ctx.db
    .select({ i: invitations, inviterEmail: users.email })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.workspaceId, ctx.workspaceId))
    .orderBy(desc(invitations.createdAt))
    .limit(200);
  return { data: found.map((r) => invitationView({ ...r.i, inviterEmail: r.inviterEmail })) };
}

export async function createInvitation(
  ctx: WorkspaceCtx,
  rt: Pick<Runtime, 'config' | 'jobs'>,
  body: { email: string; role: Role },
  baseUrl: string,
) {
  assertCan(ctx, 'members.invite');
  if (!canAssignRole(ctx.role, body.role))
    throw new AppError('forbidden', 'Only an owner may invite an owner.');
  const [already] = await ctx.db
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, ctx.workspaceId), eq(users.email, body.email)));
  if (already) throw new AppError('conflict', `${body.email} is already a member of this workspace.`);
  // A new invitation replaces any pending one for the same address.
  await ctx.db
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invitations.workspaceId, ctx.workspaceId),
        eq(invitations.email, body.email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  const token = newToken();
  const [inv] = await ctx.db
    .insert(invitations)
    .values({
      workspaceId: ctx.workspaceId,
      id: newId(),
      email: body.email,
      role: body.role,
      tokenHash: hashToken(token),
      invitedBy: ctx.userId,
      expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
    })
    .returning();
  const [ws] = await ctx.db
    .select({ name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId));
  const link = `${baseUrl}/accept-invitation?token=${token}`;
  await queueMail(ctx.db, rt, {
    workspaceId: ctx.workspaceId,
    to: body.email,
    kind: 'invitation',
    subject: `You are invited to ${ws?.name ?? 'a workspace'} on Patron`,
    text: `Hello,\n\n${ctx.email ?? 'A teammate'} invited you to join ${ws?.name ?? 'their workspace'} on Patron as ${body.role}.\nAccept within ${INVITATION_DAYS} days:\n\n${link}\n`,
  });
  await recordChange(ctx.db, ctx, {
    action: 'invitation.created',
    recordType: 'invitation',
    recordId: inv!.id,
    after: { email: body.email, role: body.role },
  });
  return invitationView({ ...inv!, inviterEmail: ctx.email });
}

export async function revokeInvitation(ctx: WorkspaceCtx, id: string) {
  assertCan(ctx, 'members.invite');
  const [inv] = await ctx.db
    .update(invitations)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(invitations.workspaceId, ctx.workspaceId),
        eq(invitations.id, id),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .returning();
  if (!inv) throw notFound('A pending invitation with this id');
  await recordChange(ctx.db, ctx, {
    action: 'invitation.revoked',
    recordType: 'invitation',
    recordId: id,
    before: { email: inv.email, role: inv.role },
  });
}

/** The pending, unexpired invitation a link's token names. */
export async function findInvitation(db: Db, token: string) {
  const [found] = await db
    .select({ inv: invitations, workspaceName: workspaces.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(
      and(
        eq(invitations.tokenHash, hashToken(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    );
  if (!found)
    throw new AppError(
      'invalid_token',
      'This invitation is not valid any more: it was used, revoked or has expired. Ask for a new one.',
    );
  return found;
}
