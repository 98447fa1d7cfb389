// Saved segments: pre-built ones, dynamic upkeep from the events outbox, static lists by hand, tag
// actions, CSV, optimistic concurrency, bad input, permissions and workspace isolation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prebuiltSegments } from '../../../../contracts/segments.ts';
import { json, memberOf, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { inWorkspace, rows } from '../../platform/db.ts';
import { drainEvents } from '../../platform/events.ts';
import { allEventHandlers, allJobs } from '../../runtime.ts';
import { refreshWorkspaceSegments } from './saved.service.ts';
import { storeRfmScores } from './upkeep.ts';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

const order = (id: string, email: string, totalMinor: number, daysAgo: number, extra: object = {}) => ({
  externalId: id,
  number: id,
  currency: 'USD',
  totalMinor,
  lines: [{ title: 'Mug', quantity: 1, unitPriceMinor: totalMinor }],
  customer: { email },
  placedAt: ago(daysAgo),
  updatedAt: ago(daysAgo),
  ...extra,
});

type Segment = {
  id: string;
  name: string;
  kind: string;
  query: string | null;
  memberCount: number;
  revenueMinor: number;
  version: number;
  prebuiltKey: string | null;
};

let t: TestApp;
let a: Awaited<ReturnType<typeof ownerOf>>;
let b: Awaited<ReturnType<typeof ownerOf>>;

async function drain() {
  await drainEvents(t.database.db, allEventHandlers(), t.rt.log);
}

const count = async (q: ReturnType<typeof sql>) =>
  Number((await rows<{ n: string }>(t.database.db, q))[0]!.n);

beforeAll(async () => {
  t = await startTestApp();
  a = await ownerOf(t, 'Seg A');
  b = await ownerOf(t, 'Seg B');
  // A: ten customers, the i-th spent i × 50.00 over two orders, the last i × 10 days ago
  const items = [];
  for (let i = 1; i <= 10; i++) {
    items.push(order(`A-${i}-1`, `a${i}@example.com`, i * 2500, i * 10 + 30));
    items.push(order(`A-${i}-2`, `a${i}@example.com`, i * 2500, i * 10));
  }
  expect((await a.client.post('/api/v1/orders/batch', { items })).statusCode).toBe(200);
  await b.client.post('/api/v1/orders/batch', { items: [order('B-1', 'secret@b.example', 150000, 5)] });
  await drain();
});
afterAll(() => t?.close());

describe('saved segments', () => {
  it('every new workspace starts with the pre-built segments, evaluated', async () => {
    const list = json<{ items: Segment[] }>(await a.client.get('/api/v1/segments')).items;
    expect(list.map((s) => s.prebuiltKey).sort()).toEqual(prebuiltSegments.map((p) => p.key).sort());
    // VIP is amount_spent > 1000: nobody in A (the top spent 500.00) — and B's VIP is B's alone
    const vip = list.find((s) => s.prebuiltKey === 'vip')!;
    expect(vip.memberCount).toBe(0);
    const bVip = json<{ items: Segment[] }>(await b.client.get('/api/v1/segments')).items.find(
      (s) => s.prebuiltKey === 'vip',
    )!;
    // B's customer placed the order after the workspace was created: the upkeep handler let them in
    expect(bVip.memberCount).toBe(1);
  });

  it('saves a dynamic segment whose members match SQL written independently, and keeps it current', async () => {
    const res = await a.client.post('/api/v1/segments', {
      name: 'Spent over 300',
      query: 'amount_spent > 300',
    });
    expect(res.statusCode).toBe(201);
    const seg = json<Segment>(res);
    const expected = await count(
      sql`SELECT count(*) AS n FROM customers WHERE workspace_id = ${a.workspaceId} AND total_spent_minor > 30000`,
    );
    expect(expected).toBe(4); // 350, 400, 450, 500
    expect(seg.memberCount).toBe(expected);
    expect(seg.revenueMinor).toBe((35 + 40 + 45 + 50) * 1000);

    // members, paged by cursor
    const p1 = json<{ data: { email: string }[]; nextCursor: string | null }>(
      await a.client.get(`/api/v1/segments/${seg.id}/members?limit=3`),
    );
    expect(p1.data).toHaveLength(3);
    const p2 = json<{ data: { email: string }[]; nextCursor: string | null }>(
      await a.client.get(`/api/v1/segments/${seg.id}/members?limit=3&cursor=${p1.nextCursor}`),
    );
    expect(p2.data).toHaveLength(1);
    expect(p2.nextCursor).toBeNull();
    expect([...p1.data, ...p2.data].map((m) => m.email).sort()).toEqual([
      'a10@example.com',
      'a7@example.com',
      'a8@example.com',
      'a9@example.com',
    ]);

    // a new order lifts a3 (spent 150.00) over 300: the worker lets them in, with history and an event
    await a.client.post('/api/v1/orders/batch', { items: [order('A-3-3', 'a3@example.com', 20000, 1)] });
    await drain();
    const after = json<Segment>(await a.client.get(`/api/v1/segments/${seg.id}`));
    expect(after.memberCount).toBe(5);
    const moves = await rows<{ change: string; email: string }>(
      t.database.db,
      sql`SELECT e.change, c.email::text AS email FROM segment_membership_events e
          JOIN customers c ON c.workspace_id = e.workspace_id AND c.id = e.customer_id
          WHERE e.segment_id = ${seg.id} ORDER BY e.id`,
    );
    expect(moves).toHaveLength(5);
    expect(moves.at(-1)).toEqual({ change: 'entered', email: 'a3@example.com' });
    // the first filling is summed up in one event; a customer's own move is announced (automations)
    const announced = await rows<{ type: string; payload: { customerId?: string; entered?: number } }>(
      t.database.db,
      sql`SELECT type, payload FROM events WHERE workspace_id = ${a.workspaceId}
           AND type LIKE 'segment.%' AND payload->>'segmentId' = ${seg.id} ORDER BY seq`,
    );
    expect(announced.map((e) => e.type)).toEqual(['segment.evaluated', 'segment.entered']);
    expect(announced[0]!.payload.entered).toBe(4);

    // cancelling that order takes them out again
    await a.client.post('/api/v1/orders/batch', {
      items: [{ ...order('A-3-3', 'a3@example.com', 20000, 1), status: 'cancelled', updatedAt: ago(0) }],
    });
    await drain();
    expect(json<Segment>(await a.client.get(`/api/v1/segments/${seg.id}`)).memberCount).toBe(4);
    const history = json<{ points: { members: number }[]; entered30d: number; exited30d: number }>(
      await a.client.get(`/api/v1/segments/${seg.id}/history`),
    );
    expect(history.points.at(-1)!.members).toBe(4);
    expect(history).toMatchObject({ entered30d: 5, exited30d: 1 });
  });

  it('the hourly refresh moves members as relative dates pass, and stores RFM scores', async () => {
    const seg = json<Segment>(
      await a.client.post('/api/v1/segments', { name: 'Ordered lately', query: 'last_order_date >= -25d' }),
    );
    expect(seg.memberCount).toBe(2); // last orders 10 and 20 days ago
    await inWorkspace(t.database.db, a.workspaceId, (tx) =>
      refreshWorkspaceSegments(tx, a.workspaceId, new Date(Date.now() + 10 * DAY)),
    );
    expect(json<Segment>(await a.client.get(`/api/v1/segments/${seg.id}`)).memberCount).toBe(1);

    await inWorkspace(t.database.db, a.workspaceId, (tx) => storeRfmScores(tx, a.workspaceId));
    const grid = json<{ scored: number; groups: { group: string; count: number }[] }>(
      await a.client.get('/api/v1/segments/rfm'),
    );
    const stored = await rows<{ group_key: string; n: string }>(
      t.database.db,
      sql`SELECT group_key, count(*) AS n FROM rfm_scores WHERE workspace_id = ${a.workspaceId} GROUP BY 1`,
    );
    expect(stored.reduce((s, r) => s + Number(r.n), 0)).toBe(grid.scored);
    for (const g of grid.groups.filter((x) => x.count > 0))
      expect(Number(stored.find((s) => s.group_key === g.group)?.n)).toBe(g.count);
    // the jobs are registered: an hourly schedule fanning out per workspace
    const names = allJobs(t.rt).map((j) => j.name);
    expect(names).toEqual(expect.arrayContaining(['segments.refresh', 'segments.refresh-workspace']));
  });

  it('static lists: frozen from rules, or built by hand by id and email', async () => {
    const frozen = json<Segment>(
      await a.client.post('/api/v1/segments', {
        name: 'Top 2 frozen',
        kind: 'static',
        query: 'amount_spent >= 450',
      }),
    );
    expect(frozen.memberCount).toBe(2);
    // an order that would qualify a3 does not change a frozen list
    await a.client.post('/api/v1/orders/batch', { items: [order('A-3-4', 'a3@example.com', 90000, 1)] });
    await drain();
    expect(json<Segment>(await a.client.get(`/api/v1/segments/${frozen.id}`)).memberCount).toBe(2);
    await a.client.post('/api/v1/orders/batch', {
      items: [{ ...order('A-3-4', 'a3@example.com', 90000, 1), status: 'cancelled', updatedAt: ago(0) }],
    });
    await drain();

    const list = await a.client.post('/api/v1/segments', { name: 'Hand-picked', kind: 'static' });
    expect(list.statusCode).toBe(201);
    const hand = json<Segment>(list);
    expect(hand).toMatchObject({ memberCount: 0, query: null });
    const [a1] = await rows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM customers WHERE workspace_id = ${a.workspaceId} AND email = 'a1@example.com'`,
    );
    const added = await a.client.post(`/api/v1/segments/${hand.id}/members`, {
      add: [a1!.id],
      addEmails: ['A2@example.com', 'nobody@example.com'],
    });
    expect(added.statusCode).toBe(200);
    expect(json(added)).toMatchObject({ added: 2, removed: 0, unknownEmails: ['nobody@example.com'] });
    const removed = json(await a.client.post(`/api/v1/segments/${hand.id}/members`, { remove: [a1!.id] }));
    expect(removed).toMatchObject({ removed: 1, segment: { memberCount: 1 } });

    // a dynamic segment's members follow its rules only
    const dyn = json<{ items: Segment[] }>(await a.client.get('/api/v1/segments')).items[0]!;
    const refused = await a.client.post(`/api/v1/segments/${dyn.id}/members`, { add: [a1!.id] });
    expect(refused.statusCode).toBe(400);
  });

  it('tags and untags every member, with an event per customer changed, and exports members as CSV', async () => {
    const seg = json<Segment>(
      await a.client.post('/api/v1/segments', { name: 'Top three', query: 'amount_spent >= 400' }),
    );
    expect(seg.memberCount).toBe(3);
    const tag = await a.client.post(`/api/v1/segments/${seg.id}/tags`, { action: 'add', tag: 'Gold' });
    expect(json(tag)).toEqual({ changed: 3 });
    // twice changes nothing more
    expect(
      json(await a.client.post(`/api/v1/segments/${seg.id}/tags`, { action: 'add', tag: 'gold' })),
    ).toEqual({ changed: 0 });
    expect(
      await count(
        sql`SELECT count(*) AS n FROM customers WHERE workspace_id = ${a.workspaceId} AND 'Gold' = ANY(tags)`,
      ),
    ).toBe(3);
    expect(
      await count(
        sql`SELECT count(*) AS n FROM events WHERE workspace_id = ${a.workspaceId} AND type = 'customer.tagged' AND payload->>'tag' = 'Gold'`,
      ),
    ).toBe(3);

    const csv = await a.client.get(`/api/v1/segments/${seg.id}/export`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="top-three.csv"');
    const lines = csv.body.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/a10@example\.com.*,Gold$/);

    expect(
      json(await a.client.post(`/api/v1/segments/${seg.id}/tags`, { action: 'remove', tag: 'GOLD' })),
    ).toEqual({
      changed: 3,
    });
    expect(
      await count(
        sql`SELECT count(*) AS n FROM customers WHERE workspace_id = ${a.workspaceId} AND 'Gold' = ANY(tags)`,
      ),
    ).toBe(0);
  });

  it('edits with optimistic concurrency: a stale version answers 409 and changes nothing', async () => {
    const seg = json<Segment>(
      await a.client.post('/api/v1/segments', { name: 'Edit me', query: 'amount_spent > 10' }),
    );
    const ok = await a.client.patch(`/api/v1/segments/${seg.id}`, {
      version: seg.version,
      query: 'amount_spent > 400',
    });
    expect(ok.statusCode).toBe(200);
    expect(json<Segment>(ok)).toMatchObject({ version: 2, memberCount: 2, query: 'amount_spent > 400' });
    const stale = await a.client.patch(`/api/v1/segments/${seg.id}`, { version: 1, name: 'Overwritten' });
    expect(stale.statusCode).toBe(409);
    const viaHeader = await a.client.patch(
      `/api/v1/segments/${seg.id}`,
      { name: 'Renamed' },
      { 'if-match': '"2"' },
    );
    expect(json<Segment>(viaHeader)).toMatchObject({ name: 'Renamed', version: 3 });
    expect((await a.client.patch(`/api/v1/segments/${seg.id}`, { name: 'No version' })).statusCode).toBe(428);
    expect((await a.client.delete(`/api/v1/segments/${seg.id}`)).statusCode).toBe(200);
    expect((await a.client.get(`/api/v1/segments/${seg.id}`)).statusCode).toBe(404);
    const audit = await rows<{ action: string }>(
      t.database.db,
      sql`SELECT action FROM audit_log WHERE workspace_id = ${a.workspaceId} AND record_id = ${seg.id} ORDER BY at`,
    );
    expect(audit.map((x) => x.action)).toEqual([
      'segment.created',
      'segment.updated',
      'segment.updated',
      'segment.deleted',
    ]);
  });

  it('refuses bad input with the reason and saves nothing', async () => {
    const before = await count(sql`SELECT count(*) AS n FROM segments WHERE workspace_id = ${a.workspaceId}`);
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', query: 'amount_spent >' }, /at character 15/],
      [{ name: 'x', query: 'shoe_size > 3' }, /shoe_size/],
      [{ name: 'x', query: 'amount_spent > 1', rules: { kind: 'group', op: 'and', rules: [] } }, /not both/],
      [{ name: 'x' }, /dynamic segment needs rules/],
      [{ name: '   ', query: 'amount_spent > 1' }, /name/],
      [{ name: 'x', kind: 'weekly', query: 'amount_spent > 1' }, /kind/],
    ];
    for (const [body, reason] of cases) {
      const res = await a.client.post('/api/v1/segments', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatch(reason);
    }
    const seg = json<{ items: Segment[] }>(await a.client.get('/api/v1/segments')).items[0]!;
    const tagBad = await a.client.post(`/api/v1/segments/${seg.id}/tags`, { action: 'add', tag: 'a\u0007b' });
    expect(tagBad.statusCode).toBe(400);
    const memberBad = await a.client.post(`/api/v1/segments/${seg.id}/members`, {});
    expect(memberBad.statusCode).toBe(400);
    expect((await a.client.get('/api/v1/segments/not-a-uuid')).statusCode).toBe(400);
    expect(await count(sql`SELECT count(*) AS n FROM segments WHERE workspace_id = ${a.workspaceId}`)).toBe(
      before,
    );
  });

  it('read-only members see segments but cannot change them', async () => {
    const viewer = await memberOf(t, a.client, 'read-only');
    expect((await viewer.client.get('/api/v1/segments')).statusCode).toBe(200);
    expect(
      (await viewer.client.post('/api/v1/segments', { name: 'x', query: 'amount_spent > 1' })).statusCode,
    ).toBe(403);
    const seg = json<{ items: Segment[] }>(await a.client.get('/api/v1/segments')).items[0]!;
    expect(
      (await viewer.client.post(`/api/v1/segments/${seg.id}/tags`, { action: 'add', tag: 'x' })).statusCode,
    ).toBe(403);
  });

  it("never shows or changes another workspace's segments", async () => {
    const theirs = json<{ items: Segment[] }>(await b.client.get('/api/v1/segments')).items.find(
      (s) => s.prebuiltKey === 'vip',
    )!;
    const calls = [
      a.client.get(`/api/v1/segments/${theirs.id}`),
      a.client.get(`/api/v1/segments/${theirs.id}/members`),
      a.client.get(`/api/v1/segments/${theirs.id}/history`),
      a.client.get(`/api/v1/segments/${theirs.id}/export`),
      a.client.patch(`/api/v1/segments/${theirs.id}`, { version: theirs.version, name: 'Taken' }),
      a.client.post(`/api/v1/segments/${theirs.id}/refresh`),
      a.client.post(`/api/v1/segments/${theirs.id}/tags`, { action: 'add', tag: 'x' }),
      a.client.post(`/api/v1/segments/${theirs.id}/members`, { remove: [theirs.id] }),
      a.client.delete(`/api/v1/segments/${theirs.id}`),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('secret@b.example');
    }
    const mine = json<{ items: Segment[] }>(await a.client.get('/api/v1/segments')).items;
    expect(mine.map((s) => s.id)).not.toContain(theirs.id);
    expect(json<Segment>(await b.client.get(`/api/v1/segments/${theirs.id}`))).toMatchObject({
      name: theirs.name,
      memberCount: 1,
      version: theirs.version,
    });
  });
});
