// Keeping saved segments current. Data changes reach segments through the events outbox: the upkeep
// handler re-evaluates every dynamic segment for just the customers an event touches (after the
// metrics handler, so order aggregates are already current). Relative dates move with time, so an
// hourly job re-evaluates every dynamic segment in full and stores the RFM scores.
import { sql } from 'drizzle-orm';
import type { Db } from '../../platform/db.ts';
import { customersByWorkspace, type DomainEvent, type EventHandler } from '../../platform/events.ts';
import { fanOutToWorkspaces, type JobDef } from '../../platform/jobs.ts';
import type { Runtime } from '../../platform/runtime.ts';
import { customersOf } from '../commerce/metrics.ts';
import { rescoreCustomers } from '../customers/scoring.ts';
import { rfmGroupSql, rfmScored } from './rfm.ts';
import { reevaluateCustomers, refreshWorkspaceSegments } from './saved.service.ts';

/** Events that can change whether a customer matches a rule. */
export const UPKEEP_EVENTS = [
  'order.placed',
  'order.updated',
  'order.cancelled',
  'order.refunded',
  'customer.created',
  'customer.updated',
  'customer.merged',
  'customer.consent_changed',
  'customer.tagged',
  'customer.untagged',
  'checkout.started',
  'checkout.updated',
  'browse.product_viewed',
  'browse.added_to_cart',
  'browse.page_viewed',
  'browse.checkout_started',
];

/** The customers an event concerns: those it names, and its subject when that is a customer. */
const touched = (e: DomainEvent): string[] =>
  [...customersOf(e), ...(e.subjectType === 'customer' ? [e.subjectId] : [])].filter((x) =>
    /^[0-9a-f-]{36}$/i.test(x),
  );

async function upkeep(tx: Db, events: DomainEvent[]): Promise<void> {
  for (const [ws, ids] of customersByWorkspace(events, touched)) await reevaluateCustomers(tx, ws, ids);
}

export const segmentUpkeepHandler: EventHandler = {
  name: 'segment-upkeep',
  types: UPKEEP_EVENTS,
  handle: (tx, e) => upkeep(tx, [e]),
  handleBatch: upkeep,
};

/**
 * Stores every scored customer's R, F, M and group for a workspace: only rows whose scores changed
 * are written (most do not from one hour to the next), and customers no longer scored are removed.
 */
export async function storeRfmScores(tx: Db, workspaceId: string): Promise<void> {
  await tx.execute(
    sql`INSERT INTO rfm_scores (workspace_id, customer_id, r, f, m, group_key, scored_at)
        SELECT ${workspaceId}, s.id, s.r, s.f, s.m, ${rfmGroupSql}, now() FROM ${rfmScored(workspaceId)} s
        ON CONFLICT (workspace_id, customer_id) DO UPDATE
          SET r = excluded.r, f = excluded.f, m = excluded.m, group_key = excluded.group_key, scored_at = excluded.scored_at
          WHERE (rfm_scores.r, rfm_scores.f, rfm_scores.m) IS DISTINCT FROM (excluded.r, excluded.f, excluded.m)`,
  );
  await tx.execute(
    sql`DELETE FROM rfm_scores x WHERE x.workspace_id = ${workspaceId}
          AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.workspace_id = x.workspace_id AND c.id = x.customer_id
                            AND c.orders_count > 0 AND c.last_order_at IS NOT NULL
                            AND c.merged_into IS NULL AND c.deleted_at IS NULL)`,
  );
}

/**
 * Hourly: one job per workspace (so a large store does not hold the others up), each rescoring the
 * workspace's customers, re-evaluating its dynamic segments in full and storing its RFM scores.
 */
export const segmentJobs = (rt: Pick<Runtime, 'jobs'>): JobDef<{ workspaceId?: string }>[] => [
  fanOutToWorkspaces(rt, 'segments.refresh', '7 * * * *', 'segments.refresh-workspace'),
  {
    name: 'segments.refresh-workspace',
    handle: async (tx, data) => {
      if (!data.workspaceId) return;
      // recency moves with the calendar: scores first, as segment rules may read them
      await rescoreCustomers(tx, data.workspaceId);
      await refreshWorkspaceSegments(tx, data.workspaceId);
      await storeRfmScores(tx, data.workspaceId);
    },
  },
];
