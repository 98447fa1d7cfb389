// CSV imports: the file is stored in the database, inspected for its columns, then run as a
// background job that commits batch by batch and resumes after a restart where it stopped.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { type Db, inWorkspace } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { JobDef, Jobs } from '../../platform/jobs.ts';
import { assertCan } from '../../platform/permissions.ts';
import { newId } from '../../platform/tokens.ts';
import { orders, products, refunds } from '../commerce/commerce.table.ts';
import { identitiesOf, lookupIdentities } from '../commerce/identity.ts';
import * as ingest from '../commerce/ingest.service.ts';
import { customerFields } from '../customers/list-custom.ts';
import { checkMapping, detectMapping, type ImportKind } from './csv-columns.ts';
import { type CustomImportField, readCustomers } from './csv-customers.ts';
import { readOrders } from './csv-orders.ts';
import { readProducts } from './csv-products.ts';
import { CsvFileError, openCsv } from './csv-source.ts';
import { importErrors, importFiles, imports } from './imports.table.ts';

const CHUNK = 1024 * 1024;
const MAX_FILE = 512 * 1024 * 1024;
export const IMPORT_QUEUE = 'import.run';

export type Counts = Partial<
  Record<
    | 'rowsRead'
    | 'rowsTotal'
    | 'rowsFailed'
    | 'warnings'
    | 'customersCreated'
    | 'customersUpdated'
    | 'ordersCreated'
    | 'ordersUpdated'
    | 'refundsCreated'
    | 'refundsUpdated'
    | 'productsCreated'
    | 'productsUpdated',
    number
  >
>;

type ImportRow = typeof imports.$inferSelect;

export const importView = (i: ImportRow) => ({
  id: i.id,
  kind: i.kind as ImportKind,
  filename: i.filename,
  status: i.status as 'uploading' | 'uploaded' | 'queued' | 'running' | 'done' | 'failed',
  dryRun: i.dryRun,
  currency: i.currency,
  headers: (i.headers as string[] | null) ?? [],
  mapping: (i.mapping as Record<string, string | null> | null) ?? {},
  sizeBytes: i.sizeBytes,
  rowsDone: i.rowsDone,
  counts: i.counts as Counts,
  error: i.error,
  createdAt: i.createdAt.toISOString(),
  startedAt: i.startedAt?.toISOString() ?? null,
  finishedAt: i.finishedAt?.toISOString() ?? null,
});

function permissionFor(kind: ImportKind) {
  return kind === 'customers' ? ('customers.write' as const) : ('orders.write' as const);
}

export async function createImport(
  ctx: WorkspaceCtx,
  body: { kind: ImportKind; filename: string; currency?: string },
) {
  assertCan(ctx, permissionFor(body.kind));
  const [row] = await ctx.db
    .insert(imports)
    .values({
      workspaceId: ctx.workspaceId,
      id: newId(),
      kind: body.kind,
      filename: body.filename,
      status: 'uploading',
      currency: body.currency ?? 'USD',
      createdBy: ctx.userId,
    })
    .returning();
  return importView(row!);
}

/** Streams an uploaded file into the database in 1 MiB chunks, then reads its columns. */
export async function storeFile(
  db: Db,
  workspaceId: string,
  importId: string,
  body: AsyncIterable<Buffer | Uint8Array>,
) {
  const [row] = await inWorkspace(db, workspaceId, (tx) =>
    tx
      .select()
      .from(imports)
      .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId))),
  );
  if (!row) throw notFound('The import');
  if (row.status !== 'uploading')
    throw new AppError('conflict', 'The file of this import was uploaded already.');
  let size = 0;
  let chunkNo = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    const n = chunkNo++;
    await inWorkspace(db, workspaceId, (tx) =>
      tx.insert(importFiles).values({ workspaceId, importId, chunkNo: n, data }),
    );
  };
  for await (const part of body) {
    size += part.length;
    if (size > MAX_FILE)
      throw new AppError('payload_too_large', 'Files up to 512 MiB can be imported; split larger ones.');
    pending.push(Buffer.from(part));
    pendingBytes += part.length;
    if (pendingBytes >= CHUNK) await flush();
  }
  await flush();
  if (size === 0) throw new AppError('validation_failed', 'The file is empty.');
  let headers: string[];
  try {
    const csv = await openCsv(fileStream(db, workspaceId, importId));
    headers = [...csv.headers];
  } catch (err) {
    await inWorkspace(db, workspaceId, (tx) =>
      tx
        .delete(importFiles)
        .where(and(eq(importFiles.workspaceId, workspaceId), eq(importFiles.importId, importId))),
    );
    throw new AppError(
      'validation_failed',
      err instanceof CsvFileError ? err.message : `The file could not be read as CSV: ${String(err)}`,
    );
  }
  const custom =
    row.kind === 'customers'
      ? await inWorkspace(db, workspaceId, (tx) => customerFields({ db: tx, workspaceId }))
      : [];
  const { mapping } = detectMapping(row.kind as ImportKind, headers, custom);
  const rowsTotal = await countRows(fileStream(db, workspaceId, importId));
  const [updated] = await inWorkspace(db, workspaceId, (tx) =>
    tx
      .update(imports)
      .set({ status: 'uploaded', sizeBytes: size, headers, mapping, counts: { rowsTotal } })
      .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId)))
      .returning(),
  );
  return importView(updated!);
}

/** Data rows in a file (lines after the header), for the progress bar: a quick pass, gzip or not. */
async function countRows(input: Readable): Promise<number> {
  let lines = 0;
  let first: Buffer | undefined;
  let last = 0x0a;
  const source = await new Promise<Readable>((resolve) => {
    input.once('readable', () => {
      first = input.read(2) as Buffer | undefined;
      if (first) input.unshift(first);
      resolve(first && first[0] === 0x1f && first[1] === 0x8b ? input.pipe(createGunzip()) : input);
    });
  });
  for await (const chunk of source as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines++;
    if (chunk.length) last = chunk[chunk.length - 1]!;
  }
  return Math.max(0, lines + (last === 0x0a ? 0 : 1) - 1);
}

/** The stored file as a stream, read chunk by chunk (never whole in memory). */
export function fileStream(db: Db, workspaceId: string, importId: string): Readable {
  async function* chunks() {
    for (let n = 0; ; n++) {
      const [c] = await inWorkspace(db, workspaceId, (tx) =>
        tx
          .select({ data: importFiles.data })
          .from(importFiles)
          .where(
            and(
              eq(importFiles.workspaceId, workspaceId),
              eq(importFiles.importId, importId),
              eq(importFiles.chunkNo, n),
            ),
          ),
      );
      if (!c) return;
      yield c.data;
    }
  }
  return Readable.from(chunks());
}

export async function startImport(
  ctx: WorkspaceCtx,
  jobs: Pick<Jobs, 'send'>,
  id: string,
  body: { mapping: Record<string, string | null>; dryRun: boolean; currency?: string },
) {
  const row = await getImportRow(ctx, id);
  assertCan(ctx, permissionFor(row.kind as ImportKind));
  if (row.status !== 'uploaded' && !(row.status === 'done' && row.dryRun)) {
    throw new AppError(
      'conflict',
      `This import is ${row.status}; it can be started once, after its file is uploaded (or again after a dry run).`,
    );
  }
  const check = checkMapping(
    row.kind as ImportKind,
    body.mapping,
    (row.headers as string[]) ?? [],
    row.kind === 'customers' ? await customerFields(ctx) : [],
  );
  if (!check.ok) {
    throw new AppError('validation_failed', check.errors.join('; '), {
      errors: check.errors.map((m) => ({ path: 'body.mapping', message: m })),
    });
  }
  await ctx.db
    .delete(importErrors)
    .where(and(eq(importErrors.workspaceId, ctx.workspaceId), eq(importErrors.importId, id)));
  const [updated] = await ctx.db
    .update(imports)
    .set({
      status: 'queued',
      mapping: check.mapping,
      dryRun: body.dryRun,
      currency: body.currency ?? row.currency,
      rowsDone: 0,
      counts: { rowsTotal: (row.counts as Counts).rowsTotal ?? 0 },
      error: null,
      startedAt: null,
      finishedAt: null,
    })
    .where(and(eq(imports.workspaceId, ctx.workspaceId), eq(imports.id, id)))
    .returning();
  await jobs.send(ctx.db, IMPORT_QUEUE, { workspaceId: ctx.workspaceId, importId: id }, { singletonKey: id });
  return importView(updated!);
}

async function getImportRow(ctx: WorkspaceCtx, id: string): Promise<ImportRow> {
  const [row] = await ctx.db
    .select()
    .from(imports)
    .where(and(eq(imports.workspaceId, ctx.workspaceId), eq(imports.id, id)));
  if (!row) throw notFound('The import');
  return row;
}

export async function getImport(ctx: WorkspaceCtx, id: string) {
  assertCan(ctx, 'orders.read');
  return importView(await getImportRow(ctx, id));
}

export async function listImports(ctx: WorkspaceCtx) {
  assertCan(ctx, 'orders.read');
  const rows = await ctx.db
    .select()
    .from(imports)
    .where(eq(imports.workspaceId, ctx.workspaceId))
    .orderBy(desc(imports.createdAt))
    .limit(50);
  return { data: rows.map(importView) };
}

export async function importErrorsCsv(ctx: WorkspaceCtx, id: string): Promise<string> {
  await getImport(ctx, id);
  const rows = await ctx.db
    .select()
    .from(importErrors)
    .where(and(eq(importErrors.workspaceId, ctx.workspaceId), eq(importErrors.importId, id)))
    .orderBy(asc(importErrors.line))
    .limit(1_000_000);
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return (
    ['line,severity,message', ...rows.map((r) => `${r.line},${r.severity},${quote(r.message)}`)].join('\n') +
    '\n'
  );
}

const add = (c: Counts, k: keyof Counts, n: number) => {
  c[k] = (c[k] ?? 0) + n;
};

function tally(
  c: Counts,
  prefix: 'customers' | 'orders' | 'refunds' | 'products',
  results: ingest.ItemResult[],
) {
  add(c, `${prefix}Created` as keyof Counts, results.filter((r) => r.status === 'created').length);
  add(c, `${prefix}Updated` as keyof Counts, results.filter((r) => r.status === 'updated').length);
}

/** In a dry run: what would be created and what updated, without writing any of it. */
async function wouldBe(
  tx: Db,
  workspaceId: string,
  c: Counts,
  batch: { customers?: ingest.ItemResult[] },
  kind: 'orders' | 'refunds' | 'products',
  externalIds: string[],
) {
  const table = kind === 'orders' ? orders : kind === 'refunds' ? refunds : products;
  const found = externalIds.length
    ? await tx
        .select({ externalId: table.externalId })
        .from(table)
        .where(
          and(
            eq(table.workspaceId, workspaceId),
            eq(table.source, 'csv'),
            inArray(table.externalId, externalIds),
          ),
        )
    : [];
  add(c, `${kind}Updated` as keyof Counts, found.length);
  add(c, `${kind}Created` as keyof Counts, externalIds.length - found.length);
  void batch;
}

type Batch = {
  rowsRead: number;
  errors: { line: number; message: string }[];
  warnings?: { line: number; message: string }[];
  customers?: ingest.CustomerUpsert[];
  orders?: import('../../../../contracts/commerce.ts').OrderInput[];
  refunds?: import('../../../../contracts/commerce.ts').RefundInput[];
  products?: import('../../../../contracts/commerce.ts').ProductInput[];
};

function readerFor(row: ImportRow, input: Readable, fields: CustomImportField[]): AsyncGenerator<Batch> {
  const mapping = (row.mapping as Record<string, string | null>) ?? {};
  if (row.kind === 'orders') return readOrders(input, { mapping, currency: row.currency, batchSize: 2000 });
  if (row.kind === 'customers') return readCustomers(input, { mapping, fields, batchSize: 2000 });
  return readProducts(input, { mapping, currency: row.currency, batchSize: 2000 });
}

/**
 * Runs an import to the end. Each batch commits with the import's progress and counts, so a run that
 * stops (a restart, a crash) resumes after the last committed batch when run again.
 */
export async function runImport(
  db: Db,
  workspaceId: string,
  importId: string,
  onProgress?: (row: ReturnType<typeof importView>) => void,
) {
  const load = async () =>
    (
      await inWorkspace(db, workspaceId, (tx) =>
        tx
          .select()
          .from(imports)
          .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId))),
      )
    )[0];
  const row = await load();
  if (!row) throw notFound('The import');
  if (row.status === 'done' || row.status === 'failed') return importView(row);
  await inWorkspace(db, workspaceId, (tx) =>
    tx
      .update(imports)
      .set({ status: 'running', startedAt: row.startedAt ?? new Date() })
      .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId))),
  );
  const scope: ingest.Scope = { workspaceId, source: 'csv', actorUserId: row.createdBy };
  let seen = 0;
  try {
    const fields =
      row.kind === 'customers'
        ? await inWorkspace(db, workspaceId, (tx) => customerFields({ db: tx, workspaceId }))
        : [];
    for await (const batch of readerFor(row, fileStream(db, workspaceId, importId), fields)) {
      seen += batch.rowsRead;
      if (seen <= row.rowsDone) continue; // committed by an earlier run
      const updated = await inWorkspace(db, workspaceId, async (tx) => {
        const [cur] = await tx
          .select()
          .from(imports)
          .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId)))
          .for('update');
        const c: Counts = { ...(cur!.counts as Counts) };
        add(c, 'rowsRead', batch.rowsRead);
        add(c, 'rowsFailed', batch.errors.length);
        add(c, 'warnings', batch.warnings?.length ?? 0);
        if (row.dryRun) {
          const ids = (batch.customers ?? []).flatMap((x) => identitiesOf('csv', x).slice(0, 1));
          const known = await lookupIdentities(tx, workspaceId, ids);
          add(c, 'customersUpdated', known.size);
          add(c, 'customersCreated', ids.length - known.size);
          await wouldBe(
            tx,
            workspaceId,
            c,
            {},
            'orders',
            (batch.orders ?? []).map((o) => o.externalId),
          );
          await wouldBe(
            tx,
            workspaceId,
            c,
            {},
            'refunds',
            (batch.refunds ?? []).map((o) => o.externalId),
          );
          await wouldBe(
            tx,
            workspaceId,
            c,
            {},
            'products',
            (batch.products ?? []).map((o) => o.externalId),
          );
        } else {
          for (let i = 0; i < (batch.customers?.length ?? 0); i += 500)
            tally(
              c,
              'customers',
              await ingest.upsertCustomers(tx, scope, batch.customers!.slice(i, i + 500)),
            );
          for (let i = 0; i < (batch.products?.length ?? 0); i += 500)
            tally(c, 'products', await ingest.upsertProducts(tx, scope, batch.products!.slice(i, i + 500)));
          for (let i = 0; i < (batch.orders?.length ?? 0); i += 500)
            tally(c, 'orders', await ingest.upsertOrders(tx, scope, batch.orders!.slice(i, i + 500)));
          for (let i = 0; i < (batch.refunds?.length ?? 0); i += 500)
            tally(c, 'refunds', await ingest.upsertRefunds(tx, scope, batch.refunds!.slice(i, i + 500)));
        }
        const issues = [
          ...batch.errors.map((e) => ({ ...e, severity: 'error' })),
          ...(batch.warnings ?? []).map((e) => ({ ...e, severity: 'warning' })),
        ];
        for (let i = 0; i < issues.length; i += 1000) {
          await tx.insert(importErrors).values(
            issues.slice(i, i + 1000).map((e) => ({
              workspaceId,
              importId,
              line: e.line,
              severity: e.severity,
              message: e.message.slice(0, 2000),
            })),
          );
        }
        const [u] = await tx
          .update(imports)
          .set({ rowsDone: seen, counts: c })
          .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId)))
          .returning();
        return u!;
      });
      onProgress?.(importView(updated));
    }
  } catch (err) {
    const message = err instanceof CsvFileError || err instanceof AppError ? err.message : String(err);
    await inWorkspace(db, workspaceId, (tx) =>
      tx
        .update(imports)
        .set({ status: 'failed', error: message.slice(0, 2000), finishedAt: new Date() })
        .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId))),
    );
    const failed = await load();
    return importView(failed!);
  }
  const [done] = await inWorkspace(db, workspaceId, (tx) =>
    tx
      .update(imports)
      .set({ status: 'done', finishedAt: new Date() })
      .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, importId)))
      .returning(),
  );
  return importView(done!);
}

export const importJobs = (): JobDef<{ workspaceId: string; importId: string }>[] => [
  {
    name: IMPORT_QUEUE,
    queue: { expireInSeconds: 3 * 3600, retryLimit: 3, retryDelay: 5 },
    longRunning: async (db, data) => {
      await runImport(db, data.workspaceId, data.importId);
    },
  },
];
