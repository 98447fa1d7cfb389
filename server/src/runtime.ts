import type { Logger } from 'pino';
import { metricsHandler, orderWindowJobs } from './modules/commerce/metrics.ts';
import { scoringHandler } from './modules/customers/scoring.ts';
import { timelineHandler } from './modules/customers/timeline.ts';
import { importJobs } from './modules/imports/imports.service.ts';
import { mailJobs } from './modules/mail/index.ts';
import { countIndexJobs } from './modules/segments/count-index.ts';
import { segmentJobs, segmentUpkeepHandler } from './modules/segments/upkeep.ts';
import type { Config } from './platform/config.ts';
import { lockDataDir } from './platform/data-lock.ts';
import { openDatabase, runMigrations } from './platform/db.ts';
import type { EventHandler } from './platform/events.ts';
import { type JobDef, startJobs, startWorker, type Worker } from './platform/jobs.ts';
import type { Runtime } from './platform/runtime.ts';

/** Every module's background jobs. */
export function allJobs(rt: Pick<Runtime, 'config' | 'jobs' | 'database' | 'log'>): JobDef<never>[] {
  return [
    ...mailJobs(rt),
    ...importJobs(),
    ...orderWindowJobs(rt),
    ...segmentJobs(rt),
    ...countIndexJobs(rt),
  ] as JobDef<never>[];
}

/** Every module's event handlers (modules add theirs as they land). */
export function allEventHandlers(): EventHandler[] {
  // order matters: scores read the metrics the metrics handler has just brought current, and
  // segment upkeep reads both
  return [metricsHandler, scoringHandler, segmentUpkeepHandler, timelineHandler];
}

/**
 * Opens the database (embedded unless DATABASE_URL), applies migrations and starts the job queue.
 * On the embedded database the data folder is locked to this process first.
 */
export async function openRuntime(
  config: Config,
  log: Logger,
  opts: { purpose: string; supervise: boolean; superviseIntervalSeconds?: number },
): Promise<Runtime & { close: () => Promise<void> }> {
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir, opts.purpose);
  try {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await runMigrations(database);
    const jobs = await startJobs(database, {
      supervise: opts.supervise,
      log,
      superviseIntervalSeconds: opts.superviseIntervalSeconds,
    });
    return {
      config,
      database,
      jobs,
      log,
      close: async () => {
        await jobs.stop();
        await database.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

export async function runWorker(
  rt: Runtime,
  extra: { jobs?: JobDef<never>[]; handlers?: EventHandler[] } = {},
): Promise<Worker> {
  return startWorker(
    rt.database,
    rt.jobs,
    [...allJobs(rt), ...(extra.jobs ?? [])],
    [...allEventHandlers(), ...(extra.handlers ?? [])],
    rt.log,
  );
}
