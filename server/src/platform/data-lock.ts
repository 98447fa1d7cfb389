import fs from 'node:fs';
import path from 'node:path';

/**
 * The embedded database is one process's at a time: a second opener would corrupt it. The lock is
 * a file with the holder's pid, created exclusively; a lock whose process is gone is taken over.
 */
export function lockDataDir(dataDir: string, purpose: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'patron.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, purpose, since: new Date().toISOString() }), {
        flag: 'wx',
      });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && isAlive(holder.pid)) {
        throw new DataDirBusyError(
          `The embedded database in ${dataDir} is in use by another Patron process (pid ${holder.pid}, ${holder.purpose}, since ${holder.since}).\n` +
            'Stop that process first, or run Patron on a PostgreSQL server (DATABASE_URL) to use several processes at once.',
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new DataDirBusyError(`Could not lock ${dataDir}`);
}

export class DataDirBusyError extends Error {}

function readHolder(file: string): { pid: number; purpose: string; since: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
