// The second lock: row-level security admits only the current workspace's rows, even to SQL that
// forgets its WHERE clause, and refuses rows written into another workspace.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inWorkspace, rows } from '../src/platform/db.ts';
import { newId } from '../src/platform/tokens.ts';
import { ownerOf, startTestApp, type TestApp } from './harness.ts';

let t: TestApp;
let a: Awaited<ReturnType<typeof ownerOf>>;
let b: Awaited<ReturnType<typeof ownerOf>>;
beforeAll(async () => {
  t = await startTestApp();
  a = await ownerOf(t, 'RLS A');
  b = await ownerOf(t, 'RLS B');
  for (const o of [a, b]) {
    await o.client.post('/api/v1/orders/batch', {
      items: [
        {
          externalId: `o-${o.workspaceId}`,
          number: '1',
          currency: 'USD',
          totalMinor: 100,
          customer: { email: 'same@example.com' },
          placedAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
        },
        {
          externalId: `o2-${o.workspaceId}`,
          number: '2',
          currency: 'USD',
          totalMinor: 100,
          customer: { email: 'other@example.com' },
          placedAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
        },
      ],
    });
    // a company and a related contact in each workspace (migration 0012)
    const ids = (await o.client.get('/api/v1/customers').then((r) => r.json())) as { data: { id: string }[] };
    const company = (await o.client
      .post('/api/v1/companies', { name: 'Same name' })
      .then((r) => r.json())) as {
      id: string;
    };
    await o.client.post(`/api/v1/companies/${company.id}/contacts`, { customerId: ids.data[0]!.id });
    await o.client.post(`/api/v1/customers/${ids.data[0]!.id}/relations`, {
      relatedCustomerId: ids.data[1]!.id,
      kind: 'household',
    });
  }
});
afterAll(() => t?.close());

describe('row-level security', () => {
  it('guards every table that holds workspace rows with a policy', async () => {
    // a new tenant table without RLS fails here, so the second lock cannot be forgotten
    const unguarded = await rows<{ table: string }>(
      t.database.db,
      sql`SELECT c.relname AS "table"
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'workspace_id' AND NOT a.attisdropped
           WHERE c.relkind = 'r'
             AND (NOT c.relrowsecurity OR NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
           ORDER BY 1`,
    );
    // sessions belong to a user; their workspace_id is only the workspace the user is looking at, and
    // they are read before any workspace is chosen
    expect(unguarded.map((r) => r.table)).toEqual(['sessions']);
  });

  it('shows a workspace transaction only its own rows, whatever the query', async () => {
    for (const table of [
      'workspaces',
      'memberships',
      'audit_log',
      'events',
      'orders',
      'customers',
      'customer_identities',
      'companies',
      'customer_relations',
    ]) {
      const seen = await inWorkspace(t.database.db, a.workspaceId, (tx) =>
        rows<{ ws: string }>(
          tx,
          sql.raw(`SELECT ${table === 'workspaces' ? 'id' : 'workspace_id'}::text AS ws FROM ${table}`),
        ),
      );
      expect(seen.length, table).toBeGreaterThan(0);
      expect([...new Set(seen.map((r) => r.ws))], table).toEqual([a.workspaceId]);
    }
    // outside a workspace transaction (the platform's own work) both are there
    const all = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(DISTINCT workspace_id)::text AS n FROM orders`,
    );
    expect(Number(all[0]!.n)).toBeGreaterThanOrEqual(2);
  });

  it("refuses to write a row into another workspace, and to change another workspace's rows", async () => {
    await expect(
      inWorkspace(t.database.db, a.workspaceId, (tx) =>
        tx.execute(
          sql`INSERT INTO audit_log (workspace_id, id, action, record_type) VALUES (${b.workspaceId}, ${newId()}, 'forged', 'x')`,
        ),
      ),
    ).rejects.toThrow();
    const changed = await inWorkspace(t.database.db, a.workspaceId, (tx) =>
      rows<{ id: string }>(
        tx,
        sql`UPDATE orders SET total_minor = 0 WHERE workspace_id = ${b.workspaceId} RETURNING id`,
      ),
    );
    expect(changed).toEqual([]);
    const bTotal = await rows<{ t: string }>(
      t.database.db,
      sql`SELECT total_minor::text AS t FROM orders WHERE workspace_id = ${b.workspaceId}`,
    );
    expect(bTotal[0]!.t).toBe('100');
    // the new tables of migration 0012 alike: no forged rows, no changes to B's
    await expect(
      inWorkspace(t.database.db, a.workspaceId, (tx) =>
        tx.execute(
          sql`INSERT INTO companies (workspace_id, id, name) VALUES (${b.workspaceId}, ${newId()}, 'Forged')`,
        ),
      ),
    ).rejects.toThrow();
    const renamed = await inWorkspace(t.database.db, a.workspaceId, (tx) =>
      rows<{ id: string }>(
        tx,
        sql`UPDATE companies SET name = 'Taken' WHERE workspace_id = ${b.workspaceId} RETURNING id`,
      ),
    );
    expect(renamed).toEqual([]);
    const removed = await inWorkspace(t.database.db, a.workspaceId, (tx) =>
      rows<{ id: string }>(
        tx,
        sql`DELETE FROM customer_relations WHERE workspace_id = ${b.workspaceId} RETURNING id`,
      ),
    );
    expect(removed).toEqual([]);
    const bRows = await rows<{ n: number }>(
      t.database.db,
      sql`SELECT (SELECT count(*) FROM customer_relations WHERE workspace_id = ${b.workspaceId})::int
               + (SELECT count(*) FROM companies WHERE workspace_id = ${b.workspaceId} AND name = 'Same name')::int AS n`,
    );
    expect(bRows[0]!.n).toBe(2);
  });
});
