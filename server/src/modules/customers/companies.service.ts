// B2B companies (name, domain, industry, size, account manager, net terms, price tier, custom fields)
// with the customers linked to them and their totals, and related contacts between customers. Every
// change is audited and written to the outbox; links and relations land on the customer timeline.
import { and, asc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import {
  type Company,
  type CompanyDetail,
  type CompanyRef,
  type CreateCompany,
  type Relation,
  type RelationKind,
  relationLabels,
  type UpdateCompany,
} from '../../../../contracts/companies.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { rows } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordEvents } from '../../platform/events.ts';
import { assertCan } from '../../platform/permissions.ts';
import { newId } from '../../platform/tokens.ts';
import { escapeLike, recordChange } from '../audit/index.ts';
import { customers } from '../commerce/commerce.table.ts';
import { companies, customerRelations } from './companies.table.ts';
import { checkCustom, listFields, loadCustomer, memberNames } from './customers.service.ts';

type CompanyRow = typeof companies.$inferSelect;
type Names = Map<string, { name: string }>;
const iso = (d: Date | string) => new Date(d).toISOString();
const live = sql`${customers.deletedAt} IS NULL AND ${customers.mergedInto} IS NULL`;

/** A customer's name as the pages show it. */
export const customerName = (c: {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
}) => [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || 'Unnamed customer';

function toCompany(c: CompanyRow, names: Names, customersCount: number): Company {
  const manager = c.accountManagerUserId ? names.get(c.accountManagerUserId) : undefined;
  return {
    id: c.id,
    name: c.name,
    domain: c.domain,
    industry: c.industry,
    size: c.size as Company['size'],
    accountManagerUserId: c.accountManagerUserId,
    accountManager: c.accountManagerUserId
      ? { userId: c.accountManagerUserId, name: manager?.name ?? 'Former member' }
      : null,
    netTermsDays: c.netTermsDays,
    priceTier: c.priceTier as Company['priceTier'],
    description: c.description,
    custom: (c.custom as Record<string, unknown>) ?? {},
    customersCount,
    version: c.version,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

async function loadCompany(ctx: WorkspaceCtx, id: string): Promise<CompanyRow> {
  const [c] = await ctx.db
    .select()
    .from(companies)
    .where(and(eq(companies.workspaceId, ctx.workspaceId), eq(companies.id, id)));
  if (!c) throw notFound('The company');
  return c;
}

async function countCustomers(ctx: WorkspaceCtx, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const list = await ctx.db
    .select({ id: customers.companyId, n: sql<number>`count(*)::int` })
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), inArray(customers.companyId, ids), live))
    .groupBy(customers.companyId);
  return new Map(list.map((r) => [r.id!, Number(r.n)]));
}

/** The account manager must be a member of this workspace; custom values must fit their fields. */
async function checkInput(ctx: WorkspaceCtx, input: UpdateCompany, before?: CompanyRow) {
  if (input.accountManagerUserId && !(await memberNames(ctx)).has(input.accountManagerUserId))
    throw new AppError('validation_failed', 'The account manager must be a member of this workspace', {
      errors: [{ path: 'accountManagerUserId', message: 'is not a member of this workspace' }],
    });
  if (!input.custom) return undefined;
  const checked = checkCustom(await listFields(ctx), input.custom, 'company');
  const merged = { ...((before?.custom as Record<string, unknown>) ?? {}) };
  for (const [k, v] of Object.entries(checked)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

// ---- companies ----

const listCursor = (name: string, id: string) =>
  Buffer.from(JSON.stringify({ n: name.toLowerCase(), id })).toString('base64url');
function readListCursor(raw: string): { n: string; id: string } {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { n?: unknown; id?: unknown };
    if (typeof c.n === 'string' && typeof c.id === 'string' && /^[0-9a-f-]{36}$/i.test(c.id))
      return { n: c.n, id: c.id };
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'cursor is not one this API gave out', {
    errors: [{ path: 'querystring.cursor', message: 'not a valid cursor' }],
  });
}

/** Companies by name, 50 a page; `q` finds part of the name or the domain. */
export async function listCompanies(ctx: WorkspaceCtx, q: { limit: number; cursor?: string; q?: string }) {
  assertCan(ctx, 'customers.read');
  const where: (SQL | undefined)[] = [eq(companies.workspaceId, ctx.workspaceId)];
  const text = q.q?.toLowerCase();
  if (text) {
    const like = `%${escapeLike(text)}%`;
    where.push(or(sql`lower(${companies.name}) LIKE ${like}`, sql`${companies.domain} LIKE ${like}`));
  }
  if (q.cursor) {
    const c = readListCursor(q.cursor);
    where.push(sql`(lower(${companies.name}), ${companies.id}) > (${c.n}, ${c.id}::uuid)`);
  }
  const found = await ctx.db
    .select()
    .from(companies)
    .where(and(...where))
    .orderBy(sql`lower(${companies.name})`, asc(companies.id))
    .limit(q.limit + 1);
  const page = found.slice(0, q.limit);
  const counts = await countCustomers(
    ctx,
    page.map((c) => c.id),
  );
  const names = await memberNames(ctx);
  const last = page.at(-1);
  return {
    data: page.map((c) => toCompany(c, names, counts.get(c.id) ?? 0)),
    nextCursor: found.length > q.limit && last ? listCursor(last.name, last.id) : null,
  };
}

/** A company with its contacts (up to 500, biggest spenders first) and their totals. */
export async function getCompany(ctx: WorkspaceCtx, id: string): Promise<CompanyDetail> {
  assertCan(ctx, 'customers.read');
  const c = await loadCompany(ctx, id);
  const mine = and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.companyId, id), live);
  const contacts = await ctx.db
    .select()
    .from(customers)
    .where(mine)
    .orderBy(sql`${customers.totalSpentMinor} DESC`, asc(customers.id))
    .limit(500);
  const spend = await ctx.db
    .select({
      currency: customers.currency,
      n: sql<number>`count(*)::int`,
      orders: sql<number>`coalesce(sum(${customers.ordersCount}), 0)::bigint`,
      totalMinor: sql<number>`coalesce(sum(${customers.totalSpentMinor}), 0)::bigint`,
    })
    .from(customers)
    .where(mine)
    .groupBy(customers.currency)
    .orderBy(sql`sum(${customers.totalSpentMinor}) DESC`);
  const count = spend.reduce((a, s) => a + Number(s.n), 0);
  const names = await memberNames(ctx);
  return {
    ...toCompany(c, names, count),
    contacts: contacts.map((x) => ({
      id: x.id,
      name: customerName(x),
      email: x.email,
      ordersCount: x.ordersCount,
      totalSpentMinor: Number(x.totalSpentMinor),
      currency: x.currency,
      lastOrderAt: x.lastOrderAt ? iso(x.lastOrderAt) : null,
    })),
    totals: {
      customers: count,
      orders: spend.reduce((a, s) => a + Number(s.orders), 0),
      spend: spend
        .filter((s) => Number(s.totalMinor) !== 0 || s.currency)
        .map((s) => ({ currency: s.currency, totalMinor: Number(s.totalMinor) })),
    },
  };
}

export async function createCompany(ctx: WorkspaceCtx, input: CreateCompany): Promise<CompanyDetail> {
  assertCan(ctx, 'customers.write');
  const custom = await checkInput(ctx, input);
  const [row] = await ctx.db
    .insert(companies)
    .values({
      workspaceId: ctx.workspaceId,
      id: newId(),
      name: input.name,
      domain: input.domain || null,
      industry: input.industry || null,
      size: input.size ?? null,
      accountManagerUserId: input.accountManagerUserId ?? null,
      netTermsDays: input.netTermsDays ?? null,
      priceTier: input.priceTier ?? null,
      description: input.description || null,
      custom: custom ?? {},
    })
    .returning();
  await recordChange(ctx.db, ctx, {
    action: 'company.created',
    recordType: 'company',
    recordId: row!.id,
    after: toCompany(row!, new Map(), 0),
  });
  return getCompany(ctx, row!.id);
}

const editable = [
  'name',
  'domain',
  'industry',
  'size',
  'accountManagerUserId',
  'netTermsDays',
  'priceTier',
  'description',
] as const;

export async function updateCompany(
  ctx: WorkspaceCtx,
  id: string,
  input: UpdateCompany & { version: number },
): Promise<CompanyDetail> {
  assertCan(ctx, 'customers.write');
  const before = await loadCompany(ctx, id);
  const custom = await checkInput(ctx, input, before);
  const patch: Record<string, unknown> = {};
  for (const k of editable)
    if (input[k] !== undefined && input[k] !== before[k]) patch[k] = input[k] === '' ? null : input[k];
  if (custom && JSON.stringify(custom) !== JSON.stringify(before.custom)) patch.custom = custom;
  const [row] = await ctx.db
    .update(companies)
    .set({ ...patch, version: before.version + 1, updatedAt: new Date() })
    .where(
      and(
        eq(companies.workspaceId, ctx.workspaceId),
        eq(companies.id, id),
        eq(companies.version, input.version),
      ),
    )
    .returning();
  if (!row)
    throw new AppError('version_conflict', 'Someone else changed this company; reload and try again.');
  const changed = Object.keys(patch);
  if (changed.length)
    await recordChange(ctx.db, ctx, {
      action: 'company.updated',
      recordType: 'company',
      recordId: id,
      before: Object.fromEntries(changed.map((k) => [k, before[k as keyof CompanyRow] ?? null])),
      after: Object.fromEntries(changed.map((k) => [k, row[k as keyof CompanyRow] ?? null])),
    });
  return getCompany(ctx, id);
}

/** Deletes a company; its customers stay, unlinked (each unlink is on their timeline). */
export async function deleteCompany(ctx: WorkspaceCtx, id: string): Promise<void> {
  assertCan(ctx, 'customers.write');
  const before = await loadCompany(ctx, id);
  const unlinked = await rows<{ id: string }>(
    ctx.db,
    sql`UPDATE customers SET company_id = NULL, version = version + 1, updated_at = now()
        WHERE workspace_id = ${ctx.workspaceId} AND company_id = ${id} RETURNING id`,
  );
  await ctx.db.delete(companies).where(and(eq(companies.workspaceId, ctx.workspaceId), eq(companies.id, id)));
  await recordEvents(
    ctx.db,
    unlinked.map((c) => ({
      workspaceId: ctx.workspaceId,
      type: 'customer.company_changed',
      subjectType: 'customer',
      subjectId: c.id,
      actorUserId: ctx.userId,
      payload: {
        customerId: c.id,
        before: { companyId: id, companyName: before.name },
        after: { companyId: null, companyName: null },
        reason: 'company_deleted',
      },
    })),
  );
  await recordChange(ctx.db, ctx, {
    action: 'company.deleted',
    recordType: 'company',
    recordId: id,
    before: { ...toCompany(before, new Map(), unlinked.length), customers: unlinked.map((c) => c.id) },
  });
}

/** Links a customer to a company (moving it from the one it had, if any). */
export async function linkCustomer(ctx: WorkspaceCtx, companyId: string, customerId: string) {
  assertCan(ctx, 'customers.write');
  const company = await loadCompany(ctx, companyId);
  const c = await loadCustomer(ctx, customerId);
  if (c.mergedInto) throw notFound('The customer');
  if (c.companyId !== companyId) {
    const previous = c.companyId ? await loadCompany(ctx, c.companyId) : null;
    await setCompany(ctx, customerId, previous, company);
  }
  return getCompany(ctx, companyId);
}

/** Unlinks a customer from this company (404 when it is not linked to it). */
export async function unlinkCustomer(ctx: WorkspaceCtx, companyId: string, customerId: string) {
  assertCan(ctx, 'customers.write');
  const company = await loadCompany(ctx, companyId);
  const c = await loadCustomer(ctx, customerId);
  if (c.companyId !== companyId) throw notFound('That customer of this company');
  await setCompany(ctx, customerId, company, null);
  return getCompany(ctx, companyId);
}

async function setCompany(
  ctx: WorkspaceCtx,
  customerId: string,
  from: CompanyRow | null,
  to: CompanyRow | null,
) {
  await ctx.db
    .update(customers)
    .set({ companyId: to?.id ?? null, version: sql`${customers.version} + 1`, updatedAt: new Date() })
    .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, customerId)));
  await recordChange(ctx.db, ctx, {
    action: 'customer.company_changed',
    recordType: 'customer',
    recordId: customerId,
    before: { companyId: from?.id ?? null, companyName: from?.name ?? null },
    after: { companyId: to?.id ?? null, companyName: to?.name ?? null },
  });
}

/** The company as the customer page shows it. */
export async function companyRef(ctx: WorkspaceCtx, id: string, names: Names): Promise<CompanyRef | null> {
  const [c] = await ctx.db
    .select()
    .from(companies)
    .where(and(eq(companies.workspaceId, ctx.workspaceId), eq(companies.id, id)));
  if (!c) return null;
  const full = toCompany(c, names, (await countCustomers(ctx, [id])).get(id) ?? 0);
  return {
    id: full.id,
    name: full.name,
    domain: full.domain,
    industry: full.industry,
    size: full.size,
    accountManager: full.accountManager,
    netTermsDays: full.netTermsDays,
    priceTier: full.priceTier,
    customersCount: full.customersCount,
  };
}

// ---- related contacts ----

type RelationRow = typeof customerRelations.$inferSelect;

/** GET /customers/{id}/relations: the customer must exist here. */
export async function relationsOf(ctx: WorkspaceCtx, customerId: string): Promise<Relation[]> {
  assertCan(ctx, 'customers.read');
  await loadCustomer(ctx, customerId);
  return listRelations(ctx, customerId);
}

/** A customer's related contacts, both those it added and those that name it. */
export async function listRelations(ctx: WorkspaceCtx, customerId: string): Promise<Relation[]> {
  assertCan(ctx, 'customers.read');
  const list = await ctx.db
    .select()
    .from(customerRelations)
    .where(
      and(
        eq(customerRelations.workspaceId, ctx.workspaceId),
        or(eq(customerRelations.customerId, customerId), eq(customerRelations.relatedCustomerId, customerId)),
      ),
    )
    .orderBy(asc(customerRelations.createdAt), asc(customerRelations.id));
  if (list.length === 0) return [];
  const otherIds = list.map((r) => (r.customerId === customerId ? r.relatedCustomerId : r.customerId));
  const others = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), inArray(customers.id, otherIds)));
  const byId = new Map(others.map((o) => [o.id, o]));
  return list.flatMap((r) => {
    const other = byId.get(r.customerId === customerId ? r.relatedCustomerId : r.customerId);
    if (!other || other.deletedAt) return [];
    return [toRelation(r, customerId, other)];
  });
}

function toRelation(r: RelationRow, from: string, other: typeof customers.$inferSelect): Relation {
  const direction = r.customerId === from ? 'outgoing' : 'incoming';
  const kind = r.kind as RelationKind;
  return {
    id: r.id,
    kind,
    direction,
    label: relationLabels[kind][direction],
    note: r.note,
    customer: { id: other.id, name: customerName(other), email: other.email },
    createdAt: iso(r.createdAt),
  };
}

export async function createRelation(
  ctx: WorkspaceCtx,
  customerId: string,
  input: { relatedCustomerId: string; kind: RelationKind; note?: string | null },
): Promise<Relation> {
  assertCan(ctx, 'customers.write');
  const me = await loadCustomer(ctx, customerId);
  if (input.relatedCustomerId === customerId)
    throw new AppError('rule_violated', 'A customer cannot be related to itself.', {
      errors: [{ path: 'relatedCustomerId', message: 'is this customer itself' }],
    });
  const [other] = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, input.relatedCustomerId)));
  if (!other || other.deletedAt || other.mergedInto)
    throw new AppError('rule_violated', 'The related customer does not exist in this workspace.', {
      errors: [{ path: 'relatedCustomerId', message: 'no such customer' }],
    });
  const [taken] = await ctx.db
    .select()
    .from(customerRelations)
    .where(
      and(
        eq(customerRelations.workspaceId, ctx.workspaceId),
        sql`least(${customerRelations.customerId}, ${customerRelations.relatedCustomerId}) = least(${customerId}::uuid, ${other.id}::uuid)`,
        sql`greatest(${customerRelations.customerId}, ${customerRelations.relatedCustomerId}) = greatest(${customerId}::uuid, ${other.id}::uuid)`,
      ),
    );
  if (taken)
    throw new AppError(
      'conflict',
      `${customerName(other)} is already a related contact (${relationLabels[taken.kind as RelationKind][taken.customerId === customerId ? 'outgoing' : 'incoming'].toLowerCase()}); remove that first.`,
      { errors: [{ path: 'relatedCustomerId', message: 'is already related to this customer' }] },
    );
  const [row] = await ctx.db
    .insert(customerRelations)
    .values({
      workspaceId: ctx.workspaceId,
      id: newId(),
      customerId,
      relatedCustomerId: other.id,
      kind: input.kind,
      note: input.note || null,
      createdByUserId: ctx.userId,
    })
    // the same pair added at the same moment by someone else: the unique index decides, one answer
    .onConflictDoNothing()
    .returning();
  if (!row)
    throw new AppError('conflict', `${customerName(other)} was just added as a related contact.`, {
      errors: [{ path: 'relatedCustomerId', message: 'is already related to this customer' }],
    });
  const labels = relationLabels[input.kind];
  // one event per side: each customer's timeline tells it from its own side
  await recordEvents(
    ctx.db,
    [
      { subject: me, other, label: labels.outgoing },
      { subject: other, other: me, label: labels.incoming },
    ].map((s) => ({
      workspaceId: ctx.workspaceId,
      type: 'customer.relation_added',
      subjectType: 'customer',
      subjectId: s.subject.id,
      actorUserId: ctx.userId,
      payload: {
        customerId: s.subject.id,
        relationId: row!.id,
        relatedCustomerId: s.other.id,
        relatedName: customerName(s.other),
        kind: input.kind,
        label: s.label,
      },
    })),
  );
  await recordChange(ctx.db, ctx, {
    action: 'customer.relation_added',
    recordType: 'customer',
    recordId: customerId,
    after: { relationId: row!.id, relatedCustomerId: other.id, kind: input.kind, note: row!.note },
    eventType: null,
  });
  return toRelation(row!, customerId, other);
}

/** Removes a relation, from either side. */
export async function deleteRelation(ctx: WorkspaceCtx, customerId: string, relationId: string) {
  assertCan(ctx, 'customers.write');
  const [gone] = await ctx.db
    .delete(customerRelations)
    .where(
      and(
        eq(customerRelations.workspaceId, ctx.workspaceId),
        eq(customerRelations.id, relationId),
        or(eq(customerRelations.customerId, customerId), eq(customerRelations.relatedCustomerId, customerId)),
      ),
    )
    .returning();
  if (!gone) throw notFound('The related contact');
  await recordChange(ctx.db, ctx, {
    action: 'customer.relation_removed',
    recordType: 'customer',
    recordId: customerId,
    before: {
      relationId,
      customerId: gone.customerId,
      relatedCustomerId: gone.relatedCustomerId,
      kind: gone.kind,
      note: gone.note,
    },
  });
}
