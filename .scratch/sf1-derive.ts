// One-off: bring the SF1 store up to this version's derived data, timing each step.
import { sql } from 'drizzle-orm';
import { rescoreCustomers } from '../server/src/modules/customers/scoring.ts';
import { refreshWorkspaceSegments } from '../server/src/modules/segments/saved.service.ts';
import { storeRfmScores } from '../server/src/modules/segments/upkeep.ts';
import { inWorkspace, openDatabase, rows, runMigrations } from '../server/src/platform/db.ts';

const url = process.argv[2]!;
const steps = process.argv.slice(3);
const database = await openDatabase({ databaseUrl: url, dataDir: 'unused' });
const t = async (what: string, fn: () => Promise<unknown>) => {
  const s = performance.now();
  await fn();
  console.log(`${what}: ${((performance.now() - s) / 1000).toFixed(1)} s`);
};
await t('migrate', () => runMigrations(database));
const [ws] = await rows<{ id: string }>(database.db, sql`SELECT id FROM workspaces WHERE slug = 'sf1-store'`);
const id = ws!.id;
if (steps.includes('analyze'))
  await t('analyze', () => database.db.execute(sql`ANALYZE`));
if (steps.includes('scores')) await t('rescore customers', () => inWorkspace(database.db, id, (tx) => rescoreCustomers(tx, id)));
if (steps.includes('segments'))
  await t('dynamic segments (full evaluation)', () =>
    inWorkspace(database.db, id, (tx) => refreshWorkspaceSegments(tx, id)),
  );
if (steps.includes('rfm')) await t('RFM scores stored', () => inWorkspace(database.db, id, (tx) => storeRfmScores(tx, id)));
if (steps.includes('timeline-orders'))
  await t('timeline from orders and refunds', () =>
    inWorkspace(database.db, id, async (tx) => {
      await tx.execute(sql`INSERT INTO timeline_items (workspace_id, customer_id, at, kind, title, detail, ref_type, ref_id)
        SELECT o.workspace_id, o.customer_id, o.placed_at, 'order',
               'Placed order #' || ltrim(o.number, '#') || ' — ' || to_char(o.total_minor / 100.0, 'FM999999999990.00') || ' ' || o.currency,
               jsonb_build_object('totalMinor', o.total_minor, 'currency', o.currency, 'status', o.status), 'order', o.id::text
          FROM orders o WHERE o.workspace_id = ${id} AND o.customer_id IS NOT NULL`);
    }),
  );
if (steps.includes('analyze-derived'))
  await t('analyze derived', () => database.db.execute(sql`ANALYZE customers; ANALYZE segment_members; ANALYZE timeline_items; ANALYZE rfm_scores`));
await database.close();
