// Customer 360: custom fields, notes, tags, the timeline, the profile edit and the 360 answer.
import { z } from 'zod';
import { customerSummary } from './commerce-api.ts';
import { companyRefSchema, relationSchema } from './companies.ts';

// ---- custom fields ----

export const customFieldTypes = [
  'text',
  'number',
  'money',
  'date',
  'select',
  'multi_select',
  'boolean',
  'url',
  'email',
] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];

const fieldKey = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _, starting with a letter');

export const createCustomFieldSchema = z
  .object({
    entity: z.enum(['customer', 'company']).default('customer'),
    key: fieldKey,
    label: z.string().trim().min(1).max(80),
    type: z.enum(customFieldTypes),
    options: z.array(z.string().trim().min(1).max(80)).max(100).default([]),
    required: z.boolean().default(false),
  })
  .refine((f) => !['select', 'multi_select'].includes(f.type) || f.options.length > 0, {
    message: 'a select field needs at least one option',
    path: ['options'],
  });
export type CreateCustomField = z.infer<typeof createCustomFieldSchema>;

export const updateCustomFieldSchema = z.object({
  version: z.number().int().min(1).optional(),
  label: z.string().trim().min(1).max(80).optional(),
  options: z.array(z.string().trim().min(1).max(80)).max(100).optional(),
  required: z.boolean().optional(),
  position: z.number().int().min(0).max(1000).optional(),
});

export const customFieldSchema = z.object({
  id: z.string(),
  entity: z.enum(['customer', 'company']),
  key: z.string(),
  label: z.string(),
  type: z.enum(customFieldTypes),
  options: z.array(z.string()),
  required: z.boolean(),
  position: z.number(),
  version: z.number(),
});
export type CustomField = z.infer<typeof customFieldSchema>;

/** The value schema of one field: what a customer's `custom[key]` may hold (null clears it). */
export function customValueSchema(f: Pick<CustomField, 'type' | 'options' | 'required'>): z.ZodType {
  const base = (() => {
    switch (f.type) {
      case 'text':
        return z.string().max(2000);
      case 'number':
        return z.number().finite();
      case 'money':
        return z.number().int().describe('minor units');
      case 'date':
        return z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
      case 'select':
        return z.enum(f.options as [string, ...string[]], `expected one of: ${f.options.join(', ')}`);
      case 'multi_select':
        return z.array(
          z.enum(f.options as [string, ...string[]], `expected any of: ${f.options.join(', ')}`),
        );
      case 'boolean':
        return z.boolean();
      case 'url':
        return z.url({ protocol: /^https?$/ }).max(2000);
      case 'email':
        return z.email().max(320);
    }
  })();
  return f.required ? base : base.nullable();
}

/** A problem with one custom value: the path names the field (`custom.<key>`), the message its label. */
export type CustomValueIssue = { path: string; message: string };

/**
 * Checks custom values against their definitions (the API's profile edit and the CSV import share it):
 * an unknown key or a value of the wrong type is an issue naming the field; good values come back parsed.
 */
export function checkCustomValues(
  fields: readonly Pick<CustomField, 'key' | 'label' | 'type' | 'options' | 'required' | 'entity'>[],
  values: Record<string, unknown>,
  entity: CustomField['entity'] = 'customer',
): { values: Record<string, unknown>; errors: CustomValueIssue[] } {
  const errors: CustomValueIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const f = fields.find((x) => x.key === key && x.entity === entity);
    if (!f) {
      errors.push({ path: `custom.${key}`, message: 'no such custom field' });
      continue;
    }
    const parsed = customValueSchema(f).safeParse(value);
    if (!parsed.success)
      errors.push({
        path: `custom.${key}`,
        message: `${f.label}: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      });
    else out[key] = parsed.data;
  }
  return { values: out, errors };
}

/** Custom field types the list filters by range (`cf.<key>.min` / `.max`). */
export const rangeFieldTypes: readonly CustomFieldType[] = ['number', 'money', 'date'];

// ---- notes ----

export const createNoteSchema = z.object({
  body: z.string().trim().min(1).max(10_000),
  pinned: z.boolean().default(false),
});
export const updateNoteSchema = z.object({
  version: z.number().int().min(1).optional(),
  body: z.string().trim().min(1).max(10_000).optional(),
  pinned: z.boolean().optional(),
});
export const noteSchema = z.object({
  id: z.string(),
  body: z.string(),
  pinned: z.boolean(),
  /** teammates named as @email in the body */
  mentions: z.array(z.object({ userId: z.string(), name: z.string() })),
  author: z.object({ userId: z.string(), name: z.string() }).nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Note = z.infer<typeof noteSchema>;
export const noteParams = z.object({ id: z.uuid(), noteId: z.uuid() });

// ---- tags ----

export const tagColours = ['gray', 'red', 'amber', 'green', 'blue', 'violet', 'pink'] as const;
const tagName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((t) => [...t].every((ch) => ch.charCodeAt(0) >= 32), 'a tag holds no control characters');
export const customerTagsChangeSchema = z
  .object({ add: z.array(tagName).max(50).default([]), remove: z.array(tagName).max(50).default([]) })
  .refine((b) => b.add.length + b.remove.length > 0, { message: 'add or remove a tag', path: ['add'] });
export const tagSchema = z.object({ name: z.string(), colour: z.enum(tagColours), automatic: z.boolean() });
export const setTagColourSchema = z.object({ name: tagName, colour: z.enum(tagColours) });

// ---- timeline ----

export const timelineKinds = ['order', 'refund', 'browse', 'cart', 'note', 'tag', 'account'] as const;
export const timelineQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  kind: z.enum(timelineKinds).optional(),
});
export const timelineItemSchema = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.enum(timelineKinds),
  title: z.string(),
  detail: z.record(z.string(), z.unknown()),
  refType: z.string().nullable(),
  refId: z.string().nullable(),
});
export type TimelineItem = z.infer<typeof timelineItemSchema>;
export const timelinePage = z.object({
  data: z.array(timelineItemSchema),
  nextCursor: z.string().nullable(),
});

// ---- the profile ----

export const updateCustomerSchema = z.object({
  version: z.number().int().min(1).optional(),
  firstName: z.string().trim().max(100).nullable().optional(),
  lastName: z.string().trim().max(100).nullable().optional(),
  phone: z.string().trim().max(40).nullable().optional(),
  company: z.string().trim().max(200).nullable().optional(),
  country: z.string().trim().max(80).nullable().optional(),
  city: z.string().trim().max(120).nullable().optional(),
  ownerUserId: z.uuid().nullable().optional(),
  /** custom field values by key; each is checked against its field's type */
  custom: z.record(z.string().max(40), z.unknown()).optional(),
});
export type UpdateCustomer = z.infer<typeof updateCustomerSchema>;

export const healthReasonSchema = z.object({
  factor: z.string(),
  points: z.number(),
  max: z.number(),
  text: z.string(),
});

export const customer360Schema = z.object({
  customer: customerSummary,
  healthReasons: z.array(healthReasonSchema),
  daysSinceLastOrder: z.number().nullable(),
  tags: z.array(tagSchema),
  notes: z.array(noteSchema),
  fields: z.array(customFieldSchema),
  owner: z.object({ userId: z.string(), name: z.string() }).nullable(),
  addresses: z.array(z.record(z.string(), z.unknown())),
  recentOrders: z.array(
    z.object({
      id: z.string(),
      number: z.string(),
      placedAt: z.string(),
      totalMinor: z.number(),
      currency: z.string(),
      status: z.string(),
    }),
  ),
  timeline: timelinePage,
  /** the company record linked to this customer (the free-text `company` is what the platform sent) */
  company: companyRefSchema.nullable(),
  /** related contacts, read from this customer's side */
  relations: z.array(relationSchema),
});
export type Customer360 = z.infer<typeof customer360Schema>;

// ---- bulk actions on the list ----

export const customerBulkSchema = z
  .object({
    ids: z.array(z.uuid()).min(1).max(1000),
    action: z.enum(['tag', 'untag', 'assign_owner', 'delete']),
    tag: tagName.optional(),
    ownerUserId: z.uuid().nullable().optional(),
  })
  .refine((b) => !['tag', 'untag'].includes(b.action) || b.tag !== undefined, {
    message: 'name the tag',
    path: ['tag'],
  })
  .refine((b) => b.action !== 'assign_owner' || b.ownerUserId !== undefined, {
    message: 'name the owner (or null for nobody)',
    path: ['ownerUserId'],
  });
export type CustomerBulk = z.infer<typeof customerBulkSchema>;
export const customerBulkResultSchema = z.object({ changed: z.number().int() });
export const customerExportSchema = z.object({ ids: z.array(z.uuid()).min(1).max(10_000) });

// ---- saved views of the customer list ----

/** Columns of the customer list a view can show besides the name (custom fields as cf.<key>). */
export const listColumns = ['stage', 'tier', 'country', 'orders', 'spent', 'last_order', 'health'] as const;

/**
 * What a view keeps: the list's search, filters and sort (the same names as the list's query, custom
 * field filters as cf.<key>), and `columns`: the shown columns, comma-separated.
 */
export const viewParamsSchema = z
  .record(z.string().max(40), z.string().max(2000))
  .refine((p) => Object.keys(p).length <= 30, 'a view keeps at most 30 settings');
export const createViewSchema = z.object({
  name: z.string().trim().min(1).max(80),
  shared: z.boolean().default(false),
  params: viewParamsSchema,
});
export const viewSchema = z.object({
  id: z.string(),
  name: z.string(),
  shared: z.boolean(),
  mine: z.boolean(),
  params: z.record(z.string(), z.string()),
});
export type SavedView = z.infer<typeof viewSchema>;
