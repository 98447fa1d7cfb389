import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import type { Jobs } from './jobs.ts';

/** What a running process has: configuration, the database, the job queue and the logger. */
export type Runtime = { config: Config; database: Database; jobs: Jobs; log: Logger };
