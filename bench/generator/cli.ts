// `patron seed`: a realistic generated store in a new workspace.
//   patron seed --demo                         a few thousand customers with a year of history, a demo login
//   patron seed --scale 1 --db <url>           SF1: 1M customers, 10M orders, ~45M browsing events
//   patron seed --customers 1000 --db <url>    a small store
//   patron seed --derive-only --workspace <slug> --db <url>   rebuild what the app derives
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { CliUsageError } from '../../server/src/cli-data.ts';
import { workspaces } from '../../server/src/modules/workspaces/workspaces.table.ts';
import type { Config } from '../../server/src/platform/config.ts';
import { lockDataDir } from '../../server/src/platform/data-lock.ts';
import { openDatabase, runMigrations } from '../../server/src/platform/db.ts';
import { derive, fmt, SeedRefused, seedStore } from './load.ts';
import { SF1 } from './store.ts';

/** A usage problem: `patron` prints it and exits with status 2. */
export class SeedUsageError extends CliUsageError {}

export const SEED_HELP = `patron seed — generate a realistic store into a new workspace

  patron seed --demo [--db <url>]            ${'3,000'} customers with a year of history and a demo login
  patron seed --scale <f> [--db <url>]       f × SF1 (SF1 = 1M customers, 10M orders, ~45M browsing events)
  patron seed --customers <n> [--db <url>]
  patron seed --derive-only --workspace <slug> [--db <url>]

Options: --seed <n> (default 42; the same seed gives the same store), --as-of <YYYY-MM-DD> (end of the
history, default today), --years <n> (history length, default 3; 1 with --demo), --name <workspace name>,
--owner-email <email> --owner-password <password>, --workspace-new (add a workspace to a database that
already has some; without it such a database is refused). Without --db: DATABASE_URL, else the embedded
database in ./data (PATRON_DATA_DIR).`;

export async function seedCommand(argv: string[], config: Config): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      demo: { type: 'boolean' },
      scale: { type: 'string' },
      customers: { type: 'string' },
      db: { type: 'string' },
      seed: { type: 'string' },
      'as-of': { type: 'string' },
      years: { type: 'string' },
      name: { type: 'string' },
      'owner-email': { type: 'string' },
      'owner-password': { type: 'string' },
      'workspace-new': { type: 'boolean' },
      'derive-only': { type: 'boolean' },
      workspace: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(SEED_HELP);
    return 0;
  }
  const url = values.db ?? config.databaseUrl;
  const sizes = [values.demo, values.scale, values.customers, values['derive-only']].filter(Boolean).length;
  if (sizes !== 1)
    throw new SeedUsageError(
      `Give exactly one of --demo, --scale, --customers or --derive-only.\n\n${SEED_HELP}`,
    );
  const num = (name: string, v: string | undefined, fallback: number, min: number, max: number) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max)
      throw new SeedUsageError(`--${name}: a number from ${min} to ${max}`);
    return n;
  };
  const scale = num('scale', values.scale, 0, 0.000001, 100);
  const customers = values.demo
    ? 3000
    : values.customers !== undefined
      ? Math.round(num('customers', values.customers, 0, 1, 100_000_000))
      : Math.max(1, Math.round(scale * SF1.customers));
  const seed = Math.round(num('seed', values.seed, 42, 0, 2 ** 31 - 1));
  const years = num('years', values.years, values.demo ? 1 : 3, 0.1, 20);
  let asOf = new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`);
  if (values['as-of'] !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values['as-of']) || Number.isNaN(Date.parse(values['as-of'])))
      throw new SeedUsageError('--as-of: a date as YYYY-MM-DD');
    asOf = new Date(`${values['as-of']}T00:00:00Z`);
  }
  if (values['derive-only'] && !values.workspace)
    throw new SeedUsageError('--derive-only needs --workspace <slug>');

  const unlock = url ? () => undefined : lockDataDir(config.dataDir, 'seed');
  const say = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  try {
    const database = await openDatabase({ databaseUrl: url, dataDir: config.dataDir, poolSize: 4 }).catch(
      (err: Error) => {
        throw new SeedUsageError(`Cannot open the database: ${err.message}`);
      },
    );
    try {
      await database.db.execute('SELECT 1').catch((err: Error) => {
        const cause = err.cause instanceof Error ? err.cause : err;
        throw new SeedUsageError(`Cannot reach the database: ${cause.message || String(cause)}`);
      });
      if (values['derive-only']) {
        await runMigrations(database);
        const [ws] = await database.db
          .select({ id: workspaces.id })
          .from(workspaces)
          .where(eq(workspaces.slug, values.workspace!));
        if (!ws) throw new SeedUsageError(`No workspace with the slug "${values.workspace}".`);
        const t0 = performance.now();
        await derive(database, ws.id, say);
        say(`derived in ${fmt((performance.now() - t0) / 1000)}`);
        return 0;
      }
      say(
        `seeding ${customers.toLocaleString('en')} customers (seed ${seed}, ${years} year(s) of history to ${asOf.toISOString().slice(0, 10)}) into the ${database.kind} database`,
      );
      const r = await seedStore(
        database,
        url,
        {
          seed,
          customers,
          asOf,
          years,
          name:
            values.name ??
            (values.demo ? 'Demo store' : `Generated store (${customers.toLocaleString('en')} customers)`),
          ownerEmail: values['owner-email'],
          ownerPassword: values['owner-password'],
          ownerName: values.demo ? 'Demo Owner' : undefined,
          addWorkspace: Boolean(values['workspace-new']),
        },
        say,
      );
      const totalRows = Object.values(r.counts).reduce((a, b) => a + b, 0);
      console.log(
        [
          `Workspace "${r.slug}" (${r.workspaceId})`,
          ...Object.entries(r.counts).map(
            ([t, n]) => `  ${t.padEnd(20)} ${n.toLocaleString('en').padStart(14)}`,
          ),
          `Loaded ${totalRows.toLocaleString('en')} rows in ${fmt(r.loadSeconds)} (${r.rowsPerSecond.toLocaleString('en')} rows/s); derived in ${fmt(r.deriveSeconds)}`,
          `Sign in as ${r.ownerEmail} with the password ${r.ownerPassword}`,
        ].join('\n'),
      );
      return 0;
    } finally {
      await database.close();
    }
  } catch (err) {
    if (err instanceof SeedRefused) throw new SeedUsageError(err.message);
    throw err;
  } finally {
    unlock();
  }
}
