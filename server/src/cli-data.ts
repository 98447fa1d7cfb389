// CLI commands that feed a workspace: `patron import …` and `patron integrations … connect`.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { and, eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { checkMapping, type ImportKind, importKinds } from './modules/imports/csv-columns.ts';
import { createImport, runImport, storeFile } from './modules/imports/imports.service.ts';
import { imports } from './modules/imports/imports.table.ts';
import { connectStore, type Kind } from './modules/integrations/integrations.service.ts';
import { workspaces } from './modules/workspaces/workspaces.table.ts';
import type { Config } from './platform/config.ts';
import { lockDataDir } from './platform/data-lock.ts';
import { type Db, inWorkspace, openDatabase, runMigrations } from './platform/db.ts';
import { DISPATCH_BATCH, drainEvents } from './platform/events.ts';
import { allEventHandlers } from './runtime.ts';

export class CliUsageError extends Error {}

async function withDb<T>(config: Config, purpose: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir, purpose);
  try {
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 4,
    });
    try {
      await runMigrations(database);
      return await fn(database.db);
    } finally {
      await database.close();
    }
  } finally {
    unlock();
  }
}

async function workspaceBySlug(db: Db, slug: string | undefined): Promise<string> {
  if (!slug) throw new CliUsageError('--workspace <slug> is required');
  const [ws] = await db.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.slug, slug));
  if (!ws) throw new CliUsageError(`No workspace with the slug "${slug}".`);
  return ws.id;
}

/** patron import <orders|customers|products> <file> --workspace <slug> [--dry-run] [--json] [--currency GBP] */
export async function importCommand(argv: string[], config: Config, log: Logger): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      currency: { type: 'string' },
    },
    strict: true,
  });
  const [kind, file] = positionals;
  if (!kind || !importKinds.includes(kind as ImportKind) || !file) {
    throw new CliUsageError(
      'usage: patron import <orders|customers|products> <file.csv[.gz]> --workspace <slug> [--dry-run] [--json] [--currency <ISO code>]',
    );
  }
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CliUsageError(`No file at ${file}`);
  if (values.currency && !/^[A-Z]{3}$/.test(values.currency))
    throw new CliUsageError('--currency takes an ISO 4217 code such as GBP');
  const started = Date.now();
  const summary = await withDb(config, 'import', async (db) => {
    const workspaceId = await workspaceBySlug(db, values.workspace);
    const ctx = {
      workspaceId,
      userId: null,
      email: null,
      role: 'owner' as const,
      meta: { ip: null, userAgent: 'patron-cli', requestId: null },
    };
    const created = await inWorkspace(db, workspaceId, (tx) =>
      createImport(
        { ...ctx, db: tx },
        { kind: kind as ImportKind, filename: path.basename(file), currency: values.currency },
      ),
    );
    const stored = await storeFile(db, workspaceId, created.id, fs.createReadStream(file));
    const check = checkMapping(kind as ImportKind, stored.mapping, stored.headers);
    if (!check.ok)
      throw new CliUsageError(`The columns of ${file} could not be matched: ${check.errors.join('; ')}`);
    // the CLI runs the import itself, with the detected mapping
    await inWorkspace(db, workspaceId, (tx) =>
      tx
        .update(imports)
        .set({ status: 'queued', dryRun: !!values['dry-run'], mapping: check.mapping })
        .where(and(eq(imports.workspaceId, workspaceId), eq(imports.id, created.id))),
    );
    let last = 0;
    const result = await runImport(db, workspaceId, created.id, (p) => {
      if (!values.json && Date.now() - last > 1000) {
        last = Date.now();
        process.stderr.write(`\r${p.rowsDone.toLocaleString('en')} rows…`);
      }
    });
    if (!values.json) process.stderr.write('\n');
    if (!result.dryRun && result.status === 'done') {
      // bring metrics up to date now rather than leaving it to the next worker, in the worker's batches
      await drainEvents(
        db,
        allEventHandlers(),
        log,
        DISPATCH_BATCH[config.databaseUrl ? 'server' : 'embedded'],
      );
    }
    return result;
  });
  const counts = summary.counts;
  const out = {
    importId: summary.id,
    status: summary.status,
    dryRun: summary.dryRun,
    rowsRead: counts.rowsRead ?? 0,
    rowsFailed: counts.rowsFailed ?? 0,
    customers: { created: counts.customersCreated ?? 0, updated: counts.customersUpdated ?? 0 },
    orders: { created: counts.ordersCreated ?? 0, updated: counts.ordersUpdated ?? 0 },
    refunds: { created: counts.refundsCreated ?? 0, updated: counts.refundsUpdated ?? 0 },
    products: { created: counts.productsCreated ?? 0, updated: counts.productsUpdated ?? 0 },
    warnings: counts.warnings ?? 0,
    error: summary.error,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  if (values.json) console.log(JSON.stringify(out));
  else {
    console.log(
      `${out.dryRun ? 'Dry run' : 'Import'} ${out.status}: ${out.rowsRead.toLocaleString('en')} rows read, ${out.rowsFailed} failed, in ${out.seconds} s`,
    );
    console.log(`  customers ${out.customers.created} created, ${out.customers.updated} updated`);
    console.log(`  orders    ${out.orders.created} created, ${out.orders.updated} updated`);
    console.log(`  refunds   ${out.refunds.created} created, ${out.refunds.updated} updated`);
    if (out.products.created + out.products.updated)
      console.log(`  products  ${out.products.created} created, ${out.products.updated} updated`);
    if (out.error) console.log(`  error: ${out.error}`);
  }
  return summary.status === 'done' ? 0 : 1;
}

/** patron integrations <shopify|woocommerce> connect --workspace <slug> (--shop-domain|--store-url) <address> --secret <secret> */
export async function integrationsCommand(argv: string[], config: Config): Promise<number> {
  const [kind, verb, ...rest] = argv;
  if ((kind !== 'shopify' && kind !== 'woocommerce') || verb !== 'connect') {
    throw new CliUsageError(
      'usage: patron integrations shopify connect --workspace <slug> --shop-domain <domain> --secret <secret>\n       patron integrations woocommerce connect --workspace <slug> --store-url <url> --secret <secret>',
    );
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      workspace: { type: 'string' },
      'shop-domain': { type: 'string' },
      'store-url': { type: 'string' },
      secret: { type: 'string' },
      currency: { type: 'string' },
    },
    strict: true,
  });
  const address = kind === 'shopify' ? values['shop-domain'] : values['store-url'];
  if (!address)
    throw new CliUsageError(kind === 'shopify' ? '--shop-domain is required' : '--store-url is required');
  if (!values.secret || values.secret.length < 8)
    throw new CliUsageError('--secret is required (at least 8 characters)');
  const out = await withDb(config, 'integrations connect', async (db) => {
    const workspaceId = await workspaceBySlug(db, values.workspace);
    return connectStore(
      db,
      workspaceId,
      {
        userId: null,
        email: null,
        role: 'owner',
        meta: { ip: null, userAgent: 'patron-cli', requestId: null },
      },
      {
        kind: kind as Kind,
        address,
        secret: values.secret!,
        currency: values.currency,
      },
    );
  });
  console.log(JSON.stringify(out));
  return 0;
}
