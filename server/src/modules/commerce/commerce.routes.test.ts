// The batch API, reads, merges and tracking through HTTP, with bad input and roles.
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, memberOf, onServer, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';
import { rows } from '../../platform/db.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof ownerOf>>;
beforeAll(async () => {
  t = await startTestApp();
  owner = await ownerOf(t, 'Batch Store');
});
afterAll(() => t?.close());

const order = (id: string, extra: Record<string, unknown> = {}) => ({
  externalId: id,
  number: `#${id}`,
  currency: 'EUR',
  totalMinor: 2500,
  lines: [{ title: 'Mug', sku: 'MUG-1', quantity: 2, unitPriceMinor: 1250 }],
  customer: { email: 'Carla@Example.com', firstName: 'Carla' },
  placedAt: '2026-01-05T10:00:00Z',
  updatedAt: '2026-01-05T10:00:00Z',
  ...extra,
});

describe('batch API', () => {
  it('upserts idempotently by external id, and an older update never wins', async () => {
    const first = await owner.client.post('/api/v1/orders/batch', { items: [order('A1'), order('A2')] });
    expect(first.statusCode).toBe(200);
    expect(json<{ results: { status: string }[] }>(first).results.map((r) => r.status)).toEqual([
      'created',
      'created',
    ]);
    const again = json<{ results: { status: string }[] }>(
      await owner.client.post('/api/v1/orders/batch', { items: [order('A1')] }),
    );
    expect(again.results[0]!.status).toBe('stale');
    const newer = await owner.client.post('/api/v1/orders/batch', {
      items: [order('A1', { totalMinor: 3000, updatedAt: '2026-01-06T00:00:00Z' })],
    });
    expect(json<{ results: { status: string }[] }>(newer).results[0]!.status).toBe('updated');
    const older = await owner.client.post('/api/v1/orders/batch', {
      items: [order('A1', { totalMinor: 1, updatedAt: '2026-01-05T12:00:00Z' })],
    });
    expect(json<{ results: { status: string }[] }>(older).results[0]!.status).toBe('stale');
    const list = json<{ data: { externalId: string; totalMinor: number; customerEmail: string }[] }>(
      await owner.client.get('/api/v1/orders?q=A1'),
    );
    expect(list.data).toEqual([
      expect.objectContaining({ externalId: 'A1', totalMinor: 3000, customerEmail: 'carla@example.com' }),
    ]);
    // its history: placed at the store's time, then the update when Patron received it
    const { id } = (list.data as unknown as { id: string }[])[0]!;
    const detail = json<{ history: { type: string; at: string }[] }>(
      await owner.client.get(`/api/v1/orders/${id}`),
    );
    expect(detail.history.map((h) => h.type)).toEqual(['order.placed', 'order.updated']);
    expect(detail.history[0]!.at).toBe('2026-01-05T10:00:00.000Z');
    expect(Date.now() - new Date(detail.history[1]!.at).getTime()).toBeLessThan(60_000);
  });

  it('refuses a batch with one bad item, naming it, and stores none of it', async () => {
    const res = await owner.client.post('/api/v1/orders/batch', {
      items: [order('B1'), order('B2', { totalMinor: 'lots' }), order('B3', { currency: 'euro' })],
    });
    expect(res.statusCode).toBe(400);
    const problem = json<{ code: string; errors: { path: string }[] }>(res);
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['body.items.1.totalMinor', 'body.items.2.currency']),
    );
    expect(json<{ data: unknown[] }>(await owner.client.get('/api/v1/orders?q=B1')).data).toEqual([]);
    expect((await owner.client.post('/api/v1/orders/batch', { items: [] })).statusCode).toBe(400);
  });

  it('records refunds and keeps the customer’s metrics net of them', async () => {
    const res = await owner.client.post('/api/v1/refunds/batch', {
      items: [
        {
          externalId: 'R1',
          orderExternalId: 'A1',
          amountMinor: 500,
          currency: 'EUR',
          createdAt: '2026-01-07T00:00:00Z',
        },
      ],
    });
    expect(json<{ results: { status: string }[] }>(res).results[0]!.status).toBe('created');
    const again = await owner.client.post('/api/v1/refunds/batch', {
      items: [
        {
          externalId: 'R1',
          orderExternalId: 'A1',
          amountMinor: 500,
          currency: 'EUR',
          createdAt: '2026-01-07T00:00:00Z',
        },
      ],
    });
    expect(json<{ results: { status: string }[] }>(again).results[0]!.status).toBe('unchanged');
    const { drainEvents } = await import('../../platform/events.ts');
    const { allEventHandlers } = await import('../../runtime.ts');
    await drainEvents(t.database.db, allEventHandlers(), t.rt.log);
    const c = json<{
      data: { ordersCount: number; totalSpentMinor: number; refundedMinor: number; aovMinor: number }[];
    }>(await owner.client.get('/api/v1/customers?q=carla'));
    expect(c.data[0]).toMatchObject({
      ordersCount: 2,
      totalSpentMinor: 3000 + 2500 - 500,
      refundedMinor: 500,
      aovMinor: 2750,
    });
  });

  it('merges duplicate customers with an audited history', async () => {
    await owner.client.post('/api/v1/customers/batch', {
      items: [
        {
          externalId: 'c-1',
          email: 'dup1@example.com',
          firstName: 'Dana',
          updatedAt: '2026-01-01T00:00:00Z',
          tags: ['vip'],
        },
        {
          externalId: 'c-2',
          email: 'dup2@example.com',
          phone: '+44 20 7946 0000',
          updatedAt: '2026-01-01T00:00:00Z',
          tags: ['wholesale'],
        },
      ],
    });
    const all = json<{ data: { id: string; email: string }[] }>(
      await owner.client.get('/api/v1/customers?q=dup'),
    );
    const a = all.data.find((c) => c.email === 'dup1@example.com')!;
    const b = all.data.find((c) => c.email === 'dup2@example.com')!;
    const merged = await owner.client.post(`/api/v1/customers/${a.id}/merge`, { mergeId: b.id });
    expect(merged.statusCode).toBe(200);
    expect(json<{ phone: string; tags: string[] }>(merged)).toMatchObject({
      phone: '+442079460000',
      tags: ['vip', 'wholesale'],
    });
    expect(
      json<{ data: { id: string }[] }>(await owner.client.get('/api/v1/customers?q=dup')).data.map(
        (c) => c.id,
      ),
    ).toEqual([a.id]);
    // an order for the merged address now lands on the survivor
    await owner.client.post('/api/v1/orders/batch', {
      items: [order('M1', { customer: { email: 'dup2@example.com' } })],
    });
    expect(
      json<{ data: { customerId: string }[] }>(await owner.client.get('/api/v1/orders?q=M1')).data[0]!
        .customerId,
    ).toBe(a.id);
    const audit = json<{ data: { action: string }[] }>(
      await owner.client.get('/api/v1/audit-log?action=customer.merged'),
    );
    expect(audit.data).toHaveLength(1);
    expect((await owner.client.post(`/api/v1/customers/${a.id}/merge`, { mergeId: a.id })).statusCode).toBe(
      422,
    );
  });

  it('lets only roles that may write send data', async () => {
    const readOnly = await memberOf(t, owner.client, 'read-only');
    const refused = { items: [order('X1', { customer: { email: 'refused@example.com' } })] };
    expect((await readOnly.client.post('/api/v1/orders/batch', refused)).statusCode).toBe(403);
    // nothing of a refused batch is kept, not even the new person it names
    expect(json<{ data: unknown[] }>(await owner.client.get('/api/v1/customers?q=refused')).data).toEqual([]);
    expect((await readOnly.client.get('/api/v1/orders')).statusCode).toBe(200);
    const support = await memberOf(t, owner.client, 'support');
    expect((await support.client.post('/api/v1/orders/batch', { items: [order('X2')] })).statusCode).toBe(
      403,
    );
    expect(
      (
        await support.client.post('/api/v1/customers/batch', {
          items: [{ externalId: 's1', email: 's1@example.com', updatedAt: '2026-01-01T00:00:00Z' }],
        })
      ).statusCode,
    ).toBe(200);
  });

  // Two connections at once: the embedded database has one.
  it.skipIf(!onServer)(
    'lets a batch naming a new person go on while another batch naming them waits (ADR 0010)',
    async () => {
      const email = 'both-batches@example.com';
      const post = (items: unknown[]) => owner.client.post('/api/v1/orders/batch', { items });
      expect((await post([order('W1')])).statusCode).toBe(200);
      // another session holds order W1, so a batch that updates W1 waits for it
      let release!: () => void;
      const released = new Promise<void>((r) => {
        release = r;
      });
      let held!: () => void;
      const holding = new Promise<void>((r) => {
        held = r;
      });
      const holder = t.database.db.transaction(async (tx) => {
        await tx.execute(sql`SELECT 1 FROM orders WHERE external_id = 'W1' FOR UPDATE`);
        held();
        await released;
      });
      try {
        await holding;
        const waiting = post([
          order('W1', { customer: { email }, updatedAt: '2026-01-07T00:00:00Z' }),
          order('W2', { customer: { email } }),
        ]);
        // until that batch waits on the row
        for (let i = 0; i < 100; i++) {
          const [w] = await rows<{ n: string }>(
            t.database.db,
            sql`SELECT count(*)::text AS n FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          );
          if (w!.n !== '0') break;
          await sleep(50);
        }
        // a batch naming the same new person does not wait for the other batch's end
        const other = post([order('W3', { customer: { email } })]);
        const first = await Promise.race([other, sleep(5000).then(() => 'still waiting')]);
        expect(first).not.toBe('still waiting');
        expect((first as Awaited<typeof other>).statusCode).toBe(200);
        release();
        expect((await waiting).statusCode).toBe(200);
      } finally {
        release();
        await holder;
      }
      const people = json<{ data: { id: string; ordersCount: number }[] }>(
        await owner.client.get(`/api/v1/customers?q=${email}`),
      );
      expect(people.data).toHaveLength(1);
      const [named] = await rows<{ n: string }>(
        t.database.db,
        sql`SELECT count(*)::text AS n FROM orders WHERE customer_id = ${people.data[0]!.id}`,
      );
      expect(named!.n).toBe('3');
    },
  );
});

describe('tracking', () => {
  it('records events by public key, links the visitor once identified, and is open to other sites', async () => {
    const { key } = json<{ key: string }>(await owner.client.get('/api/v1/tracking'));
    const track = (body: Record<string, unknown>, contentType = 'text/plain') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/track',
        headers: { 'content-type': contentType, origin: 'https://shop.example' },
        payload: JSON.stringify({ key, visitorId: 'visitor-123456', ...body }),
      });
    const viewed = await track({
      type: 'product_viewed',
      productId: '632910392',
      url: 'https://shop.example/p/ipod',
    });
    expect(viewed.statusCode).toBe(202);
    expect(viewed.headers['access-control-allow-origin']).toBe('*');
    expect(
      (await track({ type: 'identify', email: 'carla@example.com' }, 'application/json')).statusCode,
    ).toBe(202);
    const { rows } = await import('../../platform/db.ts');
    const { sql } = await import('drizzle-orm');
    const linked = await rows<{ customer_id: string | null }>(
      t.database.db,
      sql`SELECT customer_id FROM browsing_events WHERE visitor_id = 'visitor-123456'`,
    );
    expect(linked).toHaveLength(2);
    expect(linked.every((r) => r.customer_id)).toBe(true);
    expect((await track({ type: 'page_viewed', key: 'pk_wrong_key_0000' })).statusCode).toBe(401);
    expect((await track({ type: 'teleported' })).statusCode).toBe(400);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/track',
          headers: { 'content-type': 'text/plain' },
          payload: '{nope',
        })
      ).statusCode,
    ).toBe(400);
    const snippet = await t.app.inject({ method: 'GET', url: '/t.js' });
    expect(snippet.statusCode).toBe(200);
    expect(snippet.body).toContain('/api/v1/track');
  });
});
