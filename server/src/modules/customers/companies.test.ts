// B2B companies and related contacts over the API: the company record with its custom fields, its
// contacts and totals, linking from the customer side, the 360 answer, the timeline, stale edits,
// bad input, roles and workspace isolation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, memberOf, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { rows } from '../../platform/db.ts';
import { drainEvents } from '../../platform/events.ts';
import { allEventHandlers } from '../../runtime.ts';

const order = (id: string, email: string, totalMinor: number, firstName?: string) => ({
  externalId: id,
  number: id,
  currency: 'EUR',
  totalMinor,
  lines: [{ title: 'Beans', quantity: 1, unitPriceMinor: totalMinor }],
  customer: { email, firstName: firstName ?? email.split('@')[0] },
  placedAt: '2026-03-01T10:00:00Z',
  updatedAt: '2026-03-01T10:00:00Z',
});

type Detail = {
  id: string;
  name: string;
  domain: string | null;
  size: string | null;
  netTermsDays: number | null;
  priceTier: string | null;
  accountManager: { userId: string; name: string } | null;
  custom: Record<string, unknown>;
  version: number;
  customersCount: number;
  contacts: { id: string; name: string; totalSpentMinor: number }[];
  totals: { customers: number; orders: number; spend: { currency: string | null; totalMinor: number }[] };
};
type Relation = { id: string; kind: string; direction: string; label: string; customer: { id: string } };
type C360 = {
  customer: { version: number; company: string | null };
  company: {
    id: string;
    name: string;
    customersCount: number;
    accountManager: { name: string } | null;
  } | null;
  relations: Relation[];
  timeline: { data: { kind: string; title: string; refType: string | null; refId: string | null }[] };
};

let t: TestApp;
let a: Awaited<ReturnType<typeof ownerOf>>;
let b: Awaited<ReturnType<typeof ownerOf>>;
const ids: Record<string, string> = {};
let salesClient: Awaited<ReturnType<typeof memberOf>>['client'];

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
const company = async (id: string) => json<Detail>(await a.client.get(`/api/v1/companies/${id}`));

beforeAll(async () => {
  t = await startTestApp();
  a = await ownerOf(t, 'Shop A');
  b = await ownerOf(t, 'Shop B');
  const items = [
    order('A1', 'ada@acme.example', 12_000, 'Ada'),
    order('A2', 'ada@acme.example', 3_000, 'Ada'),
    order('G1', 'grace@acme.example', 5_000, 'Grace'),
    order('L1', 'linus@home.example', 2_000, 'Linus'),
  ];
  expect((await a.client.post('/api/v1/orders/batch', { items })).statusCode).toBe(200);
  await b.client.post('/api/v1/orders/batch', { items: [order('B1', 'secret@b.example', 5000)] });
  await drain();
  ids.ada = await idOf(a.workspaceId, 'ada@acme.example');
  ids.grace = await idOf(a.workspaceId, 'grace@acme.example');
  ids.linus = await idOf(a.workspaceId, 'linus@home.example');
  ids.theirs = await idOf(b.workspaceId, 'secret@b.example');
  ids.theirCompany = json<{ id: string }>(
    await b.client.post('/api/v1/companies', { name: 'Secret B Ltd' }),
  ).id;
  const sales = await memberOf(t, a.client, 'sales', 'sam@a.example');
  ids.sales = sales.userId;
  // a member of another workspace is not a member here
  ids.bOwner = (
    await rows<{ id: string }>(t.database.db, sql`SELECT id FROM users WHERE email = ${b.email}`)
  )[0]!.id;
  salesClient = sales.client;
});
afterAll(() => t?.close());

describe('companies', () => {
  it('creates a company with its B2B facts and a company custom field, and lists and finds it', async () => {
    const field = await a.client.post('/api/v1/custom-fields', {
      entity: 'company',
      key: 'vat_number',
      label: 'VAT number',
      type: 'text',
    });
    expect(field.statusCode).toBe(201);
    await a.client.post('/api/v1/custom-fields', {
      entity: 'company',
      key: 'segment',
      label: 'Segment',
      type: 'select',
      options: ['Cafe', 'Hotel'],
    });
    const res = await a.client.post('/api/v1/companies', {
      name: 'Acme Coffee',
      domain: 'Acme.example',
      industry: 'Hospitality',
      size: '11-50',
      accountManagerUserId: ids.sales,
      netTermsDays: 30,
      priceTier: 'wholesale',
      description: 'Three cafes in town',
      custom: { vat_number: 'GB123', segment: 'Cafe' },
    });
    expect(res.statusCode).toBe(201);
    const acme = json<Detail>(res);
    ids.acme = acme.id;
    expect(acme).toMatchObject({
      name: 'Acme Coffee',
      domain: 'acme.example',
      size: '11-50',
      netTermsDays: 30,
      priceTier: 'wholesale',
      accountManager: { userId: ids.sales, name: 'sales person' },
      custom: { vat_number: 'GB123', segment: 'Cafe' },
      version: 1,
      totals: { customers: 0, orders: 0, spend: [] },
    });
    ids.zeta = json<{ id: string }>(await a.client.post('/api/v1/companies', { name: 'Zeta Hotels' })).id;
    ids.beta = json<{ id: string }>(
      await a.client.post('/api/v1/companies', { name: 'beta bakery', domain: 'beta.example' }),
    ).id;

    const all = json<{ data: { name: string; customersCount: number }[]; nextCursor: string | null }>(
      await a.client.get('/api/v1/companies'),
    );
    expect(all.data.map((c) => c.name)).toEqual(['Acme Coffee', 'beta bakery', 'Zeta Hotels']);
    expect(all.data.map((c) => c.name)).not.toContain('Secret B Ltd');
    // cursor paging by name
    const p1 = json<{ data: { name: string }[]; nextCursor: string }>(
      await a.client.get('/api/v1/companies?limit=2'),
    );
    const p2 = json<{ data: { name: string }[]; nextCursor: string | null }>(
      await a.client.get(`/api/v1/companies?limit=2&cursor=${p1.nextCursor}`),
    );
    expect([...p1.data, ...p2.data].map((c) => c.name)).toEqual([
      'Acme Coffee',
      'beta bakery',
      'Zeta Hotels',
    ]);
    expect(p2.nextCursor).toBeNull();
    // search by part of the name or the domain
    const byName = json<{ data: { name: string }[] }>(await a.client.get('/api/v1/companies?q=ACME'));
    expect(byName.data.map((c) => c.name)).toEqual(['Acme Coffee']);
    const byDomain = json<{ data: { name: string }[] }>(await a.client.get('/api/v1/companies?q=beta.ex'));
    expect(byDomain.data.map((c) => c.name)).toEqual(['beta bakery']);
    expect((await a.client.get('/api/v1/companies?cursor=nonsense')).statusCode).toBe(400);
    // audited
    const audit = await rows<{ action: string }>(
      t.database.db,
      sql`SELECT action FROM audit_log WHERE workspace_id = ${a.workspaceId} AND record_id = ${ids.acme}`,
    );
    expect(audit.map((x) => x.action)).toEqual(['company.created']);
  });

  it('links customers to a company: contacts, totals, the 360 answer and the timeline', async () => {
    for (const c of [ids.ada, ids.grace]) {
      const res = await a.client.post(`/api/v1/companies/${ids.acme}/contacts`, { customerId: c });
      expect(res.statusCode).toBe(200);
    }
    const acme = await company(ids.acme!);
    expect(acme.contacts.map((c) => c.name)).toEqual(['Ada', 'Grace']);
    expect(acme.totals).toEqual({
      customers: 2,
      orders: 3,
      spend: [{ currency: 'EUR', totalMinor: 20_000 }],
    });
    await drain();
    const ada = await get360(ids.ada!);
    expect(ada.company).toMatchObject({ id: ids.acme, name: 'Acme Coffee', customersCount: 2 });
    expect(ada.company!.accountManager!.name).toBe('sales person');
    const item = ada.timeline.data.find((i) => i.title === 'Linked to company Acme Coffee');
    expect(item).toMatchObject({ kind: 'account', refType: 'company', refId: ids.acme });

    // moving to another company says so, and the first company loses the contact
    await a.client.post(`/api/v1/companies/${ids.zeta}/contacts`, { customerId: ids.grace });
    expect((await company(ids.acme!)).totals.customers).toBe(1);
    await drain();
    const grace = await get360(ids.grace!);
    expect(grace.company!.name).toBe('Zeta Hotels');
    expect(grace.timeline.data.map((i) => i.title)).toContain(
      'Moved from company Acme Coffee to Zeta Hotels',
    );

    // unlinking: only from the company it is linked to
    const wrong = await a.client.delete(`/api/v1/companies/${ids.acme}/contacts/${ids.grace}`);
    expect(wrong.statusCode).toBe(404);
    const off = await a.client.delete(`/api/v1/companies/${ids.zeta}/contacts/${ids.grace}`);
    expect(off.statusCode).toBe(200);
    expect((await get360(ids.grace!)).company).toBeNull();
    const events = await rows<{ type: string }>(
      t.database.db,
      sql`SELECT type FROM events WHERE workspace_id = ${a.workspaceId} AND subject_id = ${ids.grace}
            AND type = 'customer.company_changed'`,
    );
    expect(events).toHaveLength(3);
  });

  it('edits with optimistic concurrency and validates custom values with the customer field rules', async () => {
    const before = await company(ids.acme!);
    const res = await a.client.patch(`/api/v1/companies/${ids.acme}`, {
      version: before.version,
      netTermsDays: 45,
      custom: { segment: 'Hotel', vat_number: null },
    });
    expect(res.statusCode).toBe(200);
    const after = json<Detail>(res);
    expect(after).toMatchObject({
      netTermsDays: 45,
      version: before.version + 1,
      custom: { segment: 'Hotel' },
    });
    expect(after.custom).not.toHaveProperty('vat_number');
    expect(res.headers.etag).toBe(`"${before.version + 1}"`);

    const stale = await a.client.patch(`/api/v1/companies/${ids.acme}`, {
      version: before.version,
      name: 'Lost update',
    });
    expect(stale.statusCode).toBe(409);
    expect((await company(ids.acme!)).name).toBe('Acme Coffee');
    expect((await a.client.patch(`/api/v1/companies/${ids.acme}`, { name: 'No version' })).statusCode).toBe(
      428,
    );

    const audit = await rows<{ before: unknown; after: unknown }>(
      t.database.db,
      sql`SELECT before, after FROM audit_log WHERE workspace_id = ${a.workspaceId}
            AND action = 'company.updated' AND record_id = ${ids.acme}`,
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]!.after).toMatchObject({ netTermsDays: 45 });
  });

  it('refuses bad input, naming the field, and changes nothing', async () => {
    const before = await company(ids.acme!);
    const cases: [Record<string, unknown>, string][] = [
      [{ accountManagerUserId: '019a0000-0000-7000-8000-000000000000' }, 'accountManagerUserId'],
      [{ accountManagerUserId: ids.bOwner }, 'accountManagerUserId'],
      [{ size: 'huge' }, 'size'],
      [{ netTermsDays: -5 }, 'netTermsDays'],
      [{ netTermsDays: 400 }, 'netTermsDays'],
      [{ netTermsDays: 7.5 }, 'netTermsDays'],
      [{ priceTier: 'platinum' }, 'priceTier'],
      [{ domain: 'not a domain' }, 'domain'],
      [{ name: '' }, 'name'],
      [{ custom: { segment: 'Castle' } }, 'custom.segment'],
      [{ custom: { nope: 1 } }, 'custom.nope'],
    ];
    for (const [body, path] of cases) {
      const res = await a.client.patch(`/api/v1/companies/${ids.acme}`, { version: before.version, ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const problem = json<{ errors: { path: string; message: string }[] }>(res);
      expect(
        problem.errors.map((e) => e.path.replace(/^body\./, '')),
        JSON.stringify(body),
      ).toContain(path);
    }
    // a customer field's key is not a company field
    await a.client.post('/api/v1/custom-fields', { key: 'birthday', label: 'Birthday', type: 'date' });
    const wrongEntity = await a.client.patch(`/api/v1/companies/${ids.acme}`, {
      version: before.version,
      custom: { birthday: '2000-01-01' },
    });
    expect(wrongEntity.statusCode).toBe(400);
    const created = await a.client.post('/api/v1/companies', { name: 'Bad', size: '2-3' });
    expect(created.statusCode).toBe(400);
    const unchanged = await company(ids.acme!);
    expect(unchanged.version).toBe(before.version);
    expect(unchanged.custom).toEqual(before.custom);
    const named = json<{ data: { name: string }[] }>(await a.client.get('/api/v1/companies?q=Bad'));
    expect(named.data).toEqual([]);
  });

  it('lets read-only members look but not change, and sales staff change', async () => {
    const ro = await memberOf(t, a.client, 'read-only', 'ro@a.example');
    expect((await ro.client.get(`/api/v1/companies/${ids.acme}`)).statusCode).toBe(200);
    expect((await ro.client.post('/api/v1/companies', { name: 'Nope' })).statusCode).toBe(403);
    expect(
      (await ro.client.post(`/api/v1/companies/${ids.acme}/contacts`, { customerId: ids.linus })).statusCode,
    ).toBe(403);
    expect(
      (
        await ro.client.post(`/api/v1/customers/${ids.linus}/relations`, {
          relatedCustomerId: ids.ada,
          kind: 'household',
        })
      ).statusCode,
    ).toBe(403);
    const sales = salesClient;
    expect((await sales.post('/api/v1/companies', { name: 'Sold by Sam' })).statusCode).toBe(201);
    // only admins define company fields
    expect(
      (
        await sales.post('/api/v1/custom-fields', {
          entity: 'company',
          key: 'x',
          label: 'X',
          type: 'text',
        })
      ).statusCode,
    ).toBe(403);
  });

  it('deletes a company and removes its custom field values with the field', async () => {
    const gone = json<{ id: string }>(await a.client.post('/api/v1/companies', { name: 'Gone Soon' }));
    await a.client.post(`/api/v1/companies/${gone.id}/contacts`, { customerId: ids.linus });
    expect((await a.client.delete(`/api/v1/companies/${gone.id}`)).statusCode).toBe(200);
    expect((await a.client.get(`/api/v1/companies/${gone.id}`)).statusCode).toBe(404);
    expect((await get360(ids.linus!)).company).toBeNull();
    await drain();
    expect((await get360(ids.linus!)).timeline.data.map((i) => i.title)).toContain(
      'Unlinked from company Gone Soon',
    );

    const fields = json<{ data: { id: string; key: string; entity: string }[] }>(
      await a.client.get('/api/v1/custom-fields'),
    ).data;
    const segment = fields.find((f) => f.key === 'segment' && f.entity === 'company')!;
    expect((await a.client.delete(`/api/v1/custom-fields/${segment.id}`)).statusCode).toBe(200);
    expect((await company(ids.acme!)).custom).not.toHaveProperty('segment');
  });
});

describe('related contacts', () => {
  it('relates two customers, reads it from both sides and puts it on both timelines', async () => {
    const res = await a.client.post(`/api/v1/customers/${ids.ada}/relations`, {
      relatedCustomerId: ids.linus,
      kind: 'gift_recipient',
      note: 'Birthday in May',
    });
    expect(res.statusCode).toBe(201);
    expect(json<Relation>(res)).toMatchObject({
      kind: 'gift_recipient',
      direction: 'outgoing',
      label: 'Gift recipient',
      customer: { id: ids.linus },
    });
    await a.client.post(`/api/v1/customers/${ids.grace}/relations`, {
      relatedCustomerId: ids.ada,
      kind: 'household',
    });
    const ada = await get360(ids.ada!);
    expect(ada.relations.map((r) => [r.customer.id, r.label])).toEqual([
      [ids.linus, 'Gift recipient'],
      [ids.grace, 'Same household'],
    ]);
    const linus = json<{ data: Relation[] }>(await a.client.get(`/api/v1/customers/${ids.linus}/relations`));
    expect(linus.data).toHaveLength(1);
    expect(linus.data[0]).toMatchObject({
      direction: 'incoming',
      label: 'Gives gifts to them',
      customer: { id: ids.ada },
    });
    await drain();
    expect((await get360(ids.ada!)).timeline.data.map((i) => i.title)).toContain(
      'Related contact added: Linus (gift recipient)',
    );
    expect((await get360(ids.linus!)).timeline.data.map((i) => i.title)).toContain(
      'Related contact added: Ada (gives gifts to them)',
    );
  });

  it('refuses a relation to itself, a second one for the same pair, and unknown customers', async () => {
    const self = await a.client.post(`/api/v1/customers/${ids.ada}/relations`, {
      relatedCustomerId: ids.ada,
      kind: 'other',
    });
    expect(self.statusCode).toBe(422);
    expect(json<{ errors: { path: string }[] }>(self).errors[0]!.path).toBe('relatedCustomerId');
    // the same pair the other way round is the same relation
    const twice = await a.client.post(`/api/v1/customers/${ids.linus}/relations`, {
      relatedCustomerId: ids.ada,
      kind: 'household',
    });
    expect(twice.statusCode).toBe(409);
    expect(json<{ detail: string }>(twice).detail).toMatch(/already a related contact/);
    const foreign = await a.client.post(`/api/v1/customers/${ids.ada}/relations`, {
      relatedCustomerId: ids.theirs,
      kind: 'other',
    });
    expect(foreign.statusCode).toBe(422);
    const badKind = await a.client.post(`/api/v1/customers/${ids.ada}/relations`, {
      relatedCustomerId: ids.grace,
      kind: 'cousin',
    });
    expect(badKind.statusCode).toBe(400);
    expect((await get360(ids.ada!)).relations).toHaveLength(2);
  });

  it('removes a relation from either side', async () => {
    const [rel] = (await get360(ids.linus!)).relations;
    expect((await a.client.delete(`/api/v1/customers/${ids.grace}/relations/${rel!.id}`)).statusCode).toBe(
      404,
    );
    expect((await a.client.delete(`/api/v1/customers/${ids.linus}/relations/${rel!.id}`)).statusCode).toBe(
      200,
    );
    expect((await get360(ids.linus!)).relations).toEqual([]);
    expect((await get360(ids.ada!)).relations.map((r) => r.customer.id)).toEqual([ids.grace]);
  });
});

describe('relations added at once', () => {
  it('answers one 201 and one 409 when the same pair is added twice at the same moment', async () => {
    const items = [order('P1', 'pair1@a.example', 1_000), order('P2', 'pair2@a.example', 1_000)];
    expect((await a.client.post('/api/v1/orders/batch', { items })).statusCode).toBe(200);
    const [one, two] = await Promise.all(
      ['pair1@a.example', 'pair2@a.example'].map((e) => idOf(a.workspaceId, e)),
    );
    const add = (from: string, to: string) =>
      a.client.post(`/api/v1/customers/${from}/relations`, { relatedCustomerId: to, kind: 'household' });
    const codes = (await Promise.all([add(one!, two!), add(two!, one!)])).map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409]);
    expect((await get360(one!)).relations).toHaveLength(1);
  });
});

describe('merging customers', () => {
  it('carries the company, related contacts, notes and the timeline to the survivor', async () => {
    const items = [
      order('M1', 'mia@work.example', 1_000, 'Mia'),
      order('M2', 'mia.home@home.example', 1_000, 'Mia'),
      order('N1', 'noah@home.example', 1_000, 'Noah'),
    ];
    expect((await a.client.post('/api/v1/orders/batch', { items })).statusCode).toBe(200);
    await drain();
    const [work, home, noah] = await Promise.all(
      ['mia@work.example', 'mia.home@home.example', 'noah@home.example'].map((e) => idOf(a.workspaceId, e)),
    );
    const acme = json<{ id: string }>(await a.client.post('/api/v1/companies', { name: 'Mia Works' })).id;
    expect((await a.client.post(`/api/v1/companies/${acme}/contacts`, { customerId: home })).statusCode).toBe(
      200,
    );
    // home is related to noah and to work; work is related to noah too (kept once after the merge)
    for (const [from, to] of [
      [home, noah],
      [home, work],
      [work, noah],
    ])
      expect(
        (
          await a.client.post(`/api/v1/customers/${from}/relations`, {
            relatedCustomerId: to,
            kind: 'household',
          })
        ).statusCode,
      ).toBe(201);
    await a.client.post(`/api/v1/customers/${home}/notes`, {
      body: 'Prefers delivery on Fridays',
      pinned: true,
    });
    expect((await a.client.post(`/api/v1/customers/${work}/merge`, { mergeId: home })).statusCode).toBe(200);
    await drain();
    const after = json<C360 & { notes: { body: string }[] }>(
      await a.client.get(`/api/v1/customers/${work}/360`),
    );
    expect(after.company?.id).toBe(acme);
    expect(after.relations.map((r) => r.customer.id)).toEqual([noah]);
    expect(after.notes.map((n) => n.body)).toContain('Prefers delivery on Fridays');
    expect((await get360(noah!)).relations.map((r) => r.customer.id)).toEqual([work]);
    expect(after.timeline.data.map((i) => i.title)).toContain('Linked to company Mia Works');
  });
});

describe('isolation', () => {
  it("never shows or changes another workspace's companies and relations", async () => {
    expect((await a.client.get(`/api/v1/companies/${ids.theirCompany}`)).statusCode).toBe(404);
    expect(
      (await a.client.patch(`/api/v1/companies/${ids.theirCompany}`, { version: 1, name: 'Taken' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await a.client.post(`/api/v1/companies/${ids.theirCompany}/contacts`, { customerId: ids.ada }))
        .statusCode,
    ).toBe(404);
    expect(
      (await a.client.post(`/api/v1/companies/${ids.acme}/contacts`, { customerId: ids.theirs })).statusCode,
    ).toBe(404);
    expect((await a.client.get(`/api/v1/customers/${ids.theirs}/relations`)).statusCode).toBe(404);
    const theirs = json<{ name: string; version: number }>(
      await b.client.get(`/api/v1/companies/${ids.theirCompany}`),
    );
    expect(theirs).toMatchObject({ name: 'Secret B Ltd', version: 1 });
    const list = await a.client.get('/api/v1/companies?q=secret');
    expect(json<{ data: unknown[] }>(list).data).toEqual([]);
  });
});
