import { parseArgs } from 'node:util';
import { z } from 'zod';
import { email, password } from '../../contracts/common.ts';
import { buildApp } from './app.ts';
import { CliUsageError, importCommand, integrationsCommand } from './cli-data.ts';
import { passwordResetLinkFor } from './modules/accounts/accounts.service.ts';
import { createWorkspaceWithOwner } from './modules/onboarding/onboarding.service.ts';
import { loadConfig } from './platform/config.ts';
import { DataDirBusyError, lockDataDir } from './platform/data-lock.ts';
import { openDatabase, runMigrations } from './platform/db.ts';
import { AppError } from './platform/errors.ts';
import { createLogger } from './platform/logger.ts';
import { openRuntime, runWorker } from './runtime.ts';

const HELP = `Patron — the open-source CRM for online stores

Usage: patron <command> [options]

Commands:
  start [--no-worker]        Run the web app and API (and the background worker unless --no-worker)
  worker                     Run a background worker only (needs DATABASE_URL)
  migrate                    Apply database migrations and exit
  admin create-workspace --name <name> --owner-email <email> --owner-password <password> [--owner-name <name>]
                             Create a workspace and its owner; prints {"workspaceId","slug"}
  admin password-reset-link --email <email>
                             Print a single-use password-reset link (valid 1 hour) for an account
  import <orders|customers|products> <file.csv[.gz]> --workspace <slug> [--dry-run] [--json] [--currency <code>]
                             Import a CSV file (columns detected from its header)
  integrations shopify connect --workspace <slug> --shop-domain <domain> --secret <secret>
  integrations woocommerce connect --workspace <slug> --store-url <url> --secret <secret>
                             Connect a store's webhooks to a workspace
  seed --demo | --scale <f> | --customers <n> [--db <url>] [--seed <n>] [--workspace-new]
                             Generate a realistic store into a new workspace (patron seed --help)

Without DATABASE_URL Patron uses the embedded database in ./data (PATRON_DATA_DIR).
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  const log = createLogger(config);
  switch (command) {
    case 'start': {
      const { values } = parseArgs({
        args: rest,
        options: { 'no-worker': { type: 'boolean' } },
        strict: true,
      });
      const rt = await openRuntime(config, log, { purpose: 'server', supervise: !values['no-worker'] });
      const worker = values['no-worker'] ? undefined : await runWorker(rt);
      const app = await buildApp(rt);
      await app.listen({ port: config.port, host: config.host });
      log.info(
        `Patron is running at http://localhost:${config.port} (${rt.database.kind} database${worker ? ', with worker' : ''})`,
      );
      await untilSignal();
      log.info('shutting down: draining requests and jobs');
      await app.close();
      await worker?.stop();
      await rt.close();
      return 0;
    }
    case 'worker': {
      if (!config.databaseUrl) {
        throw new UsageError(
          'A separate worker needs a PostgreSQL server (DATABASE_URL). On the embedded database, `patron start` runs the worker in the same process.',
        );
      }
      const rt = await openRuntime(config, log, { purpose: 'worker', supervise: true });
      const worker = await runWorker(rt);
      log.info('worker running');
      await untilSignal();
      await worker.stop();
      await rt.close();
      return 0;
    }
    case 'migrate': {
      const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir, 'migrate');
      try {
        const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
        await runMigrations(database);
        await database.close();
      } finally {
        unlock();
      }
      console.log('migrations applied');
      return 0;
    }
    case 'admin':
      return admin(rest, config);
    case 'import':
      return importCommand(rest, config, log);
    case 'integrations':
      return integrationsCommand(rest, config);
    case 'seed':
      return (await import('../../bench/generator/cli.ts')).seedCommand(rest, config);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return command ? 0 : 1;
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
  }
}

async function admin(argv: string[], config: ReturnType<typeof loadConfig>): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'password-reset-link') return resetLink(rest, config);
  if (sub !== 'create-workspace') throw new UsageError(`Unknown admin command "${sub ?? ''}".\n\n${HELP}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      'owner-email': { type: 'string' },
      'owner-password': { type: 'string' },
      'owner-name': { type: 'string' },
    },
    strict: true,
  });
  const parsed = z
    .object({
      name: z.string().trim().min(1, '--name is required').max(120),
      ownerEmail: email,
      ownerPassword: password,
      ownerName: z.string().trim().min(1).max(120).optional(),
    })
    .safeParse({
      name: values.name ?? '',
      ownerEmail: values['owner-email'],
      ownerPassword: values['owner-password'],
      ownerName: values['owner-name'],
    });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`)
        .join('\n'),
    );
  }
  const result = await withDatabase(config, 'admin create-workspace', (database) =>
    createWorkspaceWithOwner(database.db, parsed.data),
  );
  console.log(JSON.stringify(result));
  return 0;
}

/** Opens the database for a one-off command (holding the embedded data folder while it runs). */
async function withDatabase<T>(
  config: ReturnType<typeof loadConfig>,
  what: string,
  fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
): Promise<T> {
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir, what);
  try {
    const database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: 2,
    });
    try {
      await runMigrations(database);
      return await fn(database);
    } finally {
      await database.close();
    }
  } finally {
    unlock();
  }
}

async function resetLink(argv: string[], config: ReturnType<typeof loadConfig>): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { email: { type: 'string' } }, strict: true });
  const parsed = email.safeParse(values.email);
  if (!parsed.success) throw new UsageError('--email: an account email is required');
  const base = config.publicUrl ?? `http://localhost:${config.port}`;
  const link = await withDatabase(config, 'admin password-reset-link', (database) =>
    passwordResetLinkFor(database.db, parsed.data, base.replace(/\/$/, '')),
  );
  console.log(link);
  return 0;
}

// Listening from the first moment: a SIGTERM that arrives while the process is still starting
// is honoured (it shuts down cleanly once started) instead of killing it mid-start.
const signalled = new Promise<void>((resolve) => {
  process.once('SIGTERM', () => resolve());
  process.once('SIGINT', () => resolve());
});
const untilSignal = (): Promise<void> => signalled;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // parseArgs refuses an unknown or malformed option with a TypeError coded ERR_PARSE_ARGS_*
    const badOption =
      err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
    if (
      err instanceof UsageError ||
      err instanceof CliUsageError ||
      err instanceof DataDirBusyError ||
      err instanceof AppError ||
      badOption
    ) {
      console.error(`patron: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  },
);
