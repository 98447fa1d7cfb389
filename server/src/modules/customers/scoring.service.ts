// The scoring rules a workspace tunes: read them with the figures they compare with, preview where
// customers would land under proposed rules (nothing written), and save them (optimistic
// concurrency, audited), which asks for a full rescore in the background.
import { eq, sql } from 'drizzle-orm';
import {
  type ScoringPreview,
  type ScoringRules,
  type ScoringSettings,
  scoringDefaults,
} from '../../../../contracts/scoring.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { rows } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { assertCan } from '../../platform/permissions.ts';
import { recordChange } from '../audit/audit.service.ts';
import { workspaces } from '../workspaces/workspaces.table.ts';
import { customerScoring } from './customers.table.ts';
import { previewStages } from './scoring.ts';

/** The job that rescores a workspace (scores, then dynamic segments and RFM), as the hourly pass does. */
export const RESCORE_JOB = 'segments.refresh-workspace';

type Row = typeof customerScoring.$inferSelect;

function toSettings(row: Row | undefined, currency: string): ScoringSettings {
  return {
    loyalMinOrders: row?.loyalMinOrders ?? scoringDefaults.loyalMinOrders,
    atRiskFactor: Number(row?.atRiskFactor ?? scoringDefaults.atRiskFactor),
    churnedFactor: Number(row?.churnedFactor ?? scoringDefaults.churnedFactor),
    // a workspace without a row reads the defaults at version 1 (the row's first version)
    version: row?.version ?? 1,
    figures: {
      medianSpentMinor: row?.medianSpentMinor ?? null,
      topSpentMinor: row?.topSpentMinor ?? null,
      medianGapDays: row?.medianGapDays == null ? null : Number(row.medianGapDays),
    },
    rescoredAt: row?.computedAt ? row.computedAt.toISOString() : null,
    // saving the rules clears computed_at; the rescore it asked for sets it again
    rescorePending: !!row && row.computedAt === null,
    currency,
  };
}

async function load(ctx: WorkspaceCtx): Promise<{ row: Row | undefined; currency: string }> {
  const [row] = await ctx.db
    .select()
    .from(customerScoring)
    .where(eq(customerScoring.workspaceId, ctx.workspaceId));
  const [ws] = await ctx.db
    .select({ currency: workspaces.currency })
    .from(workspaces)
    .where(eq(workspaces.id, ctx.workspaceId));
  return { row, currency: ws?.currency ?? 'USD' };
}

export async function getScoring(ctx: WorkspaceCtx): Promise<ScoringSettings> {
  assertCan(ctx, 'customers.read');
  const { row, currency } = await load(ctx);
  return toSettings(row, currency);
}

const rulesOf = (s: ScoringSettings): ScoringRules => ({
  loyalMinOrders: s.loyalMinOrders,
  atRiskFactor: s.atRiskFactor,
  churnedFactor: s.churnedFactor,
});

/**
 * Counts by stage and tier: now (as stored) and after a rescore under the proposed rules (with the
 * store's figures as they are today); writes nothing.
 */
export async function previewScoring(ctx: WorkspaceCtx, proposed: ScoringRules): Promise<ScoringPreview> {
  assertCan(ctx, 'workspace.update');
  const counts = await previewStages(ctx.db, ctx.workspaceId, proposed);
  const stages = () => ({ lead: 0, prospect: 0, customer: 0, loyal: 0, at_risk: 0, churned: 0 });
  const tiers = () => ({ gold: 0, silver: 0, bronze: 0 });
  const out: ScoringPreview = {
    total: 0,
    current: { stages: stages(), tiers: tiers() },
    proposed: { stages: stages(), tiers: tiers() },
    moved: 0,
  };
  for (const c of counts) {
    out.total += c.n;
    out.current.stages[c.current as keyof ReturnType<typeof stages>] += c.n;
    out.proposed.stages[c.proposed as keyof ReturnType<typeof stages>] += c.n;
    if (c.currentTier) out.current.tiers[c.currentTier as keyof ReturnType<typeof tiers>] += c.n;
    if (c.proposedTier) out.proposed.tiers[c.proposedTier as keyof ReturnType<typeof tiers>] += c.n;
    if (c.current !== c.proposed) out.moved += c.n;
  }
  return out;
}

/**
 * Saves the rules (a stale version answers 409), audits the change and enqueues the workspace's
 * full rescore in the same transaction: it runs exactly when the change commits.
 */
export async function updateScoring(
  ctx: WorkspaceCtx,
  jobs: Pick<Jobs, 'send'>,
  input: ScoringRules & { version: number },
): Promise<ScoringSettings> {
  assertCan(ctx, 'workspace.update');
  const { row: before, currency } = await load(ctx);
  const current = before?.version ?? 1;
  if (input.version !== current)
    throw new AppError('version_conflict', 'Someone else changed the scoring rules; reload and try again.');
  const rules = {
    loyalMinOrders: input.loyalMinOrders,
    atRiskFactor: Math.round(input.atRiskFactor * 100) / 100,
    churnedFactor: Math.round(input.churnedFactor * 100) / 100,
  };
  // the version check is in the statement too: of two saves from the same version, one wins
  const saved = await rows<{ workspace_id: string }>(
    ctx.db,
    sql`INSERT INTO customer_scoring (workspace_id, loyal_min_orders, at_risk_factor, churned_factor, computed_at, version)
        VALUES (${ctx.workspaceId}, ${rules.loyalMinOrders}, ${rules.atRiskFactor}, ${rules.churnedFactor}, NULL, 2)
        ON CONFLICT (workspace_id) DO UPDATE SET
          loyal_min_orders = excluded.loyal_min_orders, at_risk_factor = excluded.at_risk_factor,
          churned_factor = excluded.churned_factor, computed_at = NULL,
          version = customer_scoring.version + 1
        WHERE customer_scoring.version = ${input.version}
        RETURNING workspace_id`,
  );
  if (saved.length === 0)
    throw new AppError('version_conflict', 'Someone else changed the scoring rules; reload and try again.');
  await jobs.send(ctx.db, RESCORE_JOB, { workspaceId: ctx.workspaceId });
  const old = toSettings(before, currency);
  await recordChange(ctx.db, ctx, {
    action: 'customer_scoring.updated',
    recordType: 'customer_scoring',
    recordId: ctx.workspaceId,
    before: rulesOf(old),
    after: rules,
  });
  const { row } = await load(ctx);
  return toSettings(row, currency);
}
