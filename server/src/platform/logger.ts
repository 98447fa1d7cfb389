import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/** Structured JSON logs on stdout, one line per event. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'patron', pid: process.pid },
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', '*.password', '*.token'],
      remove: true,
    },
  });
}
