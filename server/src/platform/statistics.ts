// Planner statistics kept current by the app itself (ADR 0009). The embedded database has no
// autovacuum, and on a server autovacuum looks at a table once a minute at best. Until a table is
// analyzed the planner thinks it empty, and the plans it makes then stay cached in every connection:
// the foreign-key check against `customers` walked every customer of the workspace through
// whichever index led with workspace_id (0.25 ms a check after 5,000 customers, against 0.01 ms by
// the primary key). So after writes the app analyzes the tables that are due: at once a table that
// has rows but was never analyzed (or analyzed empty), and by autovacuum's own rule the others.
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, rows } from './db.ts';

/** A process looks at most this often, a second after the write that found it looked lately. */
export const STATISTICS_INTERVAL_MS = 1_000;

/**
 * The tables whose statistics are due, analyzed; their names. Due at once: a table with rows that
 * was never analyzed (its size tells at once) or was analyzed empty (the statistics collector tells,
 * within a second or so). Due at most once a minute: any other table by autovacuum's rule (a tenth of
 * its rows and 50 more changed). Skips a table another session is analyzing.
 */
export async function analyzeDueTables(db: Db): Promise<string[]> {
  const due = await rows<{ name: string }>(
    db,
    sql`SELECT format('%I.%I', s.schemaname, s.relname) AS name
          FROM pg_stat_user_tables s
          JOIN pg_class c ON c.oid = s.relid
         WHERE c.relkind = 'r' AND c.relpersistence = 'p'
           AND ((c.reltuples < 0 AND pg_relation_size(c.oid) > 0)
                OR (c.reltuples = 0 AND s.n_live_tup > 0)
                OR (s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
                    AND coalesce(greatest(s.last_analyze, s.last_autoanalyze), '-infinity') < now() - interval '1 minute'))
         ORDER BY 1`,
  );
  if (due.length > 0) await db.execute(sql.raw(`ANALYZE (SKIP_LOCKED) ${due.map((t) => t.name).join(', ')}`));
  return due.map((t) => t.name);
}

type State = { last: number; running: Promise<void> | null; timer: NodeJS.Timeout | null };
const state = new WeakMap<Db, State>();

/**
 * After a write: analyzes the tables that are due, in the background — at once, or if this process
 * looked less than STATISTICS_INTERVAL_MS ago, when that interval is over. Never waits and never
 * throws (a failure is logged).
 */
export function nudgeStatistics(db: Db, log: Logger): void {
  let s = state.get(db);
  if (!s) {
    s = { last: Number.NEGATIVE_INFINITY, running: null, timer: null };
    state.set(db, s);
  }
  if (s.running || s.timer) return;
  const wait = s.last + STATISTICS_INTERVAL_MS - Date.now();
  if (wait > 0) {
    const st = s;
    st.timer = setTimeout(() => {
      st.timer = null;
      nudgeStatistics(db, log);
    }, wait);
    st.timer.unref();
    return;
  }
  const st = s;
  st.last = Date.now();
  st.running = analyzeDueTables(db)
    .then((tables) => {
      if (tables.length) log.debug({ tables }, 'planner statistics refreshed');
    })
    .catch((err) => log.warn({ err }, 'refreshing planner statistics failed'))
    .finally(() => {
      st.running = null;
    });
}

/** Cancels a refresh not yet begun and waits for one in progress (a process closing its database). */
export async function statisticsSettled(db: Db): Promise<void> {
  const s = state.get(db);
  if (!s) return;
  if (s.timer) clearTimeout(s.timer);
  s.timer = null;
  await s.running;
}
