// Custom fields in the customer list over the API: cf.<key> filters of every type, ranges, sorting
// with keyset paging, bad parameters named in the 400, saved views keeping columns and custom filters.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { IMPORT_QUEUE, runImport } from '../imports/imports.service.ts';

let t: TestApp;
let a: Awaited<ReturnType<typeof ownerOf>>;
let b: Awaited<ReturnType<typeof ownerOf>>;

type Page = { data: { email: string; custom: Record<string, unknown> }[]; nextCursor: string | null };
type Problem = { detail: string; errors: { path: string; message: string }[] };

const people: Record<string, Record<string, unknown>> = {
  'ada@a.example': {
    plan: 'pro',
    vip: true,
    interests: ['coffee', 'tea'],
    credit: 12_500,
    renewal: '2025-03-01',
    visits: 7,
    site: 'https://ada.example',
    note: 'Prefers Mornings',
  },
  'bo@a.example': { plan: 'basic', vip: false, interests: ['tea'], credit: 500, renewal: '2025-01-15' },
  'cy@a.example': { plan: 'pro', interests: ['cocoa'], credit: -200, visits: 2.5 },
  'di@a.example': { plan: 'enterprise', vip: true, credit: 99_000, renewal: '2026-07-30', visits: 40 },
  'ed@a.example': {},
};

const emails = async (query: string, client = a.client) => {
  const res = await client.get(`/api/v1/customers?${query}`);
  expect(res.statusCode, `${query}: ${res.body}`).toBe(200);
  return json<Page>(res)
    .data.map((c) => c.email)
    .sort();
};

beforeAll(async () => {
  t = await startTestApp();
  a = await ownerOf(t, 'Shop A');
  b = await ownerOf(t, 'Shop B');
  for (const f of [
    { key: 'plan', label: 'Plan', type: 'select', options: ['basic', 'pro', 'enterprise'] },
    { key: 'vip', label: 'VIP', type: 'boolean' },
    { key: 'interests', label: 'Interests', type: 'multi_select', options: ['coffee', 'tea', 'cocoa'] },
    { key: 'credit', label: 'Store credit', type: 'money' },
    { key: 'renewal', label: 'Renewal date', type: 'date' },
    { key: 'visits', label: 'Visits', type: 'number' },
    { key: 'site', label: 'Website', type: 'url' },
    { key: 'note', label: 'Note', type: 'text' },
  ])
    expect((await a.client.post('/api/v1/custom-fields', f)).statusCode).toBe(201);
  const items = Object.keys(people).map((email) => ({
    externalId: email,
    email,
    firstName: email.split('@')[0],
    updatedAt: '2025-01-01T00:00:00.000Z',
  }));
  expect((await a.client.post('/api/v1/customers/batch', { items })).statusCode).toBe(200);
  expect(
    (
      await b.client.post('/api/v1/customers/batch', {
        items: [{ externalId: 'x', email: 'secret@b.example', updatedAt: '2025-01-01T00:00:00.000Z' }],
      })
    ).statusCode,
  ).toBe(200);
  const list = json<Page & { data: { id: string; version: number; email: string }[] }>(
    await a.client.get('/api/v1/customers?limit=50'),
  ).data;
  for (const c of list) {
    const custom = people[c.email]!;
    if (Object.keys(custom).length === 0) continue;
    const res = await a.client.patch(`/api/v1/customers/${c.id}`, { version: c.version, custom });
    expect(res.statusCode, res.body).toBe(200);
  }
});
afterAll(() => t?.close());

describe('custom fields in the customer list', () => {
  it('filters by each type: equality, contains, ranges, together with the other filters', async () => {
    expect(await emails('cf.plan=pro')).toEqual(['ada@a.example', 'cy@a.example']);
    expect(await emails('cf.plan=PRO')).toEqual(['ada@a.example', 'cy@a.example']);
    expect(await emails('cf.vip=true')).toEqual(['ada@a.example', 'di@a.example']);
    expect(await emails('cf.vip=false')).toEqual(['bo@a.example']);
    expect(await emails('cf.interests=tea')).toEqual(['ada@a.example', 'bo@a.example']);
    expect(await emails('cf.credit.min=500')).toEqual(['ada@a.example', 'bo@a.example', 'di@a.example']);
    expect(await emails('cf.credit.min=501&cf.credit.max=99000')).toEqual(['ada@a.example', 'di@a.example']);
    expect(await emails('cf.credit.max=0')).toEqual(['cy@a.example']);
    expect(await emails('cf.credit=500')).toEqual(['bo@a.example']);
    expect(await emails('cf.renewal.min=2025-02-01&cf.renewal.max=2026-12-31')).toEqual([
      'ada@a.example',
      'di@a.example',
    ]);
    expect(await emails('cf.renewal=2025-01-15')).toEqual(['bo@a.example']);
    expect(await emails('cf.visits.min=2.5&cf.visits.max=7')).toEqual(['ada@a.example', 'cy@a.example']);
    expect(await emails('cf.site=https%3A%2F%2FADA.example')).toEqual(['ada@a.example']);
    expect(await emails('cf.note=prefers%20mornings')).toEqual(['ada@a.example']);
    // with the list's own filters and each other
    expect(await emails('cf.plan=pro&cf.vip=true')).toEqual(['ada@a.example']);
    expect(await emails('cf.plan=pro&minOrders=1')).toEqual([]);
    // an empty value is no filter
    expect(await emails('cf.plan=')).toHaveLength(5);
    // text is bound, never spliced into the SQL
    expect(await emails(`cf.note=${encodeURIComponent("x' OR '1'='1")}`)).toEqual([]);
    expect(await emails(`cf.note=${encodeURIComponent("'; DROP TABLE customers; --")}`)).toEqual([]);
    expect(await emails('limit=50')).toHaveLength(5);
  });

  it('sorts by a custom field with stable keyset paging, customers without a value last', async () => {
    const walk = async (sort: string, dir: 'asc' | 'desc') => {
      const seen: string[] = [];
      let cursor: string | null = '';
      for (let n = 0; cursor !== null && n < 10; n++) {
        const res = await a.client.get(
          `/api/v1/customers?limit=2&sort=${sort}&dir=${dir}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(res.statusCode, res.body).toBe(200);
        const page = json<Page>(res);
        seen.push(...page.data.map((c) => c.email.split('@')[0]!));
        cursor = page.nextCursor;
      }
      return seen;
    };
    expect(await walk('cf.credit', 'desc')).toEqual(['di', 'ada', 'bo', 'cy', 'ed']);
    expect(await walk('cf.credit', 'asc')).toEqual(['ed', 'cy', 'bo', 'ada', 'di']);
    // ties (no value) follow the id, so only their place is fixed
    const renewal = await walk('cf.renewal', 'asc');
    expect(renewal.slice(0, 2).sort()).toEqual(['cy', 'ed']);
    expect(renewal.slice(2)).toEqual(['bo', 'ada', 'di']);
    const visits = await walk('cf.visits', 'desc');
    expect(visits.slice(0, 3)).toEqual(['di', 'ada', 'cy']);
    expect(visits.slice(3).sort()).toEqual(['bo', 'ed']);
    // filtered and sorted at once
    const res = await a.client.get('/api/v1/customers?cf.plan=pro&sort=cf.credit&dir=asc');
    expect(json<Page>(res).data.map((c) => c.email)).toEqual(['cy@a.example', 'ada@a.example']);
  });

  it('sorts by stage (in lifecycle order), tier and country too', async () => {
    const set = {
      ada: ['loyal', 'gold'],
      bo: ['lead', 'bronze'],
      cy: ['churned', null],
      di: ['customer', 'silver'],
    };
    for (const [who, [stage, tier]] of Object.entries(set))
      await t.database.db.execute(
        sql`UPDATE customers SET lifecycle_stage = ${stage}, tier = ${tier}, country = ${who === 'di' ? null : `${who}-land`}
             WHERE workspace_id = ${a.workspaceId} AND email = ${`${who}@a.example`}`,
      );
    const order = async (sort: string, dir = 'asc') =>
      json<Page>(await a.client.get(`/api/v1/customers?sort=${sort}&dir=${dir}&limit=3`)).data.map(
        (c) => c.email.split('@')[0],
      );
    // no stage (ed) first, then lead → customer → loyal → churned
    expect(await order('stage')).toEqual(['ed', 'bo', 'di']);
    expect(await order('stage', 'desc')).toEqual(['cy', 'ada', 'di']);
    expect(await order('tier', 'desc')).toEqual(['ada', 'di', 'bo']);
    expect((await order('country', 'desc')).slice(0, 2)).toEqual(['cy', 'bo']);
  });

  it('refuses unknown keys and values of the wrong type, naming the parameter and the field', async () => {
    const cases: [string, string, RegExp][] = [
      ['cf.shoe_size=44', 'querystring.cf.shoe_size', /no custom field has the key shoe_size/],
      ['cf.plan=platinum', 'querystring.cf.plan', /^Plan: expected one of: basic, pro, enterprise/],
      ['cf.plan.min=pro', 'querystring.cf.plan.min', /^Plan: a range applies to number, money and date/],
      ['cf.vip=maybe', 'querystring.cf.vip', /^VIP: expected true or false/],
      ['cf.interests=juice', 'querystring.cf.interests', /^Interests: expected any of/],
      ['cf.credit.min=12.50', 'querystring.cf.credit.min', /^Store credit: expected a number in minor units/],
      ['cf.visits=lots', 'querystring.cf.visits', /^Visits: expected a number/],
      ['cf.renewal.max=2025-13-45', 'querystring.cf.renewal.max', /^Renewal date: not a real date/],
      ['cf.renewal=01%2F03%2F2025', 'querystring.cf.renewal', /^Renewal date: expected a date as YYYY-MM-DD/],
      ['cf.site=javascript%3Aalert(1)', 'querystring.cf.site', /^Website: /],
      ['cf.plan.between=1', 'querystring.cf.plan.between', /expected cf.<field key>/],
      ['sort=cf.shoe_size', 'querystring.sort', /no custom field has the key shoe_size/],
    ];
    for (const [query, path, message] of cases) {
      const res = await a.client.get(`/api/v1/customers?${query}`);
      expect(res.statusCode, query).toBe(400);
      const p = json<Problem>(res);
      expect(p.errors[0]!.path, query).toBe(path);
      expect(p.errors[0]!.message, query).toMatch(message);
    }
    // a sort that is neither a column nor cf.<key> is refused by the schema
    const odd = await a.client.get('/api/v1/customers?sort=cf.Bad%20Key');
    expect(odd.statusCode).toBe(400);
    expect(odd.body).toMatch(/sort/);
    // one value per parameter
    expect((await a.client.get('/api/v1/customers?cf.plan=pro&cf.plan=basic')).statusCode).toBe(400);
  });

  it("does not see another workspace's fields or customers", async () => {
    // B has no field "plan": its key is unknown there, and A's customers never show
    const res = await b.client.get('/api/v1/customers?cf.plan=pro');
    expect(res.statusCode).toBe(400);
    expect(await emails('limit=50', b.client)).toEqual(['secret@b.example']);
  });

  it('exports custom fields to CSV and imports them back, a bad value failing only its row', async () => {
    const all = json<{ data: { id: string; email: string }[] }>(await a.client.get('/api/v1/customers')).data;
    const ada = all.find((c) => c.email === 'ada@a.example')!;
    const csv = await a.client.post('/api/v1/customers/export', { ids: [ada.id] });
    const [head, line] = csv.body.trim().split('\n');
    expect(head).toMatch(/,tags,plan,vip,interests,credit,renewal,visits,site,note$/);
    // money in major units, several options joined by |
    expect(line).toMatch(
      /,pro,true,coffee\|tea,125\.00,2025-03-01,7,https:\/\/ada\.example,Prefers Mornings$/,
    );

    const file =
      'Email,Plan,Store credit,Interests,VIP\n' +
      'ada@a.example,basic,99.95,tea,no\n' +
      'new@a.example,Enterprise,,coffee|cocoa,yes\n' +
      'bo@a.example,gold,1.00,,\n';
    const made = json<{ id: string }>(
      await a.client.post('/api/v1/imports', { kind: 'customers', filename: 'fields.csv' }),
    );
    const up = await a.client.request({
      method: 'PUT',
      url: `/api/v1/imports/${made.id}/file`,
      headers: { 'content-type': 'text/csv' },
      payload: file,
    });
    expect(up.statusCode, up.body).toBe(200);
    const detected = json<{ mapping: Record<string, string | null> }>(up).mapping;
    expect(detected).toMatchObject({
      email: 'Email',
      'custom.plan': 'Plan',
      'custom.credit': 'Store credit',
      'custom.interests': 'Interests',
      'custom.vip': 'VIP',
    });
    const fieldsList = json<{ fields: { field: string; label: string }[] }>(
      await a.client.get('/api/v1/imports/fields/customers'),
    ).fields;
    expect(fieldsList).toContainEqual({ field: 'custom.credit', label: 'Store credit', required: false });
    // a mapping naming a custom field the workspace does not have is refused
    const wrong = await a.client.post(`/api/v1/imports/${made.id}/start`, {
      mapping: { ...detected, 'custom.shoe_size': 'Plan' },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(/custom.shoe_size/);
    // the queue the worker would create (no worker runs here; the import is run below instead)
    await t.rt.jobs.boss.createQueue(IMPORT_QUEUE);
    const start = await a.client.post(`/api/v1/imports/${made.id}/start`, { mapping: detected });
    expect(start.statusCode, start.body).toBe(200);
    const done = await runImport(t.database.db, a.workspaceId, made.id);
    expect(done.status).toBe('done');
    expect(done.counts).toMatchObject({
      rowsRead: 3,
      rowsFailed: 1,
      customersCreated: 1,
      customersUpdated: 1,
    });
    const errors = await a.client.get(`/api/v1/imports/${made.id}/errors.csv`);
    expect(errors.body).toContain('4,error,"Plan: expected one of: basic, pro, enterprise"');
    const after = json<Page>(await a.client.get('/api/v1/customers?limit=50')).data;
    const custom = (email: string) => after.find((c) => c.email === email)!.custom;
    // imported values merge into what the customer had; the other fields stay
    expect(custom('ada@a.example')).toMatchObject({
      plan: 'basic',
      credit: 9995,
      interests: ['tea'],
      vip: false,
      renewal: '2025-03-01',
    });
    expect(custom('new@a.example')).toEqual({
      plan: 'enterprise',
      interests: ['coffee', 'cocoa'],
      vip: true,
    });
    // the failed row changed nothing
    expect(custom('bo@a.example')).toEqual(people['bo@a.example']);
    // and the list filters see the imported values
    expect(await emails('cf.plan=enterprise')).toEqual(['di@a.example', 'new@a.example']);
  });

  it('keeps the shown columns and custom filters in a saved view, and refuses ones the list would', async () => {
    const params = { columns: 'stage,spent,cf.plan,cf.credit', 'cf.vip': 'true', sort: 'cf.credit' };
    const made = await a.client.post('/api/v1/views', { name: 'VIP credit', params });
    expect(made.statusCode, made.body).toBe(201);
    const views = json<{ data: { name: string; params: Record<string, string> }[] }>(
      await a.client.get('/api/v1/views'),
    ).data;
    expect(views.find((v) => v.name === 'VIP credit')!.params).toEqual(params);
    const bad: [Record<string, string>, string][] = [
      [{ columns: 'stage,shoe_size' }, 'params.columns'],
      [{ columns: 'cf.shoe_size' }, 'params.columns'],
      [{ 'cf.shoe_size': '44' }, 'params.cf.shoe_size'],
      [{ 'cf.vip': 'maybe' }, 'params.cf.vip'],
      [{ sort: 'cf.shoe_size' }, 'params.sort'],
    ];
    for (const [p, path] of bad) {
      const res = await a.client.post('/api/v1/views', { name: 'bad', params: p });
      expect(res.statusCode, JSON.stringify(p)).toBe(400);
      expect(json<Problem>(res).errors[0]!.path).toBe(path);
    }
    const after = json<{ data: unknown[] }>(await a.client.get('/api/v1/views')).data;
    expect(after).toHaveLength(1);
  });
});
