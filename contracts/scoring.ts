// Customer scoring rules a workspace tunes (Settings → Customer scoring): when a customer counts as
// loyal, at risk or churned, with a preview of where its customers would land before saving.
import { z } from 'zod';

export const scoringDefaults = { loyalMinOrders: 3, atRiskFactor: 1.5, churnedFactor: 3 } as const;

/** How many orders make a customer "likes" a category (the other way in: 40% of what they bought). */
export const AFFINITY_MIN_ORDERS = 2;
export const AFFINITY_SHARE = 0.4;

const factor = (min: number, max: number, what: string) =>
  z
    .number(`${what} is a number`)
    .min(min, `${what} is at least ${min}`)
    .max(max, `${what} is at most ${max}`)
    .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, `${what} has at most two decimals`);

const rulesShape = {
  loyalMinOrders: z
    .number('loyal after is a whole number of orders')
    .int('loyal after is a whole number of orders')
    .min(2, 'loyal after at least 2 orders')
    .max(100, 'loyal after at most 100 orders'),
  atRiskFactor: factor(1, 10, 'the at-risk factor'),
  churnedFactor: factor(1.5, 20, 'the churned factor'),
};
const churnedAfterAtRisk = {
  message: 'the churned factor must be larger than the at-risk factor',
  path: ['churnedFactor'],
};

/** Proposed rules, for the preview. */
export const scoringRulesSchema = z
  .object(rulesShape)
  .refine((r) => r.churnedFactor > r.atRiskFactor, churnedAfterAtRisk);
export type ScoringRules = z.infer<typeof scoringRulesSchema>;

/** Saving the rules (optimistic concurrency: version or If-Match). */
export const updateScoringSchema = z
  .object({ version: z.number().int().min(1).optional(), ...rulesShape })
  .refine((r) => r.churnedFactor > r.atRiskFactor, churnedAfterAtRisk);
export type UpdateScoring = z.infer<typeof updateScoringSchema>;

const stageCounts = z.object({
  lead: z.number().int(),
  prospect: z.number().int(),
  customer: z.number().int(),
  loyal: z.number().int(),
  at_risk: z.number().int(),
  churned: z.number().int(),
});
const tierCounts = z.object({ gold: z.number().int(), silver: z.number().int(), bronze: z.number().int() });

export const scoringSettingsSchema = z.object({
  loyalMinOrders: z.number().int(),
  atRiskFactor: z.number(),
  churnedFactor: z.number(),
  version: z.number().int(),
  /** the workspace's own figures the rules compare with (refreshed by every full rescore) */
  figures: z.object({
    medianSpentMinor: z.number().nullable(),
    topSpentMinor: z.number().nullable(),
    medianGapDays: z.number().nullable(),
  }),
  /** when the last full rescore finished; null while one is waiting to run or none has run yet */
  rescoredAt: z.string().nullable(),
  /** rules were saved and the rescore they asked for has not finished yet */
  rescorePending: z.boolean(),
  /** the workspace's currency, for the figures */
  currency: z.string(),
});
export type ScoringSettings = z.infer<typeof scoringSettingsSchema>;

export const scoringPreviewSchema = z.object({
  /** customers scored (not merged away, not deleted) */
  total: z.number().int(),
  /** where customers are now (their stored stage and tier) */
  current: z.object({ stages: stageCounts, tiers: tierCounts }),
  /** where a rescore under the proposed rules would put them, with the store's figures of today */
  proposed: z.object({ stages: stageCounts, tiers: tierCounts }),
  /** customers whose stage saving the proposed rules would change */
  moved: z.number().int(),
});
export type ScoringPreview = z.infer<typeof scoringPreviewSchema>;
