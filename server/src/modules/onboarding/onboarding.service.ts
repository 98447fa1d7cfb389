// Flows that span accounts and workspaces: first-run setup, accepting an invitation,
// and creating another workspace.
import { count, eq, sql } from 'drizzle-orm';
import type { Role } from '../../../../contracts/roles.ts';
import type { RequestMeta } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { createUser } from '../accounts/accounts.service.ts';
import { users } from '../accounts/accounts.table.ts';
import { verifyPassword } from '../accounts/passwords.ts';
import { createSession, type UserRow } from '../accounts/sessions.ts';
import { recordChange } from '../audit/index.ts';
import {
  createWorkspace,
  findInvitation,
  invitations,
  memberships,
  workspaces,
} from '../workspaces/index.ts';

const SETUP_LOCK = 724_210_002;

export async function needsSetup(db: Db): Promise<boolean> {
  const [n] = await db.select({ n: count() }).from(workspaces);
  return (n?.n ?? 0) === 0;
}

/** First run: creates the first workspace and its owner, once. */
export async function setup(
  rt: Runtime,
  body: { workspaceName: string; name: string; email: string; password: string },
  meta: RequestMeta,
): Promise<string> {
  return rt.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`);
    if (!(await needsSetup(tx)))
      throw new AppError('setup_done', 'Patron is already set up; sign in instead.');
    const user = await createUser(tx, body);
    const ws = await createWorkspace(tx, { name: body.workspaceName, owner: user, meta });
    return createSession(tx, {
      userId: user.id,
      workspaceId: ws.id,
      verified: true,
      meta,
      days: rt.config.sessionDays,
    });
  });
}

/** For scripted installs: a workspace and its owner (a new account, or an existing one whose password matches). */
export async function createWorkspaceWithOwner(
  db: Db,
  body: { name: string; ownerEmail: string; ownerPassword: string; ownerName?: string },
) {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [existing] = await tx.select().from(users).where(eq(users.email, body.ownerEmail));
    let owner: UserRow;
    if (existing) {
      if (!(await verifyPassword(existing.passwordHash, body.ownerPassword))) {
        throw new AppError(
          'invalid_credentials',
          `An account ${body.ownerEmail} exists and the password does not match it.`,
        );
      }
      owner = existing;
    } else {
      owner = await createUser(tx, {
        email: body.ownerEmail,
        name: body.ownerName ?? body.ownerEmail.split('@')[0]!,
        password: body.ownerPassword,
      });
    }
    const ws = await createWorkspace(tx, {
      name: body.name,
      owner,
      meta: { ip: null, userAgent: 'patron-cli', requestId: null },
    });
    return { workspaceId: ws.id, slug: ws.slug };
  });
}

export async function createAnotherWorkspace(
  db: Db,
  user: UserRow,
  sessionId: string,
  name: string,
  meta: RequestMeta,
) {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const ws = await createWorkspace(tx, { name, owner: user, meta });
    await tx.execute(sql`UPDATE sessions SET workspace_id = ${ws.id} WHERE id = ${sessionId}`);
    return ws;
  });
}

export async function lookupInvitation(db: Db, token: string) {
  const { inv, workspaceName } = await findInvitation(db, token);
  const [account] = await db.select({ id: users.id }).from(users).where(eq(users.email, inv.email));
  return { workspaceName, email: inv.email, role: inv.role as Role, accountExists: !!account };
}

/**
 * Accepts an invitation: the invitee signs in with their password (existing account), is already
 * signed in as the invited address, or creates an account. Answers a session token for the new member.
 */
export async function acceptInvitation(
  rt: Runtime,
  body: { token: string; name?: string; password?: string },
  signedIn: UserRow | undefined,
  meta: RequestMeta,
): Promise<string> {
  return rt.database.db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const { inv } = await findInvitation(tx, body.token);
    const [existing] = await tx.select().from(users).where(eq(users.email, inv.email));
    let user: UserRow;
    if (existing) {
      const sameUser = signedIn?.id === existing.id;
      if (!sameUser && !(body.password && (await verifyPassword(existing.passwordHash, body.password)))) {
        throw new AppError('invalid_credentials', `Enter the password of ${inv.email} to accept.`, {
          errors: [{ path: 'body.password', message: 'not right' }],
        });
      }
      user = existing;
    } else {
      if (!body.name || !body.password) {
        throw new AppError('validation_failed', 'Choose your name and a password to create your account.', {
          errors: [
            ...(body.name ? [] : [{ path: 'body.name', message: 'required' }]),
            ...(body.password ? [] : [{ path: 'body.password', message: 'required' }]),
          ],
        });
      }
      user = await createUser(tx, { email: inv.email, name: body.name, password: body.password });
    }
    const claimed = await tx
      .update(invitations)
      .set({ acceptedAt: new Date(), acceptedBy: user.id })
      .where(
        sql`${invitations.workspaceId} = ${inv.workspaceId} AND ${invitations.id} = ${inv.id} AND ${invitations.acceptedAt} IS NULL`,
      )
      .returning({ id: invitations.id });
    if (claimed.length === 0) throw new AppError('invalid_token', 'This invitation was just used.');
    await tx
      .insert(memberships)
      .values({ workspaceId: inv.workspaceId, userId: user.id, role: inv.role })
      .onConflictDoNothing();
    const ctx = {
      workspaceId: inv.workspaceId,
      userId: user.id,
      email: user.email,
      role: inv.role as Role,
      meta,
    };
    await recordChange(tx, ctx, {
      action: 'invitation.accepted',
      recordType: 'invitation',
      recordId: inv.id,
      eventType: null,
    });
    await recordChange(tx, ctx, {
      action: 'member.added',
      recordType: 'member',
      recordId: user.id,
      after: { email: user.email, role: inv.role },
    });
    const verified = !user.totpEnabledAt || signedIn?.id === user.id;
    return createSession(tx, {
      userId: user.id,
      workspaceId: inv.workspaceId,
      verified,
      meta,
      days: rt.config.sessionDays,
    });
  });
}
