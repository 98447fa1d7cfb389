// Planner statistics kept current by the app itself (ADR 0009). The embedded database has no
// autovacuum, and on a server autovacuum looks at a table once a minute at best. Until a table is
// analyzed the planner thinks it empty, and the plans it makes then stay cached in every connection:
// the foreign-key check against `customers` walked every customer of the workspace through
// whichever index led with workspace_id (0.25 ms a check after 5,000 customers, against 0.01 ms by
// the primary key). So after writes the app analyzes the tables that are due: at once a table that
// has rows but was never analyzed (or analyzed empty), and by autovacuum's own rule the others. On
// the embedded database it also vacuums what autovacuum would (the event queue, emptied by every
// dispatch, otherwise only grew; counts read the covering index alone only for rows a vacuum marked
// all-visible).
import { type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { type Db, rows } from './db.ts';

/** A process looks at most this often, a second after the write that found it looked lately. */
export const TABLE_UPKEEP_INTERVAL_MS = 1_000;

/** Runs `command` (ANALYZE or VACUUM, with SKIP_LOCKED) on the tables where `due` holds; their names. */
async function onDueTables(db: Db, command: 'ANALYZE' | 'VACUUM', due: SQL): Promise<string[]> {
  const names = (
    await rows<{ name: string }>(
      db,
      sql`SELECT format('%I.%I', s.schemaname, s.relname) AS name
            FROM pg_stat_user_tables s
            JOIN pg_class c ON c.oid = s.relid
           WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND (${due})
           ORDER BY 1`,
    )
  ).map((t) => t.name);
  if (names.length > 0) await db.execute(sql.raw(`${command} (SKIP_LOCKED) ${names.join(', ')}`));
  return names;
}

/**
 * The tables whose statistics are due, analyzed; their names. Due at once: a table with rows that
 * was never analyzed (its size tells at once) or was analyzed empty (the statistics collector tells,
 * within a second or so). Due at most once a minute: any other table by autovacuum's rule (a tenth of
 * its rows and 50 more changed). Skips a table another session is analyzing.
 */
export const analyzeDueTables = (db: Db): Promise<string[]> =>
  onDueTables(
    db,
    'ANALYZE',
    sql`(c.reltuples < 0 AND pg_relation_size(c.oid) > 0)
        OR (c.reltuples = 0 AND s.n_live_tup > 0)
        OR (s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
            AND coalesce(greatest(s.last_analyze, s.last_autoanalyze), '-infinity') < now() - interval '1 minute')`,
  );

/**
 * The tables due a vacuum by autovacuum's rules, vacuumed; their names. Due: a fifth of the rows plus
 * 50 dead, or a fifth plus 1,000 inserted since the last vacuum (for the visibility map), at most once
 * a minute per table. VACUUM cannot run in a transaction.
 */
export const vacuumDueTables = (db: Db): Promise<string[]> =>
  onDueTables(
    db,
    'VACUUM',
    sql`(s.n_dead_tup > 50 + 0.2 * greatest(c.reltuples, 0)
         OR s.n_ins_since_vacuum > 1000 + 0.2 * greatest(c.reltuples, 0))
        AND coalesce(greatest(s.last_vacuum, s.last_autovacuum), '-infinity') < now() - interval '1 minute'`,
  );

/** Databases with no autovacuum of their own (the embedded one): their upkeep vacuums too. */
const withoutAutovacuum = new WeakSet<Db>();
export function upkeepVacuums(db: Db): void {
  withoutAutovacuum.add(db);
}

type State = { last: number; running: Promise<void> | null; timer: NodeJS.Timeout | null };
const state = new WeakMap<Db, State>();

/**
 * After a write: analyzes (and on a database registered with upkeepVacuums, first vacuums) the tables
 * that are due, in the background — at once, or if this process
 * looked less than TABLE_UPKEEP_INTERVAL_MS ago, when that interval is over. Never waits and never
 * throws (a failure is logged).
 */
export function nudgeTableUpkeep(db: Db, log: Logger): void {
  let s = state.get(db);
  if (!s) {
    s = { last: Number.NEGATIVE_INFINITY, running: null, timer: null };
    state.set(db, s);
  }
  if (s.running || s.timer) return;
  const wait = s.last + TABLE_UPKEEP_INTERVAL_MS - Date.now();
  if (wait > 0) {
    const st = s;
    st.timer = setTimeout(() => {
      st.timer = null;
      nudgeTableUpkeep(db, log);
    }, wait);
    st.timer.unref();
    return;
  }
  const st = s;
  st.last = Date.now();
  st.running = (async () => {
    const vacuumed = withoutAutovacuum.has(db) ? await vacuumDueTables(db) : [];
    const analyzed = await analyzeDueTables(db);
    if (vacuumed.length || analyzed.length) log.debug({ vacuumed, analyzed }, 'table upkeep');
  })()
    .catch((err) => log.warn({ err }, 'table upkeep failed'))
    .finally(() => {
      st.running = null;
    });
}

/** Cancels a refresh not yet begun and waits for one in progress (a process closing its database). */
export async function tableUpkeepSettled(db: Db): Promise<void> {
  const s = state.get(db);
  if (!s) return;
  if (s.timer) clearTimeout(s.timer);
  s.timer = null;
  await s.running;
}
