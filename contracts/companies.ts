// B2B companies (a customer's employer or account) and related contacts between customers.
import { z } from 'zod';
import { pageQuery } from './common.ts';

export const companySizes = ['1-10', '11-50', '51-200', '201-500', '501-1000', '1001+'] as const;
export const companySizeLabels: Record<(typeof companySizes)[number], string> = {
  '1-10': '1–10 people',
  '11-50': '11–50 people',
  '51-200': '51–200 people',
  '201-500': '201–500 people',
  '501-1000': '501–1,000 people',
  '1001+': 'More than 1,000 people',
};
export const priceTiers = ['retail', 'wholesale', 'distributor', 'partner'] as const;
export const priceTierLabels: Record<(typeof priceTiers)[number], string> = {
  retail: 'Retail',
  wholesale: 'Wholesale',
  distributor: 'Distributor',
  partner: 'Partner',
};

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/,
    'expected a domain such as example.com',
  );

const companyFields = {
  domain: domain.nullable(),
  industry: z.string().trim().max(120).nullable(),
  size: z.enum(companySizes, `expected one of: ${companySizes.join(', ')}`).nullable(),
  /** a member of this workspace */
  accountManagerUserId: z.uuid().nullable(),
  /** net payment terms: an invoice is due this many days after it is issued */
  netTermsDays: z.number().int('whole days').min(0).max(365).nullable(),
  priceTier: z.enum(priceTiers, `expected one of: ${priceTiers.join(', ')}`).nullable(),
  description: z.string().trim().max(5000).nullable(),
  /** custom field values by key (fields whose entity is company) */
  custom: z.record(z.string().max(40), z.unknown()),
};

export const createCompanySchema = z.object({
  name: z.string().trim().min(1).max(200),
  domain: companyFields.domain.optional(),
  industry: companyFields.industry.optional(),
  size: companyFields.size.optional(),
  accountManagerUserId: companyFields.accountManagerUserId.optional(),
  netTermsDays: companyFields.netTermsDays.optional(),
  priceTier: companyFields.priceTier.optional(),
  description: companyFields.description.optional(),
  custom: companyFields.custom.optional(),
});
export type CreateCompany = z.infer<typeof createCompanySchema>;

export const updateCompanySchema = createCompanySchema.partial().extend({
  version: z.number().int().min(1).optional(),
});
export type UpdateCompany = z.infer<typeof updateCompanySchema>;

const person = z.object({ userId: z.string(), name: z.string() });

export const companySchema = z.object({
  id: z.string(),
  name: z.string(),
  domain: z.string().nullable(),
  industry: z.string().nullable(),
  size: z.enum(companySizes).nullable(),
  accountManagerUserId: z.string().nullable(),
  accountManager: person.nullable(),
  netTermsDays: z.number().nullable(),
  priceTier: z.enum(priceTiers).nullable(),
  description: z.string().nullable(),
  custom: z.record(z.string(), z.unknown()),
  customersCount: z.number(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Company = z.infer<typeof companySchema>;

export const companyListQuery = pageQuery.extend({
  /** part of the name or the domain */
  q: z.string().trim().max(200).optional(),
});
export const companyPage = z.object({ data: z.array(companySchema), nextCursor: z.string().nullable() });

export const companyContactSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  ordersCount: z.number(),
  totalSpentMinor: z.number(),
  currency: z.string().nullable(),
  lastOrderAt: z.string().nullable(),
});
export type CompanyContact = z.infer<typeof companyContactSchema>;

export const companyDetailSchema = companySchema.extend({
  contacts: z.array(companyContactSchema),
  totals: z.object({
    customers: z.number(),
    orders: z.number(),
    /** lifetime spend of its customers, one sum per currency */
    spend: z.array(z.object({ currency: z.string().nullable(), totalMinor: z.number() })),
  }),
});
export type CompanyDetail = z.infer<typeof companyDetailSchema>;

export const companyContactBody = z.object({ customerId: z.uuid() });
export const companyContactParams = z.object({ id: z.uuid(), customerId: z.uuid() });

// ---- related contacts ----

export const relationKinds = ['household', 'business_associate', 'gift_recipient', 'other'] as const;
export type RelationKind = (typeof relationKinds)[number];

/** How a relation reads from each side: A (who added it) sees B as `outgoing`, B sees A as `incoming`. */
export const relationLabels: Record<RelationKind, { outgoing: string; incoming: string }> = {
  household: { outgoing: 'Same household', incoming: 'Same household' },
  business_associate: { outgoing: 'Business associate', incoming: 'Business associate' },
  gift_recipient: { outgoing: 'Gift recipient', incoming: 'Gives gifts to them' },
  other: { outgoing: 'Related', incoming: 'Related' },
};

export const createRelationSchema = z.object({
  relatedCustomerId: z.uuid(),
  kind: z.enum(relationKinds, `expected one of: ${relationKinds.join(', ')}`),
  note: z.string().trim().max(500).nullable().optional(),
});
export const relationParams = z.object({ id: z.uuid(), relationId: z.uuid() });

export const relationSchema = z.object({
  id: z.string(),
  kind: z.enum(relationKinds),
  /** outgoing: this customer added it (B is their gift recipient); incoming: the other one did */
  direction: z.enum(['outgoing', 'incoming']),
  /** the relation as it reads on this customer's page */
  label: z.string(),
  note: z.string().nullable(),
  customer: z.object({ id: z.string(), name: z.string(), email: z.string().nullable() }),
  createdAt: z.string(),
});
export type Relation = z.infer<typeof relationSchema>;

/** The company as the customer page shows it. */
export const companyRefSchema = companySchema.pick({
  id: true,
  name: true,
  domain: true,
  industry: true,
  size: true,
  accountManager: true,
  netTermsDays: true,
  priceTier: true,
  customersCount: true,
});
export type CompanyRef = z.infer<typeof companyRefSchema>;
