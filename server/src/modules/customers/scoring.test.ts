// Scoring rules a workspace tunes (read, preview, save with a background rescore), assigning an owner
// on the customer page, and the product-affinity tags ("Likes Coffee") the worker keeps.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, memberOf, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { inWorkspace, rows } from '../../platform/db.ts';
import { drainEvents } from '../../platform/events.ts';
import { runJobOnce } from '../../platform/jobs.ts';
import { allEventHandlers } from '../../runtime.ts';
import { segmentJobs } from '../segments/upkeep.ts';
import { categoryUse, likedCategories } from './affinity.ts';
import { RESCORE_JOB } from './scoring.service.ts';
import { rescoreCustomers } from './scoring.ts';

const DAY = 86_400_000;
const ago = (d: number) => new Date(Date.now() - d * DAY).toISOString();
type Line = { externalId: string; productExternalId: string; quantity: number };
const order = (id: string, email: string, daysAgo: number, lines: Line[], extra: object = {}) => ({
  externalId: id,
  number: id,
  currency: 'EUR',
  totalMinor: lines.reduce((s, l) => s + l.quantity * 1000, 0),
  lines: lines.map((l) => ({ ...l, title: l.productExternalId, unitPriceMinor: 1000 })),
  customer: { email },
  placedAt: ago(daysAgo),
  updatedAt: ago(daysAgo),
  ...extra,
});
const line = (externalId: string, productExternalId: string, quantity = 1): Line => ({
  externalId,
  productExternalId,
  quantity,
});

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
type C360 = {
  customer: { id: string; version: number; tags: string[]; lifecycleStage: string | null };
  owner: { userId: string; name: string } | null;
  timeline: { data: { kind: string; title: string }[] };
};
const get360 = async (id: string) => json<C360>(await a.client.get(`/api/v1/customers/${id}/360`));
/** The hourly full rescore of workspace A, run here directly. */
const rescore = () => inWorkspace(t.database.db, a.workspaceId, (tx) => rescoreCustomers(tx, a.workspaceId));
const likes = async (id: string) => (await get360(id)).customer.tags.filter((x) => x.startsWith('Likes '));

beforeAll(async () => {
  t = await startTestApp();
  // the queue the rescore goes to exists once a worker has started; this test runs the job itself
  await t.rt.jobs.boss.createQueue(RESCORE_JOB);
  a = await ownerOf(t, 'Roastery A');
  b = await ownerOf(t, 'Shop B');
  const products = [
    { externalId: 'P-BEANS', title: 'House beans', categories: ['Coffee'] },
    { externalId: 'P-ESPRESSO', title: 'Espresso blend', categories: ['Coffee'] },
    { externalId: 'P-MUG', title: 'Stoneware mug', categories: ['Mugs', 'Gifts'] },
    { externalId: 'P-TEA', title: 'Green tea', categories: ['Tea'] },
    { externalId: 'P-CLOTH', title: 'Cleaning cloth', categories: [] },
  ].map((p) => ({ ...p, updatedAt: ago(200) }));
  expect((await a.client.post('/api/v1/products/batch', { items: products })).statusCode).toBe(200);
  const items = [
    // alice: coffee in two orders, three mugs in the first
    order('A1', 'alice@a.example', 20, [line('A1-1', 'P-BEANS'), line('A1-2', 'P-MUG', 3)]),
    order('A2', 'alice@a.example', 10, [line('A2-1', 'P-ESPRESSO')]),
    // bob: one order, mostly tea
    order('B1', 'bob@a.example', 5, [line('B1-1', 'P-TEA', 3), line('B1-2', 'P-BEANS')]),
    // carol: one order of a cloth (no category) and one coffee: 50% coffee
    order('C1', 'carol@a.example', 5, [line('C1-1', 'P-CLOTH'), line('C1-2', 'P-BEANS')]),
    // dan: a cloth and a mug in one order, two cloths in another: the mug is a quarter
    order('D1', 'dan@a.example', 40, [line('D1-1', 'P-CLOTH'), line('D1-2', 'P-MUG')]),
    order('D2', 'dan@a.example', 8, [line('D2-1', 'P-CLOTH', 2)]),
  ];
  expect((await a.client.post('/api/v1/orders/batch', { items })).statusCode).toBe(200);
  await b.client.post('/api/v1/orders/batch', {
    items: [order('X1', 'secret@b.example', 3, [line('X1-1', 'P-TEA')])],
  });
  await drain();
  for (const who of ['alice', 'bob', 'carol', 'dan'])
    ids[who] = await idOf(a.workspaceId, `${who}@a.example`);
});
afterAll(() => t?.close());

describe('product-affinity rule', () => {
  it('likes a category bought in at least two orders, or as 40% of the quantity', () => {
    const use = [
      { category: 'Coffee', orders: 2, quantity: 2 },
      { category: 'Mugs', orders: 1, quantity: 4 },
      { category: 'Tea', orders: 1, quantity: 3 },
    ];
    // 9 items: coffee by its two orders, mugs by 4/9 ≥ 40%, tea 3/9 < 40% in one order
    expect(likedCategories(use, 9)).toEqual(['Coffee', 'Mugs']);
    expect(likedCategories(use, 10)).toEqual(['Coffee', 'Mugs']);
    expect(likedCategories(use, 11)).toEqual(['Coffee']);
    expect(likedCategories(use, 9, 3)).toEqual(['Mugs']);
    expect(likedCategories([{ category: 'Tea', orders: 1, quantity: 2 }], 5)).toEqual(['Tea']);
    expect(likedCategories([{ category: 'Tea', orders: 1, quantity: 1 }], 3)).toEqual([]);
    // nothing kept (all refunded) is no affinity, whatever the orders
    expect(likedCategories([{ category: 'Tea', orders: 3, quantity: 0 }], 0)).toEqual([]);
    expect(likedCategories([], 0)).toEqual([]);
  });
});

describe('product-affinity tags', () => {
  it('tags customers by what they buy, as the orders arrive, on the timeline', async () => {
    expect(await likes(ids.alice!)).toEqual(['Likes Coffee', 'Likes Gifts', 'Likes Mugs']);
    expect(await likes(ids.bob!)).toEqual(['Likes Tea']);
    expect(await likes(ids.carol!)).toEqual(['Likes Coffee']);
    expect(await likes(ids.dan!)).toEqual([]);
    const page = await get360(ids.bob!);
    expect(page.timeline.data.filter((i) => i.kind === 'tag').map((i) => i.title)).toContain(
      'Tagged “Likes Tea”',
    );
    const defs = await rows<{ name: string; automatic: boolean }>(
      t.database.db,
      sql`SELECT name, automatic FROM tag_definitions WHERE workspace_id = ${a.workspaceId} AND name LIKE 'Likes %' ORDER BY name`,
    );
    expect(defs.every((d) => d.automatic)).toBe(true);
    // B's store has no products with categories: nothing of A's reached it
    expect(
      await rows(
        t.database.db,
        sql`SELECT name FROM tag_definitions WHERE workspace_id = ${b.workspaceId} AND name LIKE 'Likes %'`,
      ),
    ).toEqual([]);
  });

  it('takes the tag away after a refund or a cancellation, and keeps the tags people set', async () => {
    await a.client.post(`/api/v1/customers/${ids.bob}/tags`, { add: ['VIP'] });
    // bob returns all three teas: his one coffee is now everything he kept
    const refund = await a.client.post('/api/v1/refunds/batch', {
      items: [
        {
          externalId: 'RF-B1',
          orderExternalId: 'B1',
          amountMinor: 3000,
          currency: 'EUR',
          lines: [{ lineExternalId: 'B1-1', quantity: 3, amountMinor: 3000 }],
          createdAt: ago(1),
        },
      ],
    });
    expect(refund.statusCode).toBe(200);
    // alice's second coffee order is cancelled: one coffee of four items is not enough
    await a.client.post('/api/v1/orders/batch', {
      items: [
        order('A2', 'alice@a.example', 10, [line('A2-1', 'P-ESPRESSO')], {
          status: 'cancelled',
          cancelledAt: ago(0),
          updatedAt: ago(0),
        }),
      ],
    });
    await drain();
    const bob = await get360(ids.bob!);
    expect(bob.customer.tags.filter((x) => x.startsWith('Likes '))).toEqual(['Likes Coffee']);
    expect(bob.customer.tags).toContain('VIP');
    expect(bob.timeline.data.filter((i) => i.kind === 'tag').map((i) => i.title)).toEqual(
      expect.arrayContaining(['Untagged “Likes Tea”', 'Tagged “Likes Coffee”']),
    );
    expect(await likes(ids.alice!)).toEqual(['Likes Gifts', 'Likes Mugs']);
  });

  it('agrees with the rule for every customer, also after the full rescore', async () => {
    await rescore();
    for (const who of ['alice', 'bob', 'carol', 'dan']) {
      const { use, total } = await inWorkspace(t.database.db, a.workspaceId, (tx) =>
        categoryUse(tx, a.workspaceId, ids[who]!),
      );
      expect(await likes(ids[who]!), who).toEqual(likedCategories(use, total).map((c) => `Likes ${c}`));
    }
  });

  it('follows a product moved to another category to its buyers on the full rescore', async () => {
    const cloth = (categories: string[], daysAgo: number) =>
      a.client.post('/api/v1/products/batch', {
        items: [{ externalId: 'P-CLOTH', title: 'Cleaning cloth', categories, updatedAt: ago(daysAgo) }],
      });
    // a rescore a while after the products arrived: only what changes from now on is read again
    await t.database.db.execute(
      sql`UPDATE products SET categories_changed_at = now() - interval '3 hours' WHERE workspace_id = ${a.workspaceId}`,
    );
    await rescore();
    await t.database.db.execute(
      sql`UPDATE customer_scoring SET computed_at = now() - interval '2 hours' WHERE workspace_id = ${a.workspaceId}`,
    );
    expect((await cloth(['Cleaning'], 2)).statusCode).toBe(200);
    await drain();
    // no order arrived: the tags change with the full rescore (dan bought 3 cloths of 4 items, carol 1 of 2)
    expect(await likes(ids.dan!)).toEqual([]);
    await rescore();
    expect(await likes(ids.dan!)).toEqual(['Likes Cleaning']);
    expect(await likes(ids.carol!)).toEqual(['Likes Coffee', 'Likes Cleaning']);
    // a later update that keeps the categories does not mark the product again
    const [before] = await rows<{ at: string }>(
      t.database.db,
      sql`SELECT categories_changed_at::text AS at FROM products WHERE workspace_id = ${a.workspaceId} AND external_id = 'P-CLOTH'`,
    );
    expect((await cloth(['Cleaning'], 1)).statusCode).toBe(200);
    const [same] = await rows<{ at: string }>(
      t.database.db,
      sql`SELECT categories_changed_at::text AS at FROM products WHERE workspace_id = ${a.workspaceId} AND external_id = 'P-CLOTH'`,
    );
    expect(same!.at).toBe(before!.at);
    // back as it was, for the tests that follow
    expect((await cloth([], 0)).statusCode).toBe(200);
    await rescore();
    expect(await likes(ids.dan!)).toEqual([]);
    expect(await likes(ids.carol!)).toEqual(['Likes Coffee']);
  });

  it('writes only the customers whose scores or tags move on a full rescore', async () => {
    // a row's xmin changes exactly when the row is written
    const versions = async () =>
      new Map(
        (
          await rows<{ id: string; xmin: string; health_score: number }>(
            t.database.db,
            sql`SELECT id, xmin::text, health_score FROM customers WHERE workspace_id = ${a.workspaceId}`,
          )
        ).map((r) => [r.id, r]),
      );
    await rescore();
    const before = await versions();
    await rescore();
    const after = await versions();
    expect([...after.values()].filter((r) => r.xmin !== before.get(r.id)?.xmin)).toEqual([]);
    // a score that no longer holds is written again: the next rescore puts it back
    await t.database.db.execute(
      sql`UPDATE customers SET health_score = 0 WHERE workspace_id = ${a.workspaceId} AND id = ${ids.alice}`,
    );
    await rescore();
    const fixed = await versions();
    expect(fixed.get(ids.alice!)!.health_score).toBe(before.get(ids.alice!)!.health_score);
    expect([...fixed.values()].filter((r) => r.xmin !== after.get(r.id)?.xmin).map((r) => r.id)).toEqual([
      ids.alice,
    ]);
  });
});

type Settings = {
  loyalMinOrders: number;
  atRiskFactor: number;
  churnedFactor: number;
  version: number;
  rescoredAt: string | null;
  rescorePending: boolean;
};
type Preview = {
  total: number;
  current: { stages: Record<string, number>; tiers: Record<string, number> };
  proposed: { stages: Record<string, number>; tiers: Record<string, number> };
  moved: number;
};

describe('scoring rules', () => {
  it('reads the defaults and previews proposed rules without saving them', async () => {
    const s = json<Settings>(await a.client.get('/api/v1/customer-scoring'));
    expect(s).toMatchObject({ loyalMinOrders: 3, atRiskFactor: 1.5, churnedFactor: 3, version: 1 });
    // dan: two orders (40 and 8 days ago) — a customer under "loyal after 3", loyal after 2
    const p = json<Preview>(
      await a.client.post('/api/v1/customer-scoring/preview', {
        loyalMinOrders: 2,
        atRiskFactor: 1.5,
        churnedFactor: 3,
      }),
    );
    expect(p.total).toBe(4);
    expect(p.current.stages.loyal).toBe(0);
    expect(p.proposed.stages.loyal).toBe(1);
    expect(p.moved).toBe(1);
    expect(Object.values(p.proposed.stages).reduce((x, y) => x + y, 0)).toBe(4);
    expect(p.proposed.tiers).toEqual(p.current.tiers);
    // the saved rules proposed again move nobody
    const same = json<Preview>(
      await a.client.post('/api/v1/customer-scoring/preview', {
        loyalMinOrders: 3,
        atRiskFactor: 1.5,
        churnedFactor: 3,
      }),
    );
    expect(same.moved).toBe(0);
    expect(same.proposed).toEqual(same.current);
    // and nothing was saved
    expect(json<Settings>(await a.client.get('/api/v1/customer-scoring')).version).toBe(1);
    expect((await get360(ids.dan!)).customer.lifecycleStage).toBe('customer');
  });

  it('refuses rules out of range, naming the field, and changes nothing', async () => {
    const cases: [object, string][] = [
      [{ loyalMinOrders: 1, atRiskFactor: 1.5, churnedFactor: 3 }, 'body.loyalMinOrders'],
      [{ loyalMinOrders: 2.5, atRiskFactor: 1.5, churnedFactor: 3 }, 'body.loyalMinOrders'],
      [{ loyalMinOrders: 3, atRiskFactor: 0.5, churnedFactor: 3 }, 'body.atRiskFactor'],
      [{ loyalMinOrders: 3, atRiskFactor: 1.555, churnedFactor: 3 }, 'body.atRiskFactor'],
      [{ loyalMinOrders: 3, atRiskFactor: 2, churnedFactor: 50 }, 'body.churnedFactor'],
      [{ loyalMinOrders: 3, atRiskFactor: 2, churnedFactor: 2 }, 'body.churnedFactor'],
      [{ loyalMinOrders: 3, atRiskFactor: '2', churnedFactor: 3 }, 'body.atRiskFactor'],
    ];
    for (const [body, path] of cases) {
      for (const res of [
        await a.client.put('/api/v1/customer-scoring', { ...body, version: 1 }),
        await a.client.post('/api/v1/customer-scoring/preview', body),
      ]) {
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        const problem = json<{ code: string; errors: { path: string; message: string }[] }>(res);
        expect(problem.code).toBe('validation_failed');
        expect(problem.errors.map((e) => e.path)).toContain(path);
      }
    }
    const noVersion = await a.client.put('/api/v1/customer-scoring', {
      loyalMinOrders: 2,
      atRiskFactor: 1.5,
      churnedFactor: 3,
    });
    expect(noVersion.statusCode).toBe(428);
    // only owners and admins change the rules or preview them
    const sales = await memberOf(t, a.client, 'sales', 'sally@a.example');
    const rules = { loyalMinOrders: 2, atRiskFactor: 1.5, churnedFactor: 3 };
    expect((await sales.client.put('/api/v1/customer-scoring', { ...rules, version: 1 })).statusCode).toBe(
      403,
    );
    expect((await sales.client.post('/api/v1/customer-scoring/preview', rules)).statusCode).toBe(403);
    expect((await sales.client.get('/api/v1/customer-scoring')).statusCode).toBe(200);
    expect(json<Settings>(await a.client.get('/api/v1/customer-scoring')).version).toBe(1);
    const audited = await rows(
      t.database.db,
      sql`SELECT 1 FROM audit_log WHERE workspace_id = ${a.workspaceId} AND action = 'customer_scoring.updated'`,
    );
    expect(audited).toHaveLength(0);
  });

  it('saves the rules, rescores every customer in the background, and refuses a stale save', async () => {
    const saved = await a.client.put('/api/v1/customer-scoring', {
      loyalMinOrders: 2,
      atRiskFactor: 1.5,
      churnedFactor: 3,
      version: 1,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.headers.etag).toBe('"2"');
    expect(json<Settings>(saved)).toMatchObject({ loyalMinOrders: 2, version: 2, rescorePending: true });
    // the rescore is a job, enqueued with the change
    const jobs = await rows<{ id: string; data: { workspaceId: string } }>(
      t.database.db,
      sql`SELECT id, data FROM pgboss.job WHERE name = ${RESCORE_JOB} AND data->>'workspaceId' = ${a.workspaceId}`,
    );
    expect(jobs).toHaveLength(1);
    expect((await get360(ids.dan!)).customer.lifecycleStage).toBe('customer');
    const def = segmentJobs(t.rt).find((j) => j.name === RESCORE_JOB)!;
    await runJobOnce(t.database.db, def, { id: jobs[0]!.id, data: jobs[0]!.data, retryCount: 0 });
    expect((await get360(ids.dan!)).customer.lifecycleStage).toBe('loyal');
    const after = json<Settings>(await a.client.get('/api/v1/customer-scoring'));
    expect(after.rescorePending).toBe(false);
    expect(Date.parse(after.rescoredAt!)).toBeGreaterThan(Date.now() - 60_000);
    // B's customers and rules are untouched
    expect(json<Settings>(await b.client.get('/api/v1/customer-scoring')).loyalMinOrders).toBe(3);

    const stale = await a.client.put('/api/v1/customer-scoring', {
      loyalMinOrders: 5,
      atRiskFactor: 1.5,
      churnedFactor: 3,
      version: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(json<Settings>(await a.client.get('/api/v1/customer-scoring'))).toMatchObject({
      loyalMinOrders: 2,
      version: 2,
    });
    const audit = await rows<{ before: unknown; after: unknown }>(
      t.database.db,
      sql`SELECT before, after FROM audit_log WHERE workspace_id = ${a.workspaceId} AND action = 'customer_scoring.updated'`,
    );
    expect(audit).toEqual([
      {
        before: { loyalMinOrders: 3, atRiskFactor: 1.5, churnedFactor: 3 },
        after: { loyalMinOrders: 2, atRiskFactor: 1.5, churnedFactor: 3 },
      },
    ]);
  });
});

describe('customer owner', () => {
  it('assigns a member as owner, on the timeline; refuses strangers and stale versions', async () => {
    const rita = await memberOf(t, a.client, 'sales', 'rita@a.example');
    const theirs = await memberOf(t, b.client, 'sales', 'bert@b.example');
    let c = (await get360(ids.carol!)).customer;
    const set = await a.client.patch(`/api/v1/customers/${ids.carol}`, {
      version: c.version,
      ownerUserId: rita.userId,
    });
    expect(set.statusCode).toBe(200);
    await drain();
    let page = await get360(ids.carol!);
    expect(page.owner?.userId).toBe(rita.userId);
    const ritaName = page.owner!.name;
    expect(page.timeline.data[0]!.title).toBe(`Owner set to ${ritaName}`);
    c = page.customer;
    for (const stranger of [theirs.userId, '0190c6c4-0000-7000-8000-000000000000']) {
      const res = await a.client.patch(`/api/v1/customers/${ids.carol}`, {
        version: c.version,
        ownerUserId: stranger,
      });
      expect(res.statusCode).toBe(422);
      expect(json<{ errors: { path: string }[] }>(res).errors[0]!.path).toBe('ownerUserId');
    }
    const stale = await a.client.patch(`/api/v1/customers/${ids.carol}`, {
      version: c.version - 1,
      ownerUserId: null,
    });
    expect(stale.statusCode).toBe(409);
    expect((await get360(ids.carol!)).owner?.userId).toBe(rita.userId);
    const cleared = await a.client.patch(`/api/v1/customers/${ids.carol}`, {
      version: c.version,
      ownerUserId: null,
    });
    expect(cleared.statusCode).toBe(200);
    await drain();
    page = await get360(ids.carol!);
    expect(page.owner).toBeNull();
    expect(page.timeline.data[0]!.title).toBe('Owner removed');
    const audit = await rows<{ after: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT after FROM audit_log WHERE workspace_id = ${a.workspaceId} AND action = 'customer.updated'
           AND record_id = ${ids.carol} ORDER BY at`,
    );
    expect(audit.map((x) => x.after)).toEqual([{ ownerUserId: rita.userId }, { ownerUserId: null }]);
  });
});

describe('lifecycle before the first order', () => {
  it('is a lead, or a prospect once subscribed or after starting a checkout, and a customer after ordering', async () => {
    const people = [
      { externalId: 'lena', email: 'lena@a.example', updatedAt: ago(3) },
      { externalId: 'pia', email: 'pia@a.example', emailConsent: 'subscribed', updatedAt: ago(3) },
      { externalId: 'kurt', email: 'kurt@a.example', emailConsent: 'unsubscribed', updatedAt: ago(3) },
    ];
    expect((await a.client.post('/api/v1/customers/batch', { items: people })).statusCode).toBe(200);
    await drain();
    const stage = async (who: string) =>
      (await get360(await idOf(a.workspaceId, `${who}@a.example`))).customer.lifecycleStage;
    expect([await stage('lena'), await stage('pia'), await stage('kurt')]).toEqual([
      'lead',
      'prospect',
      'lead',
    ]);
    // kurt starts a checkout: interested, though not subscribed
    const checkout = await a.client.post('/api/v1/checkouts/batch', {
      items: [
        {
          externalId: 'K-1',
          customer: { email: 'kurt@a.example' },
          currency: 'EUR',
          totalMinor: 2500,
          createdAt: ago(1),
          updatedAt: ago(1),
        },
      ],
    });
    expect(checkout.statusCode).toBe(200);
    await drain();
    expect(await stage('kurt')).toBe('prospect');
    // and a customer once the first order arrives
    await a.client.post('/api/v1/orders/batch', {
      items: [order('K1', 'kurt@a.example', 1, [line('K1-1', 'P-BEANS')])],
    });
    await drain();
    expect(await stage('kurt')).toBe('customer');
    // the preview counts prospects apart
    const p = json<{ current: { stages: Record<string, number> } }>(
      await a.client.post('/api/v1/customer-scoring/preview', {
        loyalMinOrders: 3,
        atRiskFactor: 1.5,
        churnedFactor: 3,
      }),
    );
    expect(p.current.stages.prospect).toBe(1);
  });
});
