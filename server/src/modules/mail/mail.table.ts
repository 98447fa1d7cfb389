import { index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from '../../platform/columns.ts';

/**
 * Every email Patron sends is written here first. With SMTP configured a job delivers it;
 * without, it stays "held" for admins to read in the app: nothing is silently dropped.
 * workspace_id is null for account mail (password resets) that belongs to a person, not a workspace.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: uuid('id').primaryKey(),
    workspaceId: uuid('workspace_id'),
    toEmail: text('to_email').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    kind: text('kind').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('mail_outbox_ws_idx').on(t.workspaceId, t.createdAt),
    index('mail_outbox_to_idx').on(t.toEmail),
  ],
);
