import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { WorkspaceCtx } from '../../platform/context.ts';
import type { Db } from '../../platform/db.ts';
import type { JobDef } from '../../platform/jobs.ts';
import { decodeCursor, encodeCursor } from '../../platform/pagination.ts';
import { assertCan } from '../../platform/permissions.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { newId } from '../../platform/tokens.ts';
import { users } from '../accounts/accounts.table.ts';
import { memberships } from '../workspaces/workspaces.table.ts';
import { mailOutbox } from './mail.table.ts';

export type Mail = {
  workspaceId: string | null;
  to: string;
  subject: string;
  text: string;
  html?: string;
  kind: string;
};

const SEND_QUEUE = 'mail.send';
const RETRY_LIMIT = 5;

/**
 * Puts a message in the outbox in the caller's transaction. With SMTP configured a job sends it;
 * without, it is held for admins to read in the app.
 */
export async function queueMail(tx: Db, rt: Pick<Runtime, 'config' | 'jobs'>, mail: Mail): Promise<string> {
  const id = newId();
  const status = rt.config.smtpUrl ? 'queued' : 'held';
  await tx.insert(mailOutbox).values({
    id,
    workspaceId: mail.workspaceId,
    toEmail: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html ?? null,
    kind: mail.kind,
    status,
  });
  if (status === 'queued') await rt.jobs.send(tx, SEND_QUEUE, { id });
  return id;
}

export function mailJobs(rt: Pick<Runtime, 'config'>): JobDef<{ id: string }>[] {
  const transport = rt.config.smtpUrl ? nodemailer.createTransport(rt.config.smtpUrl) : undefined;
  return [
    {
      name: SEND_QUEUE,
      queue: { retryLimit: RETRY_LIMIT, retryBackoff: true, retryDelay: 10 },
      handle: async (tx, data, job) => {
        const [msg] = await tx.select().from(mailOutbox).where(eq(mailOutbox.id, data.id));
        if (msg?.status !== 'queued' || !transport) return;
        try {
          await transport.sendMail({
            from: rt.config.mailFrom,
            to: msg.toEmail,
            subject: msg.subject,
            text: msg.text,
            html: msg.html ?? undefined,
          });
          await tx
            .update(mailOutbox)
            .set({ status: 'sent', sentAt: new Date(), attempts: sql`${mailOutbox.attempts} + 1` })
            .where(eq(mailOutbox.id, msg.id));
        } catch (err) {
          if (job.retryCount < RETRY_LIMIT) throw err;
          await tx
            .update(mailOutbox)
            .set({ status: 'failed', lastError: String(err), attempts: sql`${mailOutbox.attempts} + 1` })
            .where(eq(mailOutbox.id, msg.id));
        }
      },
    },
  ];
}

/** The workspace's mail, and account mail (password resets) sent to its members. */
export async function listOutbox(ctx: WorkspaceCtx, q: { limit: number; cursor?: string }) {
  assertCan(ctx, 'mail_outbox.read');
  const memberEmails = ctx.db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, ctx.workspaceId));
  const cursor = decodeCursor(q.cursor);
  const found = await ctx.db
    .select()
    .from(mailOutbox)
    .where(
      and(
        or(
          eq(mailOutbox.workspaceId, ctx.workspaceId),
          and(isNull(mailOutbox.workspaceId), inArray(mailOutbox.toEmail, memberEmails)),
        ),
        cursor ? lt(mailOutbox.id, cursor.id) : undefined,
      ),
    )
    .orderBy(desc(mailOutbox.id))
    .limit(q.limit + 1);
  const page = found.slice(0, q.limit);
  const last = page.at(-1);
  return {
    data: page.map((m) => ({
      id: m.id,
      toEmail: m.toEmail,
      subject: m.subject,
      // A reset link lets whoever holds it into the account: only its addressee may read it here.
      text:
        m.kind === 'password_reset' && m.toEmail.toLowerCase() !== ctx.email?.toLowerCase()
          ? `This message holds a password-reset link for ${m.toEmail}; only they can read it, signed in as themselves. The server's operator can print a new link with \`patron admin password-reset-link --email ${m.toEmail}\`.`
          : m.text,
      kind: m.kind,
      status: m.status as 'held' | 'queued' | 'sent' | 'failed',
      attempts: m.attempts,
      lastError: m.lastError,
      sentAt: m.sentAt?.toISOString() ?? null,
      createdAt: m.createdAt.toISOString(),
    })),
    nextCursor: found.length > q.limit && last ? encodeCursor({ id: last.id }) : null,
  };
}
