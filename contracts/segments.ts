import { z } from 'zod';

/**
 * The segment rule model: nested AND/OR groups of conditions. The visual builder edits it, the text
 * query language (server/src/modules/segments/query.ts) parses into it and prints from it, and the
 * compiler turns it into one parameterised SQL query.
 */

/** A point in time: days relative to now (negative = in the past) or a calendar date (YYYY-MM-DD). */
export const dateValueSchema = z.union([
  z.object({ days: z.number().int().min(-36500).max(36500) }),
  z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD') }),
]);
export type DateValue = z.infer<typeof dateValueSchema>;

/** discounted_order_share: the percentage (0–100) of a customer's orders that used a discount code. */
export const numberFields = [
  'amount_spent',
  'number_of_orders',
  'average_order_value',
  'discounted_order_share',
] as const;
export const dateFields = ['first_order_date', 'last_order_date', 'customer_created_date'] as const;
export const textFields = [
  'country',
  'city',
  'email_domain',
  'email',
  'first_name',
  'last_name',
  'company',
] as const;
export type NumberField = (typeof numberFields)[number];
export type DateField = (typeof dateFields)[number];
export type TextField = (typeof textFields)[number];

export const compareOps = ['=', '!=', '>', '>=', '<', '<='] as const;
export type CompareOp = (typeof compareOps)[number];

const between = <T extends z.ZodType>(v: T) => z.object({ op: z.literal('between'), from: v, to: v });
const isNull = z.object({ op: z.literal('is_null') });
const isNotNull = z.object({ op: z.literal('is_not_null') });

export const numberConditionSchema = z.object({
  kind: z.literal('number'),
  field: z.enum(numberFields),
  test: z.union([
    z.object({ op: z.enum(compareOps), value: z.number().finite() }),
    between(z.number().finite()),
    isNull,
    isNotNull,
  ]),
});

export const dateConditionSchema = z.object({
  kind: z.literal('date'),
  field: z.enum(dateFields),
  test: z.union([
    z.object({ op: z.enum(compareOps), value: dateValueSchema }),
    between(dateValueSchema),
    isNull,
    isNotNull,
  ]),
});

export const textConditionSchema = z.object({
  kind: z.literal('text'),
  field: z.enum(textFields),
  test: z.union([
    z.object({ op: z.enum(['=', '!=', 'contains', 'not_contains']), value: z.string().min(1).max(200) }),
    isNull,
    isNotNull,
  ]),
});

export const tagConditionSchema = z.object({
  kind: z.literal('tag'),
  op: z.enum(['contains', 'not_contains']),
  value: z.string().min(1).max(100),
});

/** Filters and time window shared by the functions over orders, purchases and events. */
export const windowSchema = z.object({
  since: dateValueSchema.optional(),
  until: dateValueSchema.optional(),
});

/** products_purchased counts the orders holding a product or category (one of them is required). */
export const orderFunctions = [
  'orders_placed',
  'amount_spent',
  'average_order_value',
  'products_purchased',
] as const;
export const orderAggregateSchema = z.object({
  kind: z.literal('orders'),
  fn: z.enum(orderFunctions),
  window: windowSchema,
  category: z.string().min(1).max(200).optional(),
  product: z.string().min(1).max(200).optional(),
  discountCode: z.string().min(1).max(100).optional(),
  op: z.enum(compareOps),
  value: z.number().finite(),
});

export const eventTypes = ['product_viewed', 'added_to_cart', 'page_viewed', 'checkout_started'] as const;
/** Browsing events (and abandoned checkouts) must carry a window: event history is unbounded. */
export const eventConditionSchema = z.object({
  kind: z.literal('events'),
  fn: z.enum(['events', 'abandoned_checkouts']),
  type: z.enum(eventTypes).optional(),
  product: z.string().min(1).max(200).optional(),
  window: windowSchema,
  op: z.enum(compareOps),
  value: z.number().int().min(0),
});

/** The named RFM groups, by recency (R) and frequency (F) score; monetary (M) weighs revenue. */
export const rfmGroups = [
  'champions',
  'loyal',
  'potential_loyalists',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
  'lost',
] as const;
export type RfmGroup = (typeof rfmGroups)[number];
export const rfmGroupLabels: Record<RfmGroup, string> = {
  champions: 'Champions',
  loyal: 'Loyal',
  potential_loyalists: 'Potential loyalists',
  new: 'New',
  promising: 'Promising',
  need_attention: 'Need attention',
  about_to_sleep: 'About to sleep',
  at_risk: 'At risk',
  cant_lose: "Can't lose",
  hibernating: 'Hibernating',
  lost: 'Lost',
};

/** Customers in a named RFM group (customers without orders have none and match neither = nor !=). */
export const rfmConditionSchema = z.object({
  kind: z.literal('rfm'),
  op: z.enum(['=', '!=']),
  value: z.enum(rfmGroups),
});

export const conditionSchema = z.discriminatedUnion('kind', [
  numberConditionSchema,
  dateConditionSchema,
  textConditionSchema,
  tagConditionSchema,
  orderAggregateSchema,
  eventConditionSchema,
  rfmConditionSchema,
]);
export type Condition = z.infer<typeof conditionSchema>;

export type RuleGroup = { kind: 'group'; op: 'and' | 'or'; rules: (RuleGroup | Condition)[] };
export const ruleGroupSchema: z.ZodType<RuleGroup> = z.lazy(() =>
  z.object({
    kind: z.literal('group'),
    op: z.enum(['and', 'or']),
    rules: z
      .array(z.union([ruleGroupSchema, conditionSchema]))
      .min(1)
      .max(50),
  }),
);

/** How many conditions and how deep a rule may be (beyond that a query is refused). */
export const RULE_LIMITS = { conditions: 40, depth: 6, windowDays: 3650 } as const;

export const previewRequestSchema = z
  .object({
    rules: ruleGroupSchema.optional(),
    query: z.string().max(5000).optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .refine((b) => (b.rules === undefined) !== (b.query === undefined), {
    message: 'give either rules or query',
    path: ['rules'],
  });

export const exportRequestSchema = z
  .object({ rules: ruleGroupSchema.optional(), query: z.string().max(5000).optional() })
  .refine((b) => (b.rules === undefined) !== (b.query === undefined), {
    message: 'give either rules or query',
    path: ['rules'],
  });

export const segmentCustomerSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  name: z.string(),
  country: z.string().nullable(),
  ordersCount: z.number().int(),
  totalSpentMinor: z.number().int(),
  currency: z.string().nullable(),
  lastOrderAt: z.string().nullable(),
});
export type SegmentCustomer = z.infer<typeof segmentCustomerSchema>;

export const previewResponseSchema = z.object({
  count: z.number().int(),
  query: z.string(),
  rules: ruleGroupSchema,
  customers: z.array(segmentCustomerSchema),
});
export type PreviewResponse = z.infer<typeof previewResponseSchema>;

export const rfmGridSchema = z.object({
  scored: z.number().int().describe('customers with at least one order (the others have no RFM score)'),
  revenueMinor: z.number().int(),
  cells: z.array(
    z.object({
      r: z.number().int(),
      f: z.number().int(),
      group: z.enum(rfmGroups),
      count: z.number().int(),
      revenueMinor: z.number().int(),
    }),
  ),
  groups: z.array(
    z.object({
      group: z.enum(rfmGroups),
      count: z.number().int(),
      revenueMinor: z.number().int(),
      revenueShare: z.number(),
    }),
  ),
});
export type RfmGrid = z.infer<typeof rfmGridSchema>;

export const rfmCustomersQuery = z
  .object({
    group: z.enum(rfmGroups).optional(),
    r: z.coerce.number().int().min(1).max(5).optional(),
    f: z.coerce.number().int().min(1).max(5).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .refine((q) => q.group !== undefined || (q.r !== undefined && q.f !== undefined), {
    message: 'give a group, or a cell as r and f',
    path: ['group'],
  });
export const rfmCustomersSchema = z.object({
  count: z.number().int(),
  customers: z.array(
    segmentCustomerSchema.extend({ r: z.number().int(), f: z.number().int(), m: z.number().int() }),
  ),
});

/**
 * The pre-built segments every store starts from, as query text (the builder offers them; each is
 * ordinary rules to edit). "Email engaged" needs email engagement, which Patron does not record
 * yet (the email capability adds it).
 */
export const prebuiltSegments = [
  { key: 'new', name: 'New customers', query: 'first_order_date >= -30d' },
  { key: 'vip', name: 'VIP', query: 'amount_spent > 1000' },
  {
    key: 'at_risk',
    name: 'At risk',
    query: 'number_of_orders >= 2 AND last_order_date < -90d AND last_order_date >= -180d',
  },
  { key: 'churned', name: 'Churned', query: 'last_order_date < -180d' },
  { key: 'one_time', name: 'One-time buyers', query: 'number_of_orders = 1 AND last_order_date < -60d' },
  { key: 'frequent', name: 'Frequent buyers', query: 'orders_placed(since: -365d) >= 5' },
  { key: 'high_aov', name: 'High AOV', query: 'average_order_value > 200' },
  {
    key: 'discount_hunters',
    name: 'Discount hunters',
    query: 'discounted_order_share >= 80 AND number_of_orders >= 2',
  },
  {
    key: 'abandoned_cart',
    name: 'Abandoned cart',
    query: 'abandoned_checkouts(since: -30d, until: -1d) >= 1',
  },
] as const;

// ---- Saved segments ----

export const segmentKinds = ['dynamic', 'static'] as const;
export type SegmentKind = (typeof segmentKinds)[number];

export const createSegmentSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullish(),
    kind: z.enum(segmentKinds).default('dynamic'),
    rules: ruleGroupSchema.optional(),
    query: z.string().max(5000).optional(),
  })
  .refine((b) => !(b.rules !== undefined && b.query !== undefined), {
    message: 'give either rules or query, not both',
    path: ['rules'],
  })
  .refine((b) => b.kind === 'static' || b.rules !== undefined || b.query !== undefined, {
    message: 'a dynamic segment needs rules or query text (only a static list may start empty)',
    path: ['rules'],
  });
export type CreateSegment = z.infer<typeof createSegmentSchema>;

export const updateSegmentSchema = z.object({
  /** The version read (or send it as If-Match). */
  version: z.number().int().min(1).optional(),
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).nullish(),
  kind: z.enum(segmentKinds).optional(),
  rules: ruleGroupSchema.optional(),
  query: z.string().max(5000).optional(),
});
export type UpdateSegment = z.infer<typeof updateSegmentSchema>;

export const segmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  kind: z.enum(segmentKinds),
  /** Null for a static list built by hand or by import (it has no rules). */
  query: z.string().nullable(),
  rules: ruleGroupSchema.nullable(),
  prebuiltKey: z.string().nullable(),
  memberCount: z.number(),
  revenueMinor: z.number(),
  evaluatedAt: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Segment = z.infer<typeof segmentSchema>;

export const segmentListSchema = z.object({ items: z.array(segmentSchema) });

export const segmentIdParams = z.object({ id: z.uuid() });

export const segmentMembersQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const segmentMembersSchema = z.object({
  data: z.array(segmentCustomerSchema.extend({ enteredAt: z.string() })),
  nextCursor: z.string().nullable(),
});

export const segmentHistorySchema = z.object({
  points: z.array(
    z.object({ day: z.string(), members: z.number(), revenueMinor: z.number(), aovMinor: z.number() }),
  ),
  entered30d: z.number(),
  exited30d: z.number(),
});
export type SegmentHistory = z.infer<typeof segmentHistorySchema>;

/** Adds or removes members of a static segment by hand, by customer id or email. */
export const segmentMembersChangeSchema = z
  .object({
    add: z.array(z.uuid()).max(1000).default([]),
    addEmails: z.array(z.string().trim().min(3).max(320)).max(1000).default([]),
    remove: z.array(z.uuid()).max(1000).default([]),
  })
  .refine((b) => b.add.length + b.addEmails.length + b.remove.length > 0, {
    message: 'name at least one customer to add or remove',
    path: ['add'],
  });
export type SegmentMembersChange = z.infer<typeof segmentMembersChangeSchema>;
export const segmentMembersChangeResultSchema = z.object({
  added: z.number().int(),
  removed: z.number().int(),
  /** Emails that name no customer of this workspace. */
  unknownEmails: z.array(z.string()),
  segment: segmentSchema,
});

/** Adds a tag to, or removes it from, every member of a segment. */
export const segmentTagActionSchema = z.object({
  action: z.enum(['add', 'remove']),
  tag: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((t) => [...t].every((ch) => ch.charCodeAt(0) >= 32), 'a tag holds no control characters'),
});
export type SegmentTagAction = z.infer<typeof segmentTagActionSchema>;
export const segmentTagResultSchema = z.object({ changed: z.number().int() });
