// Customer 360 over the API: the page's data, scores with reasons, the timeline from the outbox,
// tags, notes with mentions, custom fields, stale edits, bad input and workspace isolation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, memberOf, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { inWorkspace, rows } from '../../platform/db.ts';
import { drainEvents } from '../../platform/events.ts';
import { allEventHandlers } from '../../runtime.ts';
import { rescoreCustomers } from './scoring.ts';
import { rebuildTimeline } from './timeline.ts';

const DAY = 86_400_000;
const ago = (d: number) => new Date(Date.now() - d * DAY).toISOString();
const order = (id: string, email: string, totalMinor: number, daysAgo: number) => ({
  externalId: id,
  number: id,
  currency: 'EUR',
  totalMinor,
  lines: [{ title: 'Beans', quantity: 1, unitPriceMinor: totalMinor }],
  customer: { email, firstName: email.split('@')[0] },
  placedAt: ago(daysAgo),
  updatedAt: ago(daysAgo),
});

type C360 = {
  customer: {
    id: string;
    version: number;
    tags: string[];
    healthScore: number | null;
    churnRisk: string | null;
    lifecycleStage: string | null;
    tier: string | null;
    custom: Record<string, unknown>;
    firstName: string | null;
  };
  healthReasons: { factor: string; points: number; text: string }[];
  notes: { id: string; body: string; pinned: boolean; version: number; mentions: { name: string }[] }[];
  timeline: { data: { kind: string; title: string }[]; nextCursor: string | null };
  recentOrders: { number: string }[];
  tags: { name: string; colour: string }[];
};

let t: TestApp;
let a: Awaited<ReturnType<typeof ownerOf>>;
let b: Awaited<ReturnType<typeof ownerOf>>;
const ids: Record<string, string> = {};

async function drain() {
  await drainEvents(t.database.db, allEventHandlers(), t.rt.log);
}
const idOf = async (ws: string, email: string) =>
  (
    await rows<{ id: string }>(
      t.database.db,
      sql`SELECT id FROM customers WHERE workspace_id = ${ws} AND email = ${email}`,
    )
  )[0]!.id;
const get360 = async (id: string) => json<C360>(await a.client.get(`/api/v1/customers/${id}/360`));

beforeAll(async () => {
  t = await startTestApp();
  a = await ownerOf(t, 'Shop A');
  b = await ownerOf(t, 'Shop B');
  const items = [
    // regular: five orders a month apart, the last 10 days ago
    ...[10, 40, 70, 100, 130].map((d, i) => order(`R${i}`, 'regular@a.example', 8000, d)),
    // lapsed: two orders long ago
    order('L1', 'lapsed@a.example', 3000, 400),
    order('L2', 'lapsed@a.example', 3000, 370),
    // once: one small order lately
    order('O1', 'once@a.example', 1500, 5),
  ];
  expect((await a.client.post('/api/v1/orders/batch', { items })).statusCode).toBe(200);
  await b.client.post('/api/v1/orders/batch', { items: [order('B1', 'secret@b.example', 5000, 3)] });
  await drain();
  await inWorkspace(t.database.db, a.workspaceId, (tx) => rescoreCustomers(tx, a.workspaceId));
  ids.regular = await idOf(a.workspaceId, 'regular@a.example');
  ids.lapsed = await idOf(a.workspaceId, 'lapsed@a.example');
  ids.once = await idOf(a.workspaceId, 'once@a.example');
  ids.theirs = await idOf(b.workspaceId, 'secret@b.example');
});
afterAll(() => t?.close());

describe('customer 360', () => {
  it('answers the page in one call: metrics, scores with their reasons, recent orders, the timeline', async () => {
    const regular = await get360(ids.regular!);
    expect(regular.customer).toMatchObject({ lifecycleStage: 'loyal', churnRisk: 'low', tier: 'gold' });
    expect(regular.customer.healthScore).toBe(40 + 30 + 20 + 10);
    expect(regular.healthReasons.map((r) => r.factor)).toEqual(['recency', 'frequency', 'value', 'refunds']);
    expect(regular.healthReasons[0]!.text).toMatch(/^Last order 10 days ago; usually every 30 days$/);
    expect(regular.recentOrders.map((o) => o.number)).toEqual(['R0', 'R1', 'R2', 'R3', 'R4']);
    // the timeline came from the outbox: five orders and the account's creation
    expect(regular.timeline.data.filter((i) => i.kind === 'order')).toHaveLength(5);
    expect(regular.timeline.data.find((i) => i.kind === 'order')!.title).toBe('Placed order #R0 — 80.00 EUR');
    // automatic tags follow the scores: the fifth order made a frequent buyer (on the timeline); the
    // full rescore (the hourly job) found the top spender, without an event (time's doing, not theirs)
    expect(regular.customer.tags).toEqual(['High spender', 'Frequent buyer']);
    expect(regular.tags[0]).toEqual({ name: 'High spender', colour: 'violet', automatic: true });
    expect(regular.timeline.data.filter((i) => i.kind === 'tag').map((i) => i.title)).toEqual([
      'Tagged “Frequent buyer”',
    ]);

    const lapsed = await get360(ids.lapsed!);
    expect(lapsed.customer).toMatchObject({ lifecycleStage: 'churned', churnRisk: 'high' });
    expect(lapsed.customer.healthScore).toBeLessThan(40);
    const once = await get360(ids.once!);
    expect(once.customer).toMatchObject({ lifecycleStage: 'customer', churnRisk: 'low', tier: 'bronze' });
  });

  it('keeps scores current as orders arrive (worker), and the timeline pages by cursor and kind', async () => {
    await a.client.post('/api/v1/orders/batch', { items: [order('L3', 'lapsed@a.example', 9000, 0)] });
    await drain();
    const lapsed = await get360(ids.lapsed!);
    expect(lapsed.customer).toMatchObject({ churnRisk: 'low' });
    expect(lapsed.timeline.data[0]!.title).toMatch(/^Placed order #L3/);

    const p1 = json<{ data: { id: string }[]; nextCursor: string }>(
      await a.client.get(`/api/v1/customers/${ids.regular}/timeline?limit=2`),
    );
    const p2 = json<{ data: { id: string }[]; nextCursor: string | null }>(
      await a.client.get(`/api/v1/customers/${ids.regular}/timeline?limit=2&cursor=${p1.nextCursor}`),
    );
    expect(p1.data).toHaveLength(2);
    expect(p2.data).toHaveLength(2);
    expect(p2.data.map((x) => x.id)).not.toContain(p1.data[0]!.id);
    const orders = json<{ data: { kind: string }[] }>(
      await a.client.get(`/api/v1/customers/${ids.regular}/timeline?kind=order&limit=100`),
    );
    expect(orders.data.every((x) => x.kind === 'order')).toBe(true);
    expect(orders.data).toHaveLength(5);
    const bad = await a.client.get(`/api/v1/customers/${ids.regular}/timeline?cursor=nonsense`);
    expect(bad.statusCode).toBe(400);
  });

  it('rebuilds the timeline from the tables without doubling what the outbox wrote', async () => {
    await a.client.post('/api/v1/refunds/batch', {
      items: [
        { externalId: 'RF-1', orderExternalId: 'O1', amountMinor: 500, currency: 'EUR', createdAt: ago(1) },
      ],
    });
    await drain();
    const counts = async () =>
      rows<{ kind: string; n: number }>(
        t.database.db,
        sql`SELECT kind, count(*)::int AS n FROM timeline_items WHERE workspace_id = ${a.workspaceId}
             AND kind IN ('order', 'refund') GROUP BY kind ORDER BY kind`,
      );
    const before = await counts();
    expect(before).toEqual([
      { kind: 'order', n: 9 },
      { kind: 'refund', n: 1 },
    ]);
    await inWorkspace(t.database.db, a.workspaceId, (tx) => rebuildTimeline(tx, a.workspaceId));
    expect(await counts()).toEqual(before);
    // what was loaded without events is filled in
    await t.database.db.execute(
      sql`DELETE FROM timeline_items WHERE workspace_id = ${a.workspaceId} AND kind IN ('order', 'refund')`,
    );
    await inWorkspace(t.database.db, a.workspaceId, (tx) => rebuildTimeline(tx, a.workspaceId));
    expect(await counts()).toEqual(before);
  });

  it('adds and removes tags without regard to case, each change on the timeline', async () => {
    const res = await a.client.post(`/api/v1/customers/${ids.once}/tags`, {
      add: ['VIP', 'vip', 'Gift buyer'],
    });
    expect(res.statusCode).toBe(200);
    // "New customer" is automatic: the first order was 5 days ago
    expect(json<{ tags: string[] }>(res).tags).toEqual(['New customer', 'VIP', 'Gift buyer']);
    await a.client.put('/api/v1/tags', { name: 'VIP', colour: 'amber' });
    await a.client.post(`/api/v1/customers/${ids.once}/tags`, { remove: ['gift BUYER'] });
    await drain();
    const page = await get360(ids.once!);
    expect(page.customer.tags).toEqual(['New customer', 'VIP']);
    expect(page.tags).toContainEqual({ name: 'VIP', colour: 'amber', automatic: false });
    expect(page.timeline.data.filter((i) => i.kind === 'tag').map((i) => i.title)).toEqual([
      'Untagged “Gift buyer”',
      'Tagged “Gift buyer”',
      'Tagged “VIP”',
      'Tagged “New customer”',
    ]);
    const used = json<{ data: { name: string; customers: number }[] }>(await a.client.get('/api/v1/tags'));
    expect(used.data).toContainEqual({ name: 'VIP', customers: 1, colour: 'amber', automatic: false });
    const bad = await a.client.post(`/api/v1/customers/${ids.once}/tags`, { add: ['a\u0001b'] });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps notes: pinned first, mentions of teammates, edits with versions, on the timeline', async () => {
    const sales = await memberOf(t, a.client, 'sales', 'rita@a.example');
    const first = await a.client.post(`/api/v1/customers/${ids.regular}/notes`, { body: 'Prefers decaf.' });
    expect(first.statusCode).toBe(201);
    const pinned = json<C360['notes'][number]>(
      await a.client.post(`/api/v1/customers/${ids.regular}/notes`, {
        body: 'Wholesale lead — @rita@a.example please call back.',
        pinned: true,
      }),
    );
    expect(pinned.mentions).toEqual([{ userId: sales.userId, name: 'sales person' }]);
    await drain();
    const page = await get360(ids.regular!);
    expect(page.notes.map((n) => n.pinned)).toEqual([true, false]);
    expect(page.timeline.data.filter((i) => i.kind === 'note')).toHaveLength(2);

    const edited = await a.client.patch(`/api/v1/customers/${ids.regular}/notes/${pinned.id}`, {
      version: pinned.version,
      pinned: false,
    });
    expect(edited.statusCode).toBe(200);
    const stale = await a.client.patch(`/api/v1/customers/${ids.regular}/notes/${pinned.id}`, {
      version: pinned.version,
      body: 'Overwritten',
    });
    expect(stale.statusCode).toBe(409);
    expect((await get360(ids.regular!)).notes.find((n) => n.id === pinned.id)!.body).toMatch(
      /^Wholesale lead/,
    );
    expect((await a.client.delete(`/api/v1/customers/${ids.regular}/notes/${pinned.id}`)).statusCode).toBe(
      200,
    );
    expect((await get360(ids.regular!)).notes).toHaveLength(1);
    expect((await a.client.post(`/api/v1/customers/${ids.regular}/notes`, { body: '   ' })).statusCode).toBe(
      400,
    );
  });

  it('custom fields: admins define them, values are checked by type and named when wrong', async () => {
    const field = async (body: object) => a.client.post('/api/v1/custom-fields', body);
    expect((await field({ key: 'birthday', label: 'Birthday', type: 'date' })).statusCode).toBe(201);
    expect(
      (await field({ key: 'roast', label: 'Roast', type: 'select', options: ['light', 'medium', 'dark'] }))
        .statusCode,
    ).toBe(201);
    expect((await field({ key: 'website', label: 'Website', type: 'url' })).statusCode).toBe(201);
    // bad definitions
    expect((await field({ key: 'Bad Key', label: 'x', type: 'text' })).statusCode).toBe(400);
    expect((await field({ key: 'choice', label: 'x', type: 'select' })).statusCode).toBe(400);
    expect((await field({ key: 'birthday', label: 'again', type: 'text' })).statusCode).toBe(400);
    const viewer = await memberOf(t, a.client, 'read-only');
    expect(
      (await viewer.client.post('/api/v1/custom-fields', { key: 'x', label: 'x', type: 'text' })).statusCode,
    ).toBe(403);

    const before = await get360(ids.once!);
    const ok = await a.client.patch(`/api/v1/customers/${ids.once}`, {
      version: before.customer.version,
      firstName: 'Olive',
      custom: { birthday: '1990-04-01', roast: 'dark', website: 'https://olive.example' },
    });
    expect(ok.statusCode).toBe(200);
    const after = json<C360['customer']>(ok);
    expect(after.custom).toEqual({ birthday: '1990-04-01', roast: 'dark', website: 'https://olive.example' });
    // wrong values and unknown keys are named, and nothing changes
    for (const [custom, path] of [
      [{ birthday: '01/04/1990' }, 'custom.birthday'],
      [{ roast: 'burnt' }, 'custom.roast'],
      [{ website: 'javascript:alert(1)' }, 'custom.website'],
      [{ shoe_size: 44 }, 'custom.shoe_size'],
    ] as const) {
      const res = await a.client.patch(`/api/v1/customers/${ids.once}`, { version: after.version, custom });
      expect(res.statusCode, JSON.stringify(custom)).toBe(400);
      expect(json<{ errors: { path: string }[] }>(res).errors[0]!.path).toBe(path);
    }
    // a stale edit answers 409 and overwrites nothing
    const stale = await a.client.patch(`/api/v1/customers/${ids.once}`, {
      version: before.customer.version,
      firstName: 'X',
    });
    expect(stale.statusCode).toBe(409);
    const now = await get360(ids.once!);
    expect(now.customer.firstName).toBe('Olive');
    expect(now.customer.version).toBe(after.version);
    // clearing a value, then deleting a field removes its values
    await a.client.patch(`/api/v1/customers/${ids.once}`, {
      version: after.version,
      custom: { website: null },
    });
    const fields = json<{ data: { id: string; key: string }[] }>(
      await a.client.get('/api/v1/custom-fields'),
    ).data;
    await a.client.delete(`/api/v1/custom-fields/${fields.find((f) => f.key === 'roast')!.id}`);
    expect((await get360(ids.once!)).customer.custom).toEqual({ birthday: '1990-04-01' });
    await drain();
    const edits = (await get360(ids.once!)).timeline.data.filter((i) => i.kind === 'account');
    expect(edits.map((i) => i.title)).toContain('Profile edited: first name, Birthday, Roast, Website');
  });

  it('finds customers despite typos, filters and sorts on any column with stable paging', async () => {
    await a.client.post('/api/v1/customers/batch', {
      items: [
        {
          externalId: 'ingrid',
          email: 'ingrid.halvorsen@fjord.example',
          firstName: 'Ingrid',
          lastName: 'Halvorsen',
          company: 'Fjord Coffee AS',
          updatedAt: ago(1),
        },
      ],
    });
    const search = async (q: string) =>
      json<{ data: { email: string }[] }>(
        await a.client.get(`/api/v1/customers?q=${encodeURIComponent(q)}`),
      ).data.map((c) => c.email);
    expect((await search('Ingrd Halvorson'))[0]).toBe('ingrid.halvorsen@fjord.example');
    expect((await search('fjord coff'))[0]).toBe('ingrid.halvorsen@fjord.example');
    expect(await search('lapsed@a.exa')).toEqual(['lapsed@a.example']);
    // an email is looked up as typed: a near one is another person
    expect(await search('lapsid@a.example')).toEqual([]);
    // odd input answers cleanly
    for (const odd of ['O\'Brien "quoted"', '100%_off', '☕️🙂', 'x'.repeat(2000), '\\', '%']) {
      const res = await a.client.get(`/api/v1/customers?q=${encodeURIComponent(odd)}`);
      expect(res.statusCode, odd.slice(0, 20)).toBe(200);
    }
    expect(await search('%')).toEqual([]);
    // search follows every change of a name or company, in the same transaction; other workspaces'
    // customers are never found
    const ingrid = await idOf(a.workspaceId, 'ingrid.halvorsen@fjord.example');
    const before = json<{ version: number }>(await a.client.get(`/api/v1/customers/${ingrid}`));
    await a.client.patch(`/api/v1/customers/${ingrid}`, {
      version: before.version,
      company: 'Bergen Roasters',
    });
    expect(await search('fjord coff')).toEqual([]);
    expect(await search('Ingrid Bergn')).toEqual(['ingrid.halvorsen@fjord.example']);
    expect(await search('secret')).toEqual([]);
    // a phone number is found however it is written
    await a.client.patch(`/api/v1/customers/${ingrid}`, {
      version: before.version + 1,
      phone: '+47 22 12 34 56',
    });
    expect(await search('+47 (22) 123-456')).toEqual(['ingrid.halvorsen@fjord.example']);
    expect(await search('+47 22 12 34 57')).toEqual([]);
    expect(json<{ data: unknown[] }>(await b.client.get('/api/v1/customers?q=secret')).data).toHaveLength(1);
    // the word lookup runs past row-level security (for the trigram index), so it checks the
    // workspace itself: from A, B's words are not there
    const expand = (inWs: string, ofWs: string) =>
      inWorkspace(t.database.db, inWs, (tx) =>
        rows<{ word: string }>(tx, sql`SELECT word FROM patron_search_expand(${ofWs}, 'secret', true)`),
      );
    expect(await expand(a.workspaceId, b.workspaceId)).toEqual([]);
    expect((await expand(b.workspaceId, b.workspaceId)).map((w) => w.word)).toContain('secret');

    // sort by spend, two at a time: the pages join up into the full order
    const all: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const page = json<{ data: { email: string; totalSpentMinor: number }[]; nextCursor: string | null }>(
        await a.client.get(
          `/api/v1/customers?sort=spent&dir=asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        ),
      );
      all.push(...page.data.map((c) => c.email));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const expected = await rows<{ email: string }>(
      t.database.db,
      sql`SELECT email::text AS email FROM customers WHERE workspace_id = ${a.workspaceId} AND merged_into IS NULL
          ORDER BY total_spent_minor, id`,
    );
    expect(all).toEqual(expected.map((e) => e.email));
    const gold = json<{ data: { email: string }[] }>(
      await a.client.get('/api/v1/customers?tier=gold&lifecycle=loyal'),
    );
    expect(gold.data.map((c) => c.email)).toEqual(['regular@a.example']);
    const tagged = json<{ data: { email: string }[] }>(await a.client.get('/api/v1/customers?tag=vip'));
    expect(tagged.data.map((c) => c.email)).toEqual(['once@a.example']);
    expect((await a.client.get('/api/v1/customers?sort=shoe_size')).statusCode).toBe(400);
    expect((await a.client.get('/api/v1/customers?sort=spent&cursor=abc')).statusCode).toBe(400);
  });

  it("stores a new customer's search words as an edit stores them", async () => {
    // created through a batch (the statement trigger, words inlined as a set) …
    await a.client.post('/api/v1/customers/batch', {
      items: [
        {
          externalId: 'ann-marie',
          email: 'Ann.M99@Shop.example',
          firstName: 'Ann-Marie',
          lastName: "O'Neil",
          company: 'ACME Co.',
          phone: '+44 (0)20 7946 0958',
          updatedAt: ago(1),
        },
      ],
    });
    const id = await idOf(a.workspaceId, 'ann.m99@shop.example');
    const terms = async () =>
      (
        await rows<{ word: string }>(
          t.database.db,
          sql`SELECT word FROM customer_search_terms WHERE workspace_id = ${a.workspaceId} AND customer_id = ${id} ORDER BY word`,
        )
      ).map((r) => r.word);
    const created = await terms();
    // "O'Neil" is "neil" and "oneil" too: found however the apostrophe is typed
    expect(created).toEqual(['4402079460958', 'acme', 'ann', 'co', 'marie', 'neil', 'oneil']);
    // … are the words an edit stores (the row trigger, through the array function), and the words a
    // search for the same text looks for
    const [words] = await rows<{ words: string[] }>(
      t.database.db,
      sql`SELECT patron_customer_words(first_name, last_name, email::text, company, phone) AS words
            FROM customers WHERE workspace_id = ${a.workspaceId} AND id = ${id}`,
    );
    expect(words!.words).toEqual(created);
    const [typed] = await rows<{ words: string[] }>(
      t.database.db,
      sql`SELECT patron_search_words(${"Ann-Marie O'Neil ann.m99 ACME Co."}) AS words`,
    );
    expect(typed!.words).toEqual(['acme', 'ann', 'co', 'marie', 'neil', 'oneil']);
    const found = async (q: string) =>
      json<{ data: { email: string }[] }>(
        await a.client.get(`/api/v1/customers?q=${encodeURIComponent(q)}`),
      ).data.map((c) => c.email);
    for (const q of ['ann marie oneil', "Ann-Marie O'Neil", 'o’neil', 'oneill'])
      expect(await found(q), q).toEqual(['ann.m99@shop.example']);
    const before = json<{ version: number }>(await a.client.get(`/api/v1/customers/${id}`));
    await a.client.patch(`/api/v1/customers/${id}`, { version: before.version, company: 'Zed Ltd' });
    expect(await terms()).toEqual(['4402079460958', 'ann', 'ltd', 'marie', 'neil', 'oneil', 'zed']);
    // the set is inlined into the query that calls it (a call per customer through the SQL-function
    // executor cost five times as much for a batch of new customers)
    const plan = await rows<{ 'QUERY PLAN': string }>(
      t.database.db,
      sql`EXPLAIN SELECT n.id, w FROM (VALUES (1, 'Ann', 'Lee', 'a@b.example', 'Co', '')) AS n(id, f, l, e, c, p),
                 patron_customer_word_set(n.f, n.l, n.e, n.c, n.p) AS w`,
    );
    const text = plan.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('regexp_split_to_table');
    expect(text).not.toContain('patron_');
  });

  it('acts on many customers at once: tag, untag, assign an owner, export, delete', async () => {
    const chosen = [ids.regular!, ids.lapsed!, ids.theirs!];
    const tag = await a.client.post('/api/v1/customers/bulk', { ids: chosen, action: 'tag', tag: 'Spring' });
    // B's customer is not seen: two changed
    expect(json(tag)).toEqual({ changed: 2 });
    expect(
      json(await a.client.post('/api/v1/customers/bulk', { ids: chosen, action: 'tag', tag: 'spring' })),
    ).toEqual({
      changed: 0,
    });
    const sales = await memberOf(t, a.client, 'sales', 'owner-to-be@a.example');
    const assign = await a.client.post('/api/v1/customers/bulk', {
      ids: chosen,
      action: 'assign_owner',
      ownerUserId: sales.userId,
    });
    expect(json(assign)).toEqual({ changed: 2 });
    const mine = json<{ data: { email: string }[] }>(
      await a.client.get(`/api/v1/customers?owner=${sales.userId}`),
    );
    expect(mine.data.map((c) => c.email).sort()).toEqual(['lapsed@a.example', 'regular@a.example']);
    const csv = await a.client.post('/api/v1/customers/export', { ids: chosen });
    expect(csv.statusCode).toBe(200);
    const lines = csv.body.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/,tags,birthday,website$/);
    expect(csv.body).not.toContain('secret@b.example');
    // bad input changes nothing
    for (const body of [
      { ids: chosen, action: 'tag' },
      { ids: [], action: 'delete' },
      { ids: chosen, action: 'explode' },
    ]) {
      const res = await a.client.post('/api/v1/customers/bulk', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    // an owner who is not a member of the workspace breaks a rule: 422 naming the field
    const stranger = await a.client.post('/api/v1/customers/bulk', {
      ids: chosen,
      action: 'assign_owner',
      ownerUserId: '0190c6c4-0000-7000-8000-000000000000',
    });
    expect(stranger.statusCode).toBe(422);
    expect(json<{ errors: { path: string }[] }>(stranger).errors[0]!.path).toBe('ownerUserId');
    const untag = await a.client.post('/api/v1/customers/bulk', {
      ids: chosen,
      action: 'untag',
      tag: 'SPRING',
    });
    expect(json(untag)).toEqual({ changed: 2 });
    const del = await a.client.post('/api/v1/customers/bulk', {
      ids: [ids.lapsed!, ids.theirs!],
      action: 'delete',
    });
    expect(json(del)).toEqual({ changed: 1 });
    expect((await a.client.get(`/api/v1/customers/${ids.lapsed}/360`)).statusCode).toBe(404);
    expect((await b.client.get(`/api/v1/customers/${ids.theirs}/360`)).statusCode).toBe(200);
    const viewer = await memberOf(t, a.client, 'read-only');
    expect(
      (await viewer.client.post('/api/v1/customers/bulk', { ids: [ids.regular!], action: 'delete' }))
        .statusCode,
    ).toBe(403);
  });

  it('saves list views for oneself or shared with the workspace', async () => {
    const mine = await a.client.post('/api/v1/views', {
      name: 'Loyal big spenders',
      params: { lifecycle: 'loyal', sort: 'spent', dir: 'desc' },
    });
    expect(mine.statusCode).toBe(201);
    const shared = json<{ id: string }>(
      await a.client.post('/api/v1/views', {
        name: 'Churned',
        shared: true,
        params: { lifecycle: 'churned' },
      }),
    );
    const sales = await memberOf(t, a.client, 'sales', 'views-sales@a.example');
    const seen = json<{ data: { name: string; shared: boolean; mine: boolean }[] }>(
      await sales.client.get('/api/v1/views'),
    ).data;
    // the owner's own view stays theirs; the shared one is everyone's
    expect(seen).toEqual([
      { id: shared.id, name: 'Churned', shared: true, mine: false, params: { lifecycle: 'churned' } },
    ]);
    expect(
      (await sales.client.post('/api/v1/views', { name: 'x', shared: true, params: {} })).statusCode,
    ).toBe(403);
    expect((await sales.client.delete(`/api/v1/views/${shared.id}`)).statusCode).toBe(403);
    // settings the list would refuse are refused here too
    for (const params of [{ lifecycle: 'asleep' }, { shoe_size: '44' }, { cursor: 'abc' }]) {
      const res = await a.client.post('/api/v1/views', { name: 'bad', params });
      expect(res.statusCode, JSON.stringify(params)).toBe(400);
    }
    expect((await a.client.delete(`/api/v1/views/${shared.id}`)).statusCode).toBe(200);
    expect(json<{ data: unknown[] }>(await b.client.get('/api/v1/views')).data).toEqual([]);
  });

  it("never shows or changes another workspace's customer", async () => {
    const theirs = ids.theirs!;
    const calls = [
      a.client.get(`/api/v1/customers/${theirs}/360`),
      a.client.patch(`/api/v1/customers/${theirs}`, { version: 1, firstName: 'Taken' }),
      a.client.post(`/api/v1/customers/${theirs}/tags`, { add: ['x'] }),
      a.client.post(`/api/v1/customers/${theirs}/notes`, { body: 'x' }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('secret@b.example');
    }
    const timeline = json<{ data: unknown[] }>(await a.client.get(`/api/v1/customers/${theirs}/timeline`));
    expect(timeline.data).toEqual([]);
    const notes = json<{ data: unknown[] }>(await a.client.get(`/api/v1/customers/${theirs}/notes`));
    expect(notes.data).toEqual([]);
    const mine = json<{ data: { name: string }[] }>(await b.client.get('/api/v1/tags')).data;
    expect(mine.map((x) => x.name)).toEqual(['New customer']); // B's own automatic tag, nothing of A's
    const their = json<C360>(await b.client.get(`/api/v1/customers/${theirs}/360`));
    expect(their.customer).toMatchObject({ firstName: 'secret', tags: ['New customer'] });
    expect(their.notes).toEqual([]);
  });
});
