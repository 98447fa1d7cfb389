// Customer 360: the page's data in one call, profile edits (optimistic concurrency, custom fields
// validated by their definitions), tags, notes with mentions, the timeline, and custom field
// definitions. Every change is audited and written to the outbox (the timeline follows from it).
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { customerListQuery } from '../../../../contracts/commerce-api.ts';
import {
  type CreateCustomField,
  type Customer360,
  type CustomerBulk,
  type CustomField,
  checkCustomValues,
  listColumns,
  type Note,
  type TimelineItem,
  type tagColours,
  type UpdateCustomer,
} from '../../../../contracts/customers.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { rows } from '../../platform/db.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { recordEvent, recordEvents } from '../../platform/events.ts';
import { assertCan } from '../../platform/permissions.ts';
import { newId } from '../../platform/tokens.ts';
import { users } from '../accounts/accounts.table.ts';
import { recordChange } from '../audit/audit.service.ts';
import { customerView, getCustomer, identitiesFor } from '../commerce/commerce.service.ts';
import { customers, orders } from '../commerce/commerce.table.ts';
import { customersCsv } from '../segments/segments.service.ts';
import { memberships } from '../workspaces/workspaces.table.ts';
import { companyRef, listRelations } from './companies.service.ts';
import {
  customerNotes,
  customFieldDefs,
  savedViews,
  tagDefinitions,
  timelineItems,
} from './customers.table.ts';
import { customerFields, customFilters, customSort } from './list-custom.ts';

const iso = (d: Date | string) => new Date(d).toISOString();
const conflict = (what: string) =>
  new AppError('version_conflict', `Someone else changed this ${what}; reload and try again.`);

export async function loadCustomer(ctx: WorkspaceCtx, id: string) {
  const [c] = await ctx.db
    .select()
    .from(customers)
    .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, id)));
  if (!c || c.deletedAt) throw notFound('The customer');
  return c;
}

/** Workspace members by id, for names (authors, mentions, owners). */
export async function memberNames(ctx: WorkspaceCtx): Promise<Map<string, { name: string; email: string }>> {
  const list = await ctx.db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.workspaceId, ctx.workspaceId));
  return new Map(list.map((u) => [u.id, { name: u.name, email: String(u.email).toLowerCase() }]));
}

/** A customer's owner must be a member of the workspace: their name, or 422 naming the field. */
async function memberName(ctx: WorkspaceCtx, userId: string): Promise<string> {
  const m = (await memberNames(ctx)).get(userId);
  if (!m)
    throw new AppError('rule_violated', 'The owner must be a member of this workspace', {
      errors: [{ path: 'ownerUserId', message: 'is not a member of this workspace' }],
    });
  return m.name;
}

// ---- custom fields ----

type FieldRow = typeof customFieldDefs.$inferSelect;
const toField = (f: FieldRow): CustomField => ({
  id: f.id,
  entity: f.entity as 'customer' | 'company',
  key: f.key,
  label: f.label,
  type: f.type as CustomField['type'],
  options: f.options as string[],
  required: f.required,
  position: f.position,
  version: f.version,
});

export async function listFields(ctx: WorkspaceCtx): Promise<CustomField[]> {
  assertCan(ctx, 'customers.read');
  const list = await ctx.db
    .select()
    .from(customFieldDefs)
    .where(eq(customFieldDefs.workspaceId, ctx.workspaceId))
    .orderBy(asc(customFieldDefs.position), asc(customFieldDefs.label));
  return list.map(toField);
}

export async function createField(ctx: WorkspaceCtx, input: CreateCustomField): Promise<CustomField> {
  assertCan(ctx, 'fields.manage');
  const [taken] = await ctx.db
    .select({ id: customFieldDefs.id })
    .from(customFieldDefs)
    .where(
      and(
        eq(customFieldDefs.workspaceId, ctx.workspaceId),
        eq(customFieldDefs.entity, input.entity),
        eq(customFieldDefs.key, input.key),
      ),
    );
  if (taken)
    throw new AppError('validation_failed', `A field with the key ${input.key} exists`, {
      errors: [{ path: 'key', message: 'is taken by another field' }],
    });
  const [{ n } = { n: 0 }] = await rows<{ n: number }>(
    ctx.db,
    sql`SELECT count(*)::int AS n FROM custom_field_defs WHERE workspace_id = ${ctx.workspaceId}`,
  );
  const [row] = await ctx.db
    .insert(customFieldDefs)
    .values({ workspaceId: ctx.workspaceId, id: newId(), ...input, position: n })
    .returning();
  await recordChange(ctx.db, ctx, {
    action: 'custom_field.created',
    recordType: 'custom_field',
    recordId: row!.id,
    after: toField(row!),
  });
  return toField(row!);
}

export async function updateField(
  ctx: WorkspaceCtx,
  id: string,
  input: { version: number; label?: string; options?: string[]; required?: boolean; position?: number },
): Promise<CustomField> {
  assertCan(ctx, 'fields.manage');
  const [before] = await ctx.db
    .select()
    .from(customFieldDefs)
    .where(and(eq(customFieldDefs.workspaceId, ctx.workspaceId), eq(customFieldDefs.id, id)));
  if (!before) throw notFound('The field');
  const { version, ...patch } = input;
  const [row] = await ctx.db
    .update(customFieldDefs)
    .set({ ...patch, version: before.version + 1, updatedAt: new Date() })
    .where(
      and(
        eq(customFieldDefs.workspaceId, ctx.workspaceId),
        eq(customFieldDefs.id, id),
        eq(customFieldDefs.version, version),
      ),
    )
    .returning();
  if (!row) throw conflict('field');
  await recordChange(ctx.db, ctx, {
    action: 'custom_field.updated',
    recordType: 'custom_field',
    recordId: id,
    before: toField(before),
    after: toField(row),
  });
  return toField(row);
}

/** Removes a field and its values from every customer (or company). */
export async function deleteField(ctx: WorkspaceCtx, id: string): Promise<void> {
  assertCan(ctx, 'fields.manage');
  const [gone] = await ctx.db
    .delete(customFieldDefs)
    .where(and(eq(customFieldDefs.workspaceId, ctx.workspaceId), eq(customFieldDefs.id, id)))
    .returning();
  if (!gone) throw notFound('The field');
  const holders = sql.raw(gone.entity === 'company' ? 'companies' : 'customers');
  await ctx.db.execute(
    sql`UPDATE ${holders} SET custom = custom - ${gone.key}::text
        WHERE workspace_id = ${ctx.workspaceId} AND custom ? ${gone.key}::text`,
  );
  await recordChange(ctx.db, ctx, {
    action: 'custom_field.deleted',
    recordType: 'custom_field',
    recordId: id,
    before: toField(gone),
  });
}

/** Checks custom values against their definitions: unknown keys and bad values name the field. */
export function checkCustom(
  fields: CustomField[],
  values: Record<string, unknown>,
  entity: CustomField['entity'] = 'customer',
): Record<string, unknown> {
  const { values: out, errors } = checkCustomValues(fields, values, entity);
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return out;
}

// ---- profile ----

const editable = ['firstName', 'lastName', 'phone', 'company', 'country', 'city', 'ownerUserId'] as const;
const fieldLabels: Record<string, string> = {
  firstName: 'first name',
  lastName: 'last name',
  phone: 'phone',
  company: 'company',
  country: 'country',
  city: 'city',
  ownerUserId: 'owner',
};

export async function updateCustomer(
  ctx: WorkspaceCtx,
  id: string,
  input: UpdateCustomer & { version: number },
) {
  assertCan(ctx, 'customers.write');
  const before = await loadCustomer(ctx, id);
  const patch: Record<string, unknown> = {};
  const changed: string[] = [];
  for (const k of editable)
    if (input[k] !== undefined && input[k] !== before[k]) {
      patch[k] = input[k] === '' ? null : input[k];
      changed.push(k);
    }
  const ownerName = input.ownerUserId ? await memberName(ctx, input.ownerUserId) : null;
  if (input.custom) {
    const checked = checkCustom(await listFields(ctx), input.custom);
    const merged = { ...(before.custom as Record<string, unknown>) };
    for (const [k, v] of Object.entries(checked)) {
      if (JSON.stringify(merged[k] ?? null) === JSON.stringify(v)) continue;
      if (v === null) delete merged[k];
      else merged[k] = v;
      changed.push(`custom.${k}`);
    }
    patch.custom = merged;
  }
  const [row] = await ctx.db
    .update(customers)
    .set({ ...patch, version: before.version + 1, updatedAt: new Date() })
    .where(
      and(
        eq(customers.workspaceId, ctx.workspaceId),
        eq(customers.id, id),
        eq(customers.version, input.version),
      ),
    )
    .returning();
  if (!row) throw conflict('customer');
  if (changed.length) {
    const fields = input.custom ? await listFields(ctx) : [];
    const label = (k: string) =>
      k.startsWith('custom.')
        ? (fields.find((f) => f.key === k.slice(7))?.label ?? k.slice(7))
        : fieldLabels[k];
    await recordEvent(ctx.db, {
      workspaceId: ctx.workspaceId,
      type: 'customer.edited',
      subjectType: 'customer',
      subjectId: id,
      actorUserId: ctx.userId,
      payload: {
        customerId: id,
        fields: changed,
        labels: changed.map(label),
        ...(changed.includes('ownerUserId') ? { ownerName } : {}),
      },
    });
    await recordChange(ctx.db, ctx, {
      action: 'customer.updated',
      recordType: 'customer',
      recordId: id,
      before: Object.fromEntries(changed.map((k) => [k, pick(before, k)])),
      after: Object.fromEntries(changed.map((k) => [k, pick(row, k)])),
    });
  }
  return getCustomer(ctx, id);
}

const pick = (c: { custom: unknown } & Record<string, unknown>, k: string) =>
  k.startsWith('custom.') ? ((c.custom as Record<string, unknown>)[k.slice(7)] ?? null) : (c[k] ?? null);

// ---- tags ----

export async function changeTags(ctx: WorkspaceCtx, id: string, input: { add: string[]; remove: string[] }) {
  assertCan(ctx, 'customers.write');
  const before = await loadCustomer(ctx, id);
  const has = (t: string) => before.tags.some((x) => x.toLowerCase() === t.toLowerCase());
  const removing = new Set(input.remove.map((t) => t.toLowerCase()));
  const added: string[] = [];
  for (const t of input.add)
    if (!has(t) && !added.some((x) => x.toLowerCase() === t.toLowerCase())) added.push(t);
  const removed = before.tags.filter((t) => removing.has(t.toLowerCase()));
  if (added.length === 0 && removed.length === 0) return getCustomer(ctx, id);
  const tags = [...before.tags.filter((t) => !removing.has(t.toLowerCase())), ...added];
  await ctx.db
    .update(customers)
    .set({ tags, version: before.version + 1, updatedAt: new Date() })
    .where(and(eq(customers.workspaceId, ctx.workspaceId), eq(customers.id, id)));
  await recordEvents(
    ctx.db,
    [
      ...added.map((tag) => ({ type: 'customer.tagged', tag })),
      ...removed.map((tag) => ({ type: 'customer.untagged', tag })),
    ].map((e) => ({
      workspaceId: ctx.workspaceId,
      type: e.type,
      subjectType: 'customer',
      subjectId: id,
      actorUserId: ctx.userId,
      payload: { customerId: id, tag: e.tag },
    })),
  );
  await recordChange(ctx.db, ctx, {
    action: 'customer.tags_changed',
    recordType: 'customer',
    recordId: id,
    before: { tags: before.tags },
    after: { tags },
  });
  return getCustomer(ctx, id);
}

export async function listTags(ctx: WorkspaceCtx) {
  assertCan(ctx, 'customers.read');
  const used = await rows<{ name: string; n: number; colour: string | null; automatic: boolean | null }>(
    ctx.db,
    sql`SELECT t.name, count(*)::int AS n, d.colour, d.automatic
          FROM customers c CROSS JOIN LATERAL unnest(c.tags) AS t(name)
          LEFT JOIN tag_definitions d ON d.workspace_id = c.workspace_id AND lower(d.name) = lower(t.name)
         WHERE c.workspace_id = ${ctx.workspaceId} AND c.merged_into IS NULL AND c.deleted_at IS NULL
         GROUP BY t.name, d.colour, d.automatic ORDER BY count(*) DESC, t.name LIMIT 500`,
  );
  return used.map((u) => ({
    name: u.name,
    customers: u.n,
    colour: (u.colour ?? 'gray') as (typeof tagColours)[number],
    automatic: !!u.automatic,
  }));
}

export async function setTagColour(ctx: WorkspaceCtx, name: string, colour: (typeof tagColours)[number]) {
  assertCan(ctx, 'customers.write');
  await ctx.db.execute(
    sql`INSERT INTO tag_definitions (workspace_id, name, colour) VALUES (${ctx.workspaceId}, ${name}, ${colour})
        ON CONFLICT (workspace_id, name) DO UPDATE SET colour = excluded.colour`,
  );
  await recordChange(ctx.db, ctx, {
    action: 'tag.coloured',
    recordType: 'tag',
    recordId: name,
    after: { colour },
  });
  return { name, colour, automatic: false };
}

async function tagsOf(ctx: WorkspaceCtx, names: string[]) {
  if (names.length === 0) return [];
  const defs = await ctx.db
    .select()
    .from(tagDefinitions)
    .where(eq(tagDefinitions.workspaceId, ctx.workspaceId));
  return names.map((name) => {
    const d = defs.find((x) => x.name.toLowerCase() === name.toLowerCase());
    return { name, colour: (d?.colour ?? 'gray') as (typeof tagColours)[number], automatic: !!d?.automatic };
  });
}

// ---- notes ----

type NoteRow = typeof customerNotes.$inferSelect;

function toNote(n: NoteRow, names: Map<string, { name: string }>): Note {
  return {
    id: n.id,
    body: n.body,
    pinned: n.pinned,
    mentions: n.mentions.map((u) => ({ userId: u, name: names.get(u)?.name ?? 'Former member' })),
    author: n.authorUserId
      ? { userId: n.authorUserId, name: names.get(n.authorUserId)?.name ?? 'Former member' }
      : null,
    version: n.version,
    createdAt: iso(n.createdAt),
    updatedAt: iso(n.updatedAt),
  };
}

/** Teammates named in a note as @their-email. */
function mentionsIn(body: string, names: Map<string, { email: string }>): string[] {
  const emails = new Set(
    [...body.matchAll(/@([^\s@,;:()]+@[^\s@,;:()]+\.[a-z]{2,})/gi)].map((m) => m[1]!.toLowerCase()),
  );
  return [...names.entries()].filter(([, u]) => emails.has(u.email)).map(([id]) => id);
}

export async function listNotes(
  ctx: WorkspaceCtx,
  customerId: string,
  limit = 50,
  names?: Map<string, { name: string; email: string }>,
): Promise<Note[]> {
  assertCan(ctx, 'customers.read');
  const list = await ctx.db
    .select()
    .from(customerNotes)
    .where(and(eq(customerNotes.workspaceId, ctx.workspaceId), eq(customerNotes.customerId, customerId)))
    .orderBy(desc(customerNotes.pinned), desc(customerNotes.createdAt))
    .limit(limit);
  const known = names ?? (await memberNames(ctx));
  return list.map((n) => toNote(n, known));
}

export async function createNote(
  ctx: WorkspaceCtx,
  customerId: string,
  input: { body: string; pinned: boolean },
) {
  assertCan(ctx, 'customers.write');
  await loadCustomer(ctx, customerId);
  const names = await memberNames(ctx);
  const [row] = await ctx.db
    .insert(customerNotes)
    .values({
      workspaceId: ctx.workspaceId,
      id: newId(),
      customerId,
      body: input.body,
      pinned: input.pinned,
      mentions: mentionsIn(input.body, names),
      authorUserId: ctx.userId,
    })
    .returning();
  await recordEvent(ctx.db, {
    workspaceId: ctx.workspaceId,
    type: 'note.added',
    subjectType: 'customer',
    subjectId: customerId,
    actorUserId: ctx.userId,
    payload: { customerId, noteId: row!.id, excerpt: input.body.slice(0, 140), mentions: row!.mentions },
  });
  await recordChange(ctx.db, ctx, {
    action: 'note.created',
    recordType: 'customer',
    recordId: customerId,
    after: { noteId: row!.id, body: input.body, pinned: input.pinned },
  });
  return toNote(row!, names);
}

async function loadNote(ctx: WorkspaceCtx, customerId: string, noteId: string) {
  const [n] = await ctx.db
    .select()
    .from(customerNotes)
    .where(
      and(
        eq(customerNotes.workspaceId, ctx.workspaceId),
        eq(customerNotes.customerId, customerId),
        eq(customerNotes.id, noteId),
      ),
    );
  if (!n) throw notFound('The note');
  return n;
}

export async function updateNote(
  ctx: WorkspaceCtx,
  customerId: string,
  noteId: string,
  input: { version: number; body?: string; pinned?: boolean },
) {
  assertCan(ctx, 'customers.write');
  const before = await loadNote(ctx, customerId, noteId);
  const names = await memberNames(ctx);
  const body = input.body ?? before.body;
  const [row] = await ctx.db
    .update(customerNotes)
    .set({
      body,
      pinned: input.pinned ?? before.pinned,
      mentions: mentionsIn(body, names),
      version: before.version + 1,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(customerNotes.workspaceId, ctx.workspaceId),
        eq(customerNotes.id, noteId),
        eq(customerNotes.version, input.version),
      ),
    )
    .returning();
  if (!row) throw conflict('note');
  await recordChange(ctx.db, ctx, {
    action: 'note.updated',
    recordType: 'customer',
    recordId: customerId,
    before: { noteId, body: before.body, pinned: before.pinned },
    after: { noteId, body: row.body, pinned: row.pinned },
  });
  return toNote(row, names);
}

export async function deleteNote(ctx: WorkspaceCtx, customerId: string, noteId: string) {
  assertCan(ctx, 'customers.write');
  const before = await loadNote(ctx, customerId, noteId);
  await ctx.db
    .delete(customerNotes)
    .where(and(eq(customerNotes.workspaceId, ctx.workspaceId), eq(customerNotes.id, noteId)));
  await ctx.db.execute(
    sql`DELETE FROM timeline_items WHERE workspace_id = ${ctx.workspaceId} AND ref_type = 'note' AND ref_id = ${noteId}`,
  );
  await recordChange(ctx.db, ctx, {
    action: 'note.deleted',
    recordType: 'customer',
    recordId: customerId,
    before: { noteId, body: before.body },
  });
}

// ---- timeline ----

const timelineCursor = (at: Date | string, id: number | string) =>
  Buffer.from(`${iso(at)}|${id}`).toString('base64url');
function readTimelineCursor(raw: string): { at: string; id: number } {
  const [at, id] = Buffer.from(raw, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^\d+$/.test(id))
    throw new AppError('validation_failed', 'cursor is not one this API gave out', {
      errors: [{ path: 'querystring.cursor', message: 'not a valid cursor' }],
    });
  return { at, id: Number(id) };
}

export async function timeline(
  ctx: WorkspaceCtx,
  customerId: string,
  q: { cursor?: string; limit: number; kind?: string },
): Promise<{ data: TimelineItem[]; nextCursor: string | null }> {
  assertCan(ctx, 'customers.read');
  const after = q.cursor ? readTimelineCursor(q.cursor) : null;
  const list = await ctx.db
    .select()
    .from(timelineItems)
    .where(
      and(
        eq(timelineItems.workspaceId, ctx.workspaceId),
        eq(timelineItems.customerId, customerId),
        q.kind ? eq(timelineItems.kind, q.kind) : undefined,
        after
          ? sql`(${timelineItems.at}, ${timelineItems.id}) < (${after.at}::timestamptz, ${after.id})`
          : undefined,
      ),
    )
    .orderBy(desc(timelineItems.at), desc(timelineItems.id))
    .limit(q.limit + 1);
  const page = list.slice(0, q.limit);
  return {
    data: page.map((t) => ({
      id: String(t.id),
      at: iso(t.at),
      kind: t.kind as TimelineItem['kind'],
      title: t.title,
      detail: t.detail as Record<string, unknown>,
      refType: t.refType,
      refId: t.refId,
    })),
    nextCursor: list.length > q.limit ? timelineCursor(page.at(-1)!.at, page.at(-1)!.id) : null,
  };
}

// ---- the 360 ----

export async function get360(ctx: WorkspaceCtx, id: string, now = new Date()): Promise<Customer360> {
  assertCan(ctx, 'customers.read');
  const c = await loadCustomer(ctx, id);
  // one after another: they share the request's transaction (one connection)
  const summary = customerView(c, (await identitiesFor(ctx, [id])).get(id) ?? []);
  const names = await memberNames(ctx);
  const notes = await listNotes(ctx, id, 20, names);
  const fields = await listFields(ctx);
  const tags = await tagsOf(ctx, c.tags);
  const recent = await ctx.db
    .select({
      id: orders.id,
      number: orders.number,
      placedAt: orders.placedAt,
      totalMinor: orders.totalMinor,
      currency: orders.currency,
      status: orders.status,
    })
    .from(orders)
    .where(and(eq(orders.workspaceId, ctx.workspaceId), eq(orders.customerId, id)))
    .orderBy(desc(orders.placedAt))
    .limit(5);
  const first = await timeline(ctx, id, { limit: 30 });
  const company = c.companyId ? await companyRef(ctx, c.companyId, names) : null;
  const relations = await listRelations(ctx, id);
  const owner = c.ownerUserId ? names.get(c.ownerUserId) : undefined;
  return {
    customer: summary,
    healthReasons: (c.healthReasons as Customer360['healthReasons']) ?? [],
    daysSinceLastOrder: c.lastOrderAt
      ? Math.floor((now.getTime() - c.lastOrderAt.getTime()) / 86_400_000)
      : null,
    tags,
    notes,
    fields: fields.filter((f) => f.entity === 'customer'),
    owner: owner && c.ownerUserId ? { userId: c.ownerUserId, name: owner.name } : null,
    addresses: (c.addresses as Record<string, unknown>[]) ?? [],
    recentOrders: recent.map((o) => ({
      id: o.id,
      number: o.number,
      placedAt: iso(o.placedAt),
      totalMinor: Number(o.totalMinor),
      currency: o.currency,
      status: o.status,
    })),
    timeline: first,
    company,
    relations,
  };
}

// ---- bulk actions ----

/**
 * One action on many customers (up to 1,000, chosen in the list): tag, untag, assign an owner or
 * delete (kept as deleted, out of lists and segments). Customers of other workspaces are not seen.
 */
export async function bulkAction(ctx: WorkspaceCtx, input: CustomerBulk): Promise<{ changed: number }> {
  assertCan(ctx, 'customers.write');
  const ids = [...new Set(input.ids)];
  const live = sql`workspace_id = ${ctx.workspaceId} AND id = ANY(${sql.param(ids)}::uuid[]) AND deleted_at IS NULL AND merged_into IS NULL`;
  let changed: { id: string }[] = [];
  const events: { type: string; id: string; payload: Record<string, unknown> }[] = [];
  if (input.action === 'tag' || input.action === 'untag') {
    const tag = input.tag!;
    changed =
      input.action === 'tag'
        ? await rows<{ id: string }>(
            ctx.db,
            sql`UPDATE customers SET tags = array_append(tags, ${tag}::text), version = version + 1, updated_at = now()
                WHERE ${live} AND NOT tags_lower @> ARRAY[lower(${tag}::text)] RETURNING id`,
          )
        : await rows<{ id: string }>(
            ctx.db,
            sql`UPDATE customers SET tags = coalesce((SELECT array_agg(t ORDER BY o) FROM unnest(tags) WITH ORDINALITY AS u(t, o)
                                                      WHERE lower(t) <> lower(${tag})), '{}'::text[]),
                                     version = version + 1, updated_at = now()
                WHERE ${live} AND tags_lower @> ARRAY[lower(${tag}::text)] RETURNING id`,
          );
    for (const r of changed)
      events.push({
        type: input.action === 'tag' ? 'customer.tagged' : 'customer.untagged',
        id: r.id,
        payload: { customerId: r.id, tag },
      });
  } else if (input.action === 'assign_owner') {
    const owner = input.ownerUserId ?? null;
    const ownerName = owner ? await memberName(ctx, owner) : null;
    changed = await rows<{ id: string }>(
      ctx.db,
      sql`UPDATE customers SET owner_user_id = ${owner}, version = version + 1, updated_at = now()
          WHERE ${live} AND owner_user_id IS DISTINCT FROM ${owner}::uuid RETURNING id`,
    );
    for (const r of changed)
      events.push({
        type: 'customer.edited',
        id: r.id,
        payload: { customerId: r.id, fields: ['ownerUserId'], labels: ['owner'], ownerName },
      });
  } else {
    changed = await rows<{ id: string }>(
      ctx.db,
      sql`UPDATE customers SET deleted_at = now(), version = version + 1, updated_at = now() WHERE ${live} RETURNING id`,
    );
    for (const r of changed)
      events.push({ type: 'customer.deleted', id: r.id, payload: { customerId: r.id, by: 'staff' } });
    if (changed.length)
      await ctx.db.execute(
        sql`DELETE FROM segment_members WHERE workspace_id = ${ctx.workspaceId}
              AND customer_id = ANY(${sql.param(changed.map((r) => r.id))}::uuid[])`,
      );
  }
  await recordEvents(
    ctx.db,
    events.map((e) => ({
      workspaceId: ctx.workspaceId,
      type: e.type,
      subjectType: 'customer',
      subjectId: e.id,
      actorUserId: ctx.userId,
      payload: e.payload,
    })),
  );
  if (changed.length)
    await recordChange(ctx.db, ctx, {
      action: `customers.bulk_${input.action}`,
      recordType: 'customer',
      recordId: null,
      after: { customers: changed.map((r) => r.id), tag: input.tag, ownerUserId: input.ownerUserId },
    });
  return { changed: changed.length };
}

/** The chosen customers as CSV, with a column per custom field. */
export async function exportCustomers(ctx: WorkspaceCtx, ids: string[]): Promise<string> {
  assertCan(ctx, 'customers.read');
  const fields = (await listFields(ctx)).filter((f) => f.entity === 'customer');
  return customersCsv(
    ctx,
    sql`c.workspace_id = ${ctx.workspaceId} AND c.deleted_at IS NULL AND c.id = ANY(${sql.param(ids)}::uuid[])`,
    fields.map((f) => ({ key: f.key, header: f.key, money: f.type === 'money' })),
  );
}

// ---- saved views ----

type ViewRow = typeof savedViews.$inferSelect;
const toView = (v: ViewRow, userId: string | null) => ({
  id: v.id,
  name: v.name,
  shared: v.ownerUserId === null,
  mine: v.ownerUserId !== null ? v.ownerUserId === userId : v.createdByUserId === userId,
  params: v.params as Record<string, string>,
});

/** My views and the workspace's shared ones, by name. */
export async function listViews(ctx: WorkspaceCtx) {
  assertCan(ctx, 'customers.read');
  const list = await ctx.db
    .select()
    .from(savedViews)
    .where(
      and(
        eq(savedViews.workspaceId, ctx.workspaceId),
        eq(savedViews.entity, 'customers'),
        sql`(${savedViews.ownerUserId} IS NULL OR ${savedViews.ownerUserId} = ${ctx.userId})`,
      ),
    )
    .orderBy(asc(savedViews.name));
  return list.map((v) => toView(v, ctx.userId));
}

export async function createView(
  ctx: WorkspaceCtx,
  input: { name: string; shared: boolean; params: Record<string, string> },
) {
  assertCan(ctx, 'customers.read');
  const allowed = new Set([...Object.keys(customerListQuery.shape), 'columns']);
  const unknown = Object.keys(input.params).filter(
    (k) => (!allowed.has(k) && !k.startsWith('cf.')) || k === 'cursor',
  );
  if (unknown.length)
    throw new AppError('validation_failed', `A view cannot keep ${unknown.join(', ')}`, {
      errors: unknown.map((k) => ({ path: `params.${k}`, message: 'is not a setting of the customer list' })),
    });
  const checked = customerListQuery.safeParse(input.params);
  if (!checked.success)
    throw new AppError('validation_failed', 'The view keeps settings the list refuses', {
      errors: checked.error.issues.map((i) => ({ path: `params.${i.path.join('.')}`, message: i.message })),
    });
  const fields = await customerFields(ctx);
  try {
    customFilters(fields, input.params);
    if (input.params.sort?.startsWith('cf.')) customSort(fields, input.params.sort);
  } catch (e) {
    if (e instanceof AppError && e.errors)
      throw new AppError('validation_failed', 'The view keeps settings the list refuses', {
        errors: e.errors.map((x) => ({ ...x, path: x.path.replace(/^querystring\./, 'params.') })),
      });
    throw e;
  }
  const shown = input.params.columns?.split(',').filter(Boolean) ?? [];
  const strange = shown.filter(
    (c) =>
      !(listColumns as readonly string[]).includes(c) &&
      !(c.startsWith('cf.') && fields.some((f) => `cf.${f.key}` === c)),
  );
  if (strange.length)
    throw new AppError('validation_failed', `The list has no column ${strange.join(', ')}`, {
      errors: [{ path: 'params.columns', message: `no such column: ${strange.join(', ')}` }],
    });
  if (input.shared && !['owner', 'admin', 'manager'].includes(ctx.role))
    throw new AppError('forbidden', 'Only owners, admins and managers share views with the workspace.');
  const [row] = await ctx.db
    .insert(savedViews)
    .values({
      workspaceId: ctx.workspaceId,
      id: newId(),
      name: input.name,
      ownerUserId: input.shared ? null : ctx.userId,
      params: input.params,
      createdByUserId: ctx.userId,
    })
    .returning();
  return toView(row!, ctx.userId);
}

/** Deletes my view, or a shared one (owners, admins, managers, or whoever shared it). */
export async function deleteView(ctx: WorkspaceCtx, id: string) {
  assertCan(ctx, 'customers.read');
  const [v] = await ctx.db
    .select()
    .from(savedViews)
    .where(and(eq(savedViews.workspaceId, ctx.workspaceId), eq(savedViews.id, id)));
  if (!v || (v.ownerUserId !== null && v.ownerUserId !== ctx.userId)) throw notFound('The view');
  if (
    v.ownerUserId === null &&
    v.createdByUserId !== ctx.userId &&
    !['owner', 'admin', 'manager'].includes(ctx.role)
  )
    throw new AppError('forbidden', 'Only owners, admins and managers remove views others shared.');
  await ctx.db
    .delete(savedViews)
    .where(and(eq(savedViews.workspaceId, ctx.workspaceId), eq(savedViews.id, id)));
}
