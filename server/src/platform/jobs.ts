import { sql } from 'drizzle-orm';
import {
  fromDrizzle,
  fromPglite,
  type JobResult,
  PgBoss,
  type QueueOptions,
  type SendOptions,
} from 'pg-boss';
import type { Logger } from 'pino';
import { type Database, type Db, rows } from './db.ts';
import { DISPATCH_BATCH, dispatchBatch, type EventHandler } from './events.ts';

/** A background job. `handle` runs in one transaction with the job's completion mark: done once. */
export type JobDef<T = Record<string, unknown>> = {
  name: string;
  queue?: QueueOptions;
  /** A cron expression (UTC): the job is also sent on that schedule, once across all workers. */
  schedule?: string;
  handle?: (tx: Db, data: T, job: { id: string; retryCount: number }) => Promise<void>;
  /**
   * For work too long for one transaction (a CSV import): runs with the database itself, commits in
   * steps of its own and must resume where it stopped when retried. Used instead of `handle`.
   */
  longRunning?: (db: Db, data: T, job: { id: string; retryCount: number }) => Promise<void>;
  /** Runs after the handler's transaction committed, before the queue marks the job done (tests use it). */
  afterCommit?: (job: { id: string; retryCount: number }) => Promise<void> | void;
};

/**
 * A scheduled job that sends `perWorkspace` once for every workspace (so a large store does not hold
 * the others up, and each workspace's work is retried on its own).
 */
export function fanOutToWorkspaces(
  rt: { jobs: Jobs },
  name: string,
  schedule: string,
  perWorkspace: string,
): JobDef<{ workspaceId?: string }> {
  return {
    name,
    schedule,
    handle: async (tx) => {
      for (const w of await rows<{ id: string }>(tx, sql`SELECT id FROM workspaces`))
        await rt.jobs.send(tx, perWorkspace, { workspaceId: w.id });
    },
  };
}

export type Jobs = {
  boss: PgBoss;
  /** Enqueues a job in the caller's transaction: it exists exactly when the change does. */
  send: (tx: Db, name: string, data: object, options?: SendOptions) => Promise<string | null>;
  stop: () => Promise<void>;
};

export async function startJobs(
  database: Database,
  opts: { supervise: boolean; log: Logger; superviseIntervalSeconds?: number },
): Promise<Jobs> {
  const common = {
    supervise: opts.supervise,
    schedule: opts.supervise,
    migrate: true,
    superviseIntervalSeconds: opts.superviseIntervalSeconds ?? 5,
    // a queue's expired jobs (their worker died) are retried on this pass, not only every 60 s
    ...(opts.superviseIntervalSeconds ? { monitorIntervalSeconds: opts.superviseIntervalSeconds } : {}),
    maintenanceIntervalSeconds: 60,
  };
  const boss = database.pglite
    ? new PgBoss({ ...common, db: fromPglite(database.pglite) })
    : new PgBoss({ ...common, connectionString: connectionStringOf(database) });
  boss.on('error', (err) => opts.log.error({ err }, 'job queue error'));
  await boss.start();
  // Requests enqueue jobs inside their workspace transaction, as the row-level-security role.
  for (const grant of [
    'GRANT USAGE ON SCHEMA pgboss TO patron_app',
    'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO patron_app',
    'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO patron_app',
  ]) {
    // processes starting together may race on the same grant; one of them succeeding is enough
    await database.db.execute(sql.raw(grant)).catch((err) => opts.log.debug({ err }, 'grant raced'));
  }
  return {
    boss,
    send: (tx, name, data, options) =>
      boss.send(name, data, {
        ...options,
        db: fromDrizzle(tx as unknown as Parameters<typeof fromDrizzle>[0], sql),
      }),
    stop: () => boss.stop({ graceful: true, timeout: 20_000 }),
  };
}

function connectionStringOf(database: Database): string {
  const pool = database.pool as unknown as { options: { connectionString: string } };
  return pool.options.connectionString;
}

/** Runs a job's handler unless its effects already committed (a retry after a crash mid-way). */
export async function runJobOnce<T>(
  db: Db,
  def: JobDef<T>,
  job: { id: string; data: T; retryCount: number },
) {
  await db.transaction(async (tx) => {
    const claimed = await rows<{ job_id: string }>(
      tx as unknown as Db,
      sql`INSERT INTO job_completions (job_id, queue) VALUES (${job.id}, ${def.name})
          ON CONFLICT (job_id) DO NOTHING RETURNING job_id`,
    );
    if (claimed.length === 0) return;
    if (!def.handle) throw new Error(`job ${def.name} has no handler`);
    await def.handle(tx as unknown as Db, job.data, { id: job.id, retryCount: job.retryCount });
  });
  await def.afterCommit?.({ id: job.id, retryCount: job.retryCount });
}

export type Worker = { stop: () => Promise<void> };

/** The worker: runs every job queue and dispatches the events outbox to its handlers. */
export async function startWorker(
  database: Database,
  jobs: Jobs,
  defs: JobDef<never>[],
  handlers: EventHandler[],
  log: Logger,
): Promise<Worker> {
  for (const def of defs) {
    await jobs.boss.createQueue(def.name, { retryLimit: 5, retryBackoff: true, retryDelay: 5, ...def.queue });
    if (def.schedule) await jobs.boss.schedule(def.name, def.schedule, {}, { tz: 'UTC' });
    // Each job of a batch is settled on its own: one that throws is retried alone, the rest complete.
    // A full batch fetches the next at once instead of waiting for the polling interval.
    await jobs.boss.work<never>(
      def.name,
      { batchSize: 20, pollingIntervalSeconds: 0.5, perJobResults: true, burstWhenBatchFull: true },
      async (batch) => {
        const results: JobResult[] = [];
        for (const job of batch) {
          try {
            if (def.longRunning)
              await def.longRunning(database.db, job.data, { id: job.id, retryCount: job.retryCount });
            else await runJobOnce(database.db, def, job);
            results.push({ id: job.id, status: 'completed' });
          } catch (err) {
            log.warn({ err, jobId: job.id, queue: def.name }, 'job failed; will retry');
            results.push({ id: job.id, status: 'failed', output: { message: String(err) } });
          }
        }
        return results;
      },
    );
  }
  let stopped = false;
  let wake: (() => void) | undefined;
  const unlisten = await listenForEvents(database, () => wake?.());
  const loop = (async () => {
    while (!stopped) {
      let n = 0;
      try {
        n = await dispatchBatch(database.db, handlers, log, DISPATCH_BATCH[database.kind]);
      } catch (err) {
        log.error({ err }, 'event dispatch failed');
      }
      if (n === 0 && !stopped) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 1000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
      await unlisten();
    },
  };
}

async function listenForEvents(database: Database, onEvent: () => void): Promise<() => Promise<void>> {
  if (database.pglite) return database.pglite.listen('patron_events', onEvent);
  const client = await database.pool!.connect();
  client.on('notification', onEvent);
  await client.query('LISTEN patron_events');
  return async () => {
    await client.query('UNLISTEN patron_events').catch(() => undefined);
    client.release();
  };
}
