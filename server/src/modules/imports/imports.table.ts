import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, workspaceId } from '../../platform/columns.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
});

/** A CSV import: its file lives in the database (so any worker can run it, and a restart resumes it). */
export const imports = pgTable(
  'imports',
  {
    workspaceId: workspaceId().references(() => workspaces.id, { onDelete: 'cascade' }),
    id: uuid('id').notNull(),
    kind: text('kind').notNull(),
    filename: text('filename').notNull(),
    status: text('status').notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    mapping: jsonb('mapping'),
    currency: text('currency').notNull().default('USD'),
    headers: jsonb('headers'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    /** data rows handled and committed so far: a resumed run skips them */
    rowsDone: integer('rows_done').notNull().default(0),
    counts: jsonb('counts').notNull().default({}),
    error: text('error'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.id] }),
    index('imports_recent_idx').on(t.workspaceId, t.createdAt),
  ],
);

export const importFiles = pgTable(
  'import_files',
  {
    workspaceId: workspaceId(),
    importId: uuid('import_id').notNull(),
    chunkNo: integer('chunk_no').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.importId, t.chunkNo] })],
);

export const importErrors = pgTable(
  'import_errors',
  {
    workspaceId: workspaceId(),
    importId: uuid('import_id').notNull(),
    line: integer('line').notNull(),
    severity: text('severity').notNull(),
    message: text('message').notNull(),
  },
  (t) => [index('import_errors_import_idx').on(t.workspaceId, t.importId, t.line)],
);
