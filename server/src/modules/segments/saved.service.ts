import { and, eq, sql } from 'drizzle-orm';
import {
  type CreateSegment,
  prebuiltSegments,
  type RuleGroup,
  type Segment,
  type SegmentHistory,
  type SegmentKind,
  type SegmentMembersChange,
  type SegmentTagAction,
  type UpdateSegment,
} from '../../../../contracts/segments.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { type Db, rows } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { recordEvents } from '../../platform/events.ts';
import { assertCan } from '../../platform/permissions.ts';
import { newId } from '../../platform/tokens.ts';
import { recordChange } from '../audit/audit.service.ts';
import { matchingCustomers } from './compile.ts';
import { parseQuery, printQuery } from './query.ts';
import { customersCsv, resolveRules, toSegmentCustomer } from './segments.service.ts';
import { segments } from './segments.table.ts';

type SegmentRow = typeof segments.$inferSelect;

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

const toSegment = (r: SegmentRow): Segment => {
  const rules = (r.definition as RuleGroup | null) ?? (r.query ? parseQuery(r.query) : null);
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    kind: r.kind as SegmentKind,
    query: rules ? (r.query ?? printQuery(rules)) : null,
    rules,
    prebuiltKey: r.prebuiltKey,
    memberCount: r.memberCount,
    revenueMinor: Number(r.revenueMinor),
    evaluatedAt: iso(r.evaluatedAt),
    version: r.version,
    createdAt: iso(r.createdAt) as string,
    updatedAt: iso(r.updatedAt) as string,
  };
};

export type EvaluationResult = { entered: string[]; exited: string[] };

/**
 * Brings a segment's members up to date in one set-based statement: the compiler's matching set
 * is diffed against segment_members, the difference is written (members, membership history) and
 * reported back. With `only`, just those customers are reconsidered (the dynamic upkeep path).
 * Domain events `segment.entered` / `segment.exited` (automations start from them), the counters and
 * today's snapshot are written in the same transaction. A segment's first filling, and a refill after
 * its rules changed, is not customers' doing: with `announce: false` the history is kept but the
 * outbox gets one `segment.evaluated` summary instead of an event per customer.
 */
export async function evaluateSegment(
  tx: Db,
  workspaceId: string,
  seg: { id: string; rules: RuleGroup },
  now = new Date(),
  opts: { only?: string[]; announce?: boolean } = {},
): Promise<EvaluationResult> {
  const { only, announce = true } = opts;
  const restrictM = only ? sql` AND m.customer_id = ANY(${sql.param(only)}::uuid[])` : sql``;
  // For a few customers, each is fetched by key first (OFFSET 0 keeps the subqueries apart, so the
  // lookup is one primary-key probe per id): neither the rules' own conditions nor statistics that
  // still describe a smaller workspace may choose the plan — `last_order_at < …` matching most of a
  // freshly loaded workspace would walk that index, and a workspace believed tiny got read whole.
  const candidates = only
    ? sql`(SELECT x.* FROM unnest(${sql.param(only)}::uuid[]) AS k(id)
             CROSS JOIN LATERAL (SELECT * FROM customers WHERE workspace_id = ${workspaceId} AND id = k.id OFFSET 0) x) c`
    : sql`customers c`;
  const diff = await rows<{ change: 'entered' | 'exited'; customer_id: string }>(
    tx,
    // Who enters and who leaves are set differences (EXCEPT) between the customers matching now and
    // the members now: hashed or sorted whatever the planner believes of the sizes. Anti-joins here
    // became nested loops over every member once per matched customer when the statistics still
    // described a small segment (a fresh store's first import: 0.5 s per segment per batch).
    sql`WITH matched AS MATERIALIZED (
          SELECT c.id FROM ${candidates} WHERE ${matchingCustomers(workspaceId, seg.rules, now)}
        ), members AS MATERIALIZED (
          SELECT m.customer_id AS id FROM segment_members m
          WHERE m.workspace_id = ${workspaceId} AND m.segment_id = ${seg.id}${restrictM}
        ), entered AS (
          INSERT INTO segment_members (workspace_id, segment_id, customer_id)
          SELECT ${workspaceId}, ${seg.id}, n.id FROM (SELECT id FROM matched EXCEPT SELECT id FROM members) n
          ON CONFLICT DO NOTHING
          RETURNING customer_id
        ), exited AS (
          DELETE FROM segment_members m
          USING (SELECT id FROM members EXCEPT SELECT id FROM matched) g
          WHERE m.workspace_id = ${workspaceId} AND m.segment_id = ${seg.id} AND m.customer_id = g.id
          RETURNING m.customer_id
        ), changes AS (
          SELECT 'entered'::text AS change, customer_id FROM entered
          UNION ALL SELECT 'exited'::text, customer_id FROM exited
        ), history AS (
          INSERT INTO segment_membership_events (workspace_id, segment_id, customer_id, change, at)
          SELECT ${workspaceId}, ${seg.id}, customer_id, change, ${now.toISOString()}::timestamptz FROM changes
        )
        SELECT change, customer_id FROM changes`,
  );
  const moves = diff.map((d) => ({ change: d.change, customerId: d.customer_id }));
  if (announce) await announceMoves(tx, workspaceId, seg.id, moves);
  else if (moves.length)
    await recordEvents(tx, [
      {
        workspaceId,
        type: 'segment.evaluated',
        subjectType: 'segment',
        subjectId: seg.id,
        payload: {
          segmentId: seg.id,
          entered: moves.filter((m) => m.change === 'entered').length,
          exited: moves.filter((m) => m.change === 'exited').length,
        },
      },
    ]);
  if (only) {
    // the upkeep path: a few customers moved; summing every member again would cost as much as the
    // segment is large, so the count moves by the difference and the revenue waits for the hourly pass
    const delta =
      moves.filter((m) => m.change === 'entered').length - moves.filter((m) => m.change === 'exited').length;
    if (delta !== 0)
      await tx.execute(
        sql`UPDATE segments SET member_count = member_count + ${delta}
            WHERE workspace_id = ${workspaceId} AND id = ${seg.id}`,
      );
  } else await refreshTotals(tx, workspaceId, seg.id, now);
  return {
    entered: diff.filter((d) => d.change === 'entered').map((d) => d.customer_id),
    exited: diff.filter((d) => d.change === 'exited').map((d) => d.customer_id),
  };
}

type Move = { change: 'entered' | 'exited'; customerId: string };

/** segment.entered / segment.exited on the outbox (automations trigger on them). */
function announceMoves(tx: Db, workspaceId: string, segmentId: string, moves: Move[]): Promise<void> {
  return recordEvents(
    tx,
    moves.map((m) => ({
      workspaceId,
      type: `segment.${m.change}`,
      subjectType: 'customer',
      subjectId: m.customerId,
      payload: { segmentId, customerId: m.customerId },
    })),
  );
}

/** Member count and revenue on the segment, and today's size snapshot (upserted). */
async function refreshTotals(tx: Db, workspaceId: string, segmentId: string, now: Date): Promise<void> {
  await tx.execute(
    sql`WITH t AS (
          SELECT count(*)::int AS n, coalesce(sum(c.total_spent_minor), 0)::bigint AS revenue,
                 coalesce(sum(c.orders_count), 0)::bigint AS orders
          FROM segment_members m JOIN customers c ON c.workspace_id = m.workspace_id AND c.id = m.customer_id
          WHERE m.workspace_id = ${workspaceId} AND m.segment_id = ${segmentId}
        ), s AS (
          UPDATE segments SET member_count = t.n, revenue_minor = t.revenue, evaluated_at = ${now.toISOString()}::timestamptz
          FROM t WHERE segments.workspace_id = ${workspaceId} AND segments.id = ${segmentId}
        )
        INSERT INTO segment_snapshots (workspace_id, segment_id, day, members, revenue_minor, aov_minor)
        SELECT ${workspaceId}, ${segmentId}, (${now.toISOString()}::timestamptz AT TIME ZONE 'UTC')::date, t.n, t.revenue,
               CASE WHEN t.orders > 0 THEN t.revenue / t.orders ELSE 0 END
        FROM t
        ON CONFLICT (workspace_id, segment_id, day) DO UPDATE
          SET members = excluded.members, revenue_minor = excluded.revenue_minor, aov_minor = excluded.aov_minor`,
  );
}

async function load(ctx: WorkspaceCtx, id: string): Promise<SegmentRow> {
  const [row] = await ctx.db
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, ctx.workspaceId), eq(segments.id, id)));
  if (!row) throw new AppError('not_found', 'No such segment');
  return row;
}

/** The pre-built segments, stored as ordinary editable segments; adds those a workspace lacks. */
export async function ensurePrebuilt(tx: Db, workspaceId: string, now = new Date()): Promise<void> {
  const have = await rows<{ prebuilt_key: string }>(
    tx,
    sql`SELECT prebuilt_key FROM segments WHERE workspace_id = ${workspaceId} AND prebuilt_key IS NOT NULL`,
  );
  const known = new Set(have.map((h) => h.prebuilt_key));
  for (const p of prebuiltSegments) {
    if (known.has(p.key)) continue;
    const rules = parseQuery(p.query);
    const id = newId();
    await tx.insert(segments).values({
      workspaceId,
      id,
      name: p.name,
      kind: 'dynamic',
      definition: rules,
      query: printQuery(rules),
      prebuiltKey: p.key,
    });
    await evaluateSegment(tx, workspaceId, { id, rules }, now, { announce: false });
  }
}

export async function listSegments(ctx: WorkspaceCtx): Promise<{ items: Segment[] }> {
  assertCan(ctx, 'segments.read');
  // workspaces get the pre-built segments when created; one from before them gets them on first look
  const [any] = await rows<{ n: number }>(
    ctx.db,
    sql`SELECT count(*)::int AS n FROM segments WHERE workspace_id = ${ctx.workspaceId}`,
  );
  if (!any?.n) await ensurePrebuilt(ctx.db, ctx.workspaceId);
  const list = await ctx.db
    .select()
    .from(segments)
    .where(eq(segments.workspaceId, ctx.workspaceId))
    .orderBy(segments.name, segments.id);
  return { items: list.map(toSegment) };
}

export async function getSegment(ctx: WorkspaceCtx, id: string): Promise<Segment> {
  assertCan(ctx, 'segments.read');
  return toSegment(await load(ctx, id));
}

export async function createSegment(
  ctx: WorkspaceCtx,
  input: CreateSegment,
  now = new Date(),
): Promise<Segment> {
  assertCan(ctx, 'segments.manage');
  // a static list may start empty (filled by hand or by import); otherwise it freezes the rules' matches
  const rules = input.rules === undefined && input.query === undefined ? null : resolveRules(input, now);
  const id = newId();
  await ctx.db.insert(segments).values({
    workspaceId: ctx.workspaceId,
    id,
    name: input.name,
    description: input.description ?? null,
    kind: input.kind,
    definition: rules,
    query: rules ? printQuery(rules) : null,
    createdByUserId: ctx.userId,
  });
  if (rules) await evaluateSegment(ctx.db, ctx.workspaceId, { id, rules }, now, { announce: false });
  else await refreshTotals(ctx.db, ctx.workspaceId, id, now);
  const saved = toSegment(await load(ctx, id));
  await recordChange(ctx.db, ctx, {
    action: 'segment.created',
    recordType: 'segment',
    recordId: id,
    after: { name: saved.name, kind: saved.kind, query: saved.query },
  });
  return saved;
}

export async function updateSegment(
  ctx: WorkspaceCtx,
  id: string,
  input: UpdateSegment & { version: number },
  now = new Date(),
): Promise<Segment> {
  assertCan(ctx, 'segments.manage');
  if (input.rules !== undefined && input.query !== undefined)
    throw new AppError('validation_failed', 'give either rules or query, not both', {
      errors: [{ path: 'rules', message: 'give either rules or query, not both' }],
    });
  const before = await load(ctx, id);
  if (before.version !== input.version)
    throw new AppError('version_conflict', 'Someone else changed this segment; reload and try again.');
  const newRules =
    input.rules !== undefined || input.query !== undefined
      ? resolveRules({ rules: input.rules, query: input.query }, now)
      : undefined;
  if ((input.kind ?? before.kind) === 'dynamic' && !newRules && !before.definition)
    throw new AppError('validation_failed', 'a dynamic segment needs rules', {
      errors: [{ path: 'rules', message: 'give rules or query text to make this list dynamic' }],
    });
  const updated = await rows<{ id: string }>(
    ctx.db,
    sql`UPDATE segments SET
          name = ${input.name ?? before.name},
          description = ${input.description === undefined ? before.description : input.description},
          kind = ${input.kind ?? before.kind},
          definition = ${newRules ? JSON.stringify(newRules) : before.definition === null ? null : JSON.stringify(before.definition)}::jsonb,
          query = ${newRules ? printQuery(newRules) : before.query},
          version = version + 1, updated_at = now()
        WHERE workspace_id = ${ctx.workspaceId} AND id = ${id} AND version = ${input.version}
        RETURNING id`,
  );
  if (updated.length === 0)
    throw new AppError('version_conflict', 'Someone else changed this segment; reload and try again.');
  if (newRules)
    await evaluateSegment(ctx.db, ctx.workspaceId, { id, rules: newRules }, now, { announce: false });
  const after = toSegment(await load(ctx, id));
  await recordChange(ctx.db, ctx, {
    action: 'segment.updated',
    recordType: 'segment',
    recordId: id,
    before: { name: before.name, kind: before.kind, query: before.query },
    after: { name: after.name, kind: after.kind, query: after.query },
  });
  return after;
}

export async function deleteSegment(ctx: WorkspaceCtx, id: string): Promise<void> {
  assertCan(ctx, 'segments.manage');
  const before = await load(ctx, id);
  await ctx.db.delete(segments).where(and(eq(segments.workspaceId, ctx.workspaceId), eq(segments.id, id)));
  await recordChange(ctx.db, ctx, {
    action: 'segment.deleted',
    recordType: 'segment',
    recordId: id,
    before: { name: before.name, kind: before.kind, query: before.query },
  });
}

/** Re-evaluates a segment now (both kinds; a static segment is refreshed only on request). */
export async function refreshSegment(ctx: WorkspaceCtx, id: string, now = new Date()): Promise<Segment> {
  assertCan(ctx, 'segments.manage');
  const seg = toSegment(await load(ctx, id));
  if (!seg.rules)
    throw new AppError('validation_failed', 'This list has no rules to refresh from; add members by hand.');
  await evaluateSegment(ctx.db, ctx.workspaceId, { id, rules: seg.rules }, now);
  return toSegment(await load(ctx, id));
}

type MemberRow = Parameters<typeof toSegmentCustomer>[0] & { entered_at: Date | string };

/** Members by customer id, cursor paged (the cursor is the last id of the previous page). */
export async function listMembers(ctx: WorkspaceCtx, id: string, q: { cursor?: string; limit: number }) {
  assertCan(ctx, 'segments.read');
  await load(ctx, id);
  const after = q.cursor ? sql` AND m.customer_id > ${q.cursor}::uuid` : sql``;
  if (q.cursor && !/^[0-9a-f-]{36}$/i.test(q.cursor))
    throw new AppError('validation_failed', 'cursor is not valid', {
      errors: [{ path: 'cursor', message: 'not a cursor from this list' }],
    });
  const page = await rows<MemberRow>(
    ctx.db,
    sql`SELECT c.id, c.email::text AS email, c.first_name, c.last_name, c.country, c.orders_count,
               c.total_spent_minor, c.currency, c.last_order_at, m.entered_at
        FROM segment_members m JOIN customers c ON c.workspace_id = m.workspace_id AND c.id = m.customer_id
        WHERE m.workspace_id = ${ctx.workspaceId} AND m.segment_id = ${id}${after}
        ORDER BY m.customer_id LIMIT ${q.limit + 1}`,
  );
  const data = page.slice(0, q.limit).map((r) => ({
    ...toSegmentCustomer(r),
    enteredAt: new Date(r.entered_at).toISOString(),
  }));
  return { data, nextCursor: page.length > q.limit ? (data.at(-1)?.id ?? null) : null };
}

export async function segmentHistory(ctx: WorkspaceCtx, id: string): Promise<SegmentHistory> {
  assertCan(ctx, 'segments.read');
  await load(ctx, id);
  const points = await rows<{
    day: string | Date;
    members: number;
    revenue_minor: string;
    aov_minor: string;
  }>(
    ctx.db,
    sql`SELECT day::text AS day, members, revenue_minor, aov_minor FROM segment_snapshots
        WHERE workspace_id = ${ctx.workspaceId} AND segment_id = ${id} ORDER BY day`,
  );
  const [moves] = await rows<{ entered: number; exited: number }>(
    ctx.db,
    sql`SELECT count(*) FILTER (WHERE change = 'entered')::int AS entered,
               count(*) FILTER (WHERE change = 'exited')::int AS exited
        FROM segment_membership_events
        WHERE workspace_id = ${ctx.workspaceId} AND segment_id = ${id} AND at >= now() - interval '30 days'`,
  );
  return {
    points: points.map((p) => ({
      day: String(p.day),
      members: Number(p.members),
      revenueMinor: Number(p.revenue_minor),
      aovMinor: Number(p.aov_minor),
    })),
    entered30d: moves?.entered ?? 0,
    exited30d: moves?.exited ?? 0,
  };
}

/**
 * Dynamic upkeep: re-evaluates every dynamic segment of a workspace for the given customers only.
 */
export async function reevaluateCustomers(
  tx: Db,
  workspaceId: string,
  customerIds: string[],
  now = new Date(),
): Promise<void> {
  if (customerIds.length === 0) return;
  const list = await tx
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.kind, 'dynamic')));
  for (const s of list) {
    const rules = toSegment(s).rules;
    if (rules) await evaluateSegment(tx, workspaceId, { id: s.id, rules }, now, { only: customerIds });
  }
}

/** Every dynamic segment of a workspace, re-evaluated in full (relative dates move with time). */
export async function refreshWorkspaceSegments(
  tx: Db,
  workspaceId: string,
  now = new Date(),
): Promise<number> {
  const list = await tx
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.kind, 'dynamic')));
  for (const s of list) {
    const rules = toSegment(s).rules;
    if (rules) await evaluateSegment(tx, workspaceId, { id: s.id, rules }, now);
  }
  return list.length;
}

/** Writes membership changes made by hand (a static list): history, events and totals. */
async function recordMoves(
  tx: Db,
  workspaceId: string,
  segmentId: string,
  moves: Move[],
  now: Date,
): Promise<void> {
  if (moves.length) {
    await tx.execute(
      sql`INSERT INTO segment_membership_events (workspace_id, segment_id, customer_id, change, at)
          SELECT ${workspaceId}, ${segmentId}, x.customer_id, x.change, ${now.toISOString()}::timestamptz
          FROM unnest(${sql.param(moves.map((m) => m.customerId))}::uuid[], ${sql.param(moves.map((m) => m.change))}::text[])
               AS x(customer_id, change)`,
    );
    await announceMoves(tx, workspaceId, segmentId, moves);
  }
  await refreshTotals(tx, workspaceId, segmentId, now);
}

/** Adds or removes members of a static list by hand (by customer id or email). */
export async function changeMembers(
  ctx: WorkspaceCtx,
  id: string,
  input: SegmentMembersChange,
  now = new Date(),
): Promise<{ added: number; removed: number; unknownEmails: string[]; segment: Segment }> {
  assertCan(ctx, 'segments.manage');
  const seg = await load(ctx, id);
  if (seg.kind !== 'static')
    throw new AppError(
      'validation_failed',
      'The members of a dynamic segment follow its rules; make it static to change them by hand.',
    );
  const emails = [...new Set(input.addEmails.map((e) => e.toLowerCase()))];
  const byEmail = emails.length
    ? await rows<{ id: string; email: string }>(
        ctx.db,
        sql`SELECT id, lower(email::text) AS email FROM customers
            WHERE workspace_id = ${ctx.workspaceId} AND lower(email::text) = ANY(${sql.param(emails)}::text[])`,
      )
    : [];
  const found = new Set(byEmail.map((r) => r.email));
  const addIds = [...new Set([...input.add, ...byEmail.map((r) => r.id)])];
  const known = addIds.length
    ? await rows<{ id: string }>(
        ctx.db,
        sql`SELECT id FROM customers WHERE workspace_id = ${ctx.workspaceId} AND id = ANY(${sql.param(addIds)}::uuid[])`,
      )
    : [];
  const missing = input.add.filter((x) => !known.some((k) => k.id === x));
  if (missing.length)
    throw new AppError('validation_failed', 'Some customers do not exist in this workspace', {
      errors: missing.map((m) => ({ path: 'add', message: `no customer ${m}` })),
    });
  const added = addIds.length
    ? await rows<{ customer_id: string }>(
        ctx.db,
        sql`INSERT INTO segment_members (workspace_id, segment_id, customer_id)
            SELECT ${ctx.workspaceId}, ${id}, x FROM unnest(${sql.param(addIds)}::uuid[]) AS x
            ON CONFLICT DO NOTHING RETURNING customer_id`,
      )
    : [];
  const removed = input.remove.length
    ? await rows<{ customer_id: string }>(
        ctx.db,
        sql`DELETE FROM segment_members WHERE workspace_id = ${ctx.workspaceId} AND segment_id = ${id}
              AND customer_id = ANY(${sql.param(input.remove)}::uuid[]) RETURNING customer_id`,
      )
    : [];
  await recordMoves(
    ctx.db,
    ctx.workspaceId,
    id,
    [
      ...added.map((r) => ({ change: 'entered' as const, customerId: r.customer_id })),
      ...removed.map((r) => ({ change: 'exited' as const, customerId: r.customer_id })),
    ],
    now,
  );
  await recordChange(ctx.db, ctx, {
    action: 'segment.members_changed',
    recordType: 'segment',
    recordId: id,
    after: { added: added.length, removed: removed.length },
  });
  return {
    added: added.length,
    removed: removed.length,
    unknownEmails: emails.filter((e) => !found.has(e)),
    segment: toSegment(await load(ctx, id)),
  };
}

/**
 * Adds a tag to (or removes it from) every member, in one statement; each customer changed gets a
 * customer.tagged / customer.untagged event (their timelines and dynamic segments follow).
 */
export async function tagMembers(
  ctx: WorkspaceCtx,
  id: string,
  input: SegmentTagAction,
): Promise<{ changed: number }> {
  assertCan(ctx, 'customers.write');
  await load(ctx, id);
  const members = sql`SELECT m.customer_id FROM segment_members m
                      WHERE m.workspace_id = ${ctx.workspaceId} AND m.segment_id = ${id}`;
  const changed =
    input.action === 'add'
      ? await rows<{ id: string }>(
          ctx.db,
          sql`UPDATE customers c SET tags = array_append(c.tags, ${input.tag}::text), version = c.version + 1, updated_at = now()
              WHERE c.workspace_id = ${ctx.workspaceId} AND c.id IN (${members})
                AND NOT EXISTS (SELECT 1 FROM unnest(c.tags) t WHERE lower(t) = lower(${input.tag}))
              RETURNING c.id`,
        )
      : await rows<{ id: string }>(
          ctx.db,
          sql`UPDATE customers c
                 SET tags = coalesce((SELECT array_agg(t ORDER BY o) FROM unnest(c.tags) WITH ORDINALITY AS u(t, o)
                                      WHERE lower(t) <> lower(${input.tag})), '{}'::text[]),
                     version = c.version + 1, updated_at = now()
              WHERE c.workspace_id = ${ctx.workspaceId} AND c.id IN (${members})
                AND EXISTS (SELECT 1 FROM unnest(c.tags) t WHERE lower(t) = lower(${input.tag}))
              RETURNING c.id`,
        );
  await recordEvents(
    ctx.db,
    changed.map((r) => ({
      workspaceId: ctx.workspaceId,
      type: input.action === 'add' ? 'customer.tagged' : 'customer.untagged',
      subjectType: 'customer',
      subjectId: r.id,
      actorUserId: ctx.userId,
      payload: { customerId: r.id, tag: input.tag, segmentId: id },
    })),
  );
  await recordChange(ctx.db, ctx, {
    action: input.action === 'add' ? 'segment.members_tagged' : 'segment.members_untagged',
    recordType: 'segment',
    recordId: id,
    after: { tag: input.tag, customers: changed.length },
  });
  return { changed: changed.length };
}

/** The members as CSV, the same columns as the rules export. */
export async function exportMembers(ctx: WorkspaceCtx, id: string): Promise<string> {
  assertCan(ctx, 'segments.read');
  await load(ctx, id);
  return customersCsv(
    ctx,
    sql`EXISTS (SELECT 1 FROM segment_members m WHERE m.workspace_id = c.workspace_id
                  AND m.segment_id = ${id} AND m.customer_id = c.id) AND c.workspace_id = ${ctx.workspaceId}`,
  );
}
