// Customer reads on the seeded store, each measured three ways in the same run: through the app's
// service function (in a workspace transaction, row-level security on), through the HTTP API (when
// a signed-in session is available), and as the bare SQL the service runs, through the driver (the
// ceiling). Read-only.

import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Role } from '../../contracts/roles.ts';
import { listCustomers } from '../../server/src/modules/commerce/commerce.service.ts';
import { searchHitsSql, searchWordsSql } from '../../server/src/modules/commerce/search.ts';
import { get360 } from '../../server/src/modules/customers/customers.service.ts';
import type { WorkspaceCtx } from '../../server/src/platform/context.ts';
import { type Db, inWorkspace } from '../../server/src/platform/db.ts';
import {
  type BenchContext,
  bareStatements,
  type Latency,
  latencyResult,
  measureLatency,
  type Result,
  type Scenario,
} from '../lib.ts';

type Sample = { ids: string[]; names: string[] };

async function query<T>(ctx: BenchContext, text: string, params: unknown[]): Promise<T[]> {
  if (ctx.database.pglite) return (await ctx.database.pglite.query<T>(text, params)).rows;
  return (await ctx.database.pool!.query(text, params)).rows as T[];
}

/** Customers to ask for: a spread of buyers, and last names to search for. */
async function sample(ctx: BenchContext): Promise<Sample> {
  const [c] = await query<{ n: number }>(
    ctx,
    'SELECT count(*)::int AS n FROM customers WHERE workspace_id = $1',
    [ctx.workspaceId],
  );
  const n = c?.n ?? 0;
  if (n === 0) throw new Error('the seeded workspace has no customers');
  const pct = Math.min(100, (2000 / n) * 100);
  const rows = await query<{ id: string; last_name: string | null }>(
    ctx,
    `SELECT id, last_name FROM customers TABLESAMPLE BERNOULLI (${pct}) REPEATABLE (7)
      WHERE workspace_id = $1 AND orders_count > 0 LIMIT 400`,
    [ctx.workspaceId],
  );
  return { ids: rows.map((r) => r.id), names: rows.map((r) => r.last_name).filter((x): x is string => !!x) };
}

function serviceCtx(ctx: BenchContext, tx: Db): WorkspaceCtx {
  return {
    db: tx,
    workspaceId: ctx.workspaceId,
    userId: null,
    email: null,
    role: 'owner' as Role,
    meta: { ip: null, userAgent: 'bench', requestId: null },
  };
}

/** Runs a service function as the workspace's owner, in a workspace transaction. */
export const asService = <T>(ctx: BenchContext, fn: (w: WorkspaceCtx) => Promise<T>) =>
  inWorkspace(ctx.database.db, ctx.workspaceId, (tx) => fn(serviceCtx(ctx, tx)));

async function http(ctx: BenchContext, path: string): Promise<unknown> {
  const res = await fetch(`${ctx.baseUrl}${path}`, { headers: { cookie: ctx.cookie! } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Measures one read three ways and returns its result lines. */
async function threeWays(
  ctx: BenchContext,
  name: string,
  calls: {
    service: (i: number) => Promise<unknown>;
    http: (i: number) => Promise<unknown>;
    bare: (i: number) => Promise<unknown>;
  },
): Promise<Result[]> {
  const opts = { seconds: ctx.budget };
  const bare = await measureLatency(calls.bare, opts);
  const service = await measureLatency(calls.service, opts);
  const out: Result[] = [
    latencyResult(`${name}.sql`, bare, null, undefined, 'the ceiling: the same SQL bare through the driver'),
    latencyResult(`${name}.service`, service, bare, `${name}.sql`),
  ];
  if (ctx.cookie) {
    const api: Latency = await measureLatency(calls.http, opts);
    out.push(latencyResult(`${name}.api`, api, bare, `${name}.sql`));
  } else {
    ctx.log(`${name}.api: skipped (no signed-in session; pass --login <email>:<password>)`);
  }
  return out;
}

const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'CA'];
const MIN_ORDERS = [2, 5, 10];
/** Two filters and a sort: a country and at least N orders, biggest spenders first. */
const LIST_SQL = `SELECT * FROM customers
  WHERE workspace_id = $1 AND merged_into IS NULL AND deleted_at IS NULL AND lower(country) = lower($2)
    AND orders_count >= $3
  ORDER BY total_spent_minor DESC, id DESC LIMIT 51`;
const dialect = new PgDialect();
/** The search's two statements: the typed words, then the best matches by words (the app's own SQL),
 * live, first page. */
async function searchStatements(ctx: BenchContext, text: string) {
  const q = (s: SQL) => {
    const x = dialect.sqlToQuery(s);
    return { sql: x.sql, params: x.params };
  };
  const words = q(searchWordsSql(text));
  const [r] = await query<{ words: string[] }>(ctx, words.sql, words.params);
  return [
    words,
    q(sql`SELECT c.* FROM (${searchHitsSql(ctx.workspaceId, text, r?.words ?? [], 500)}) h JOIN customers c
          ON c.workspace_id = ${ctx.workspaceId} AND c.id = h.customer_id
         WHERE c.merged_into IS NULL AND c.deleted_at IS NULL
         ORDER BY h.score DESC, c.id DESC LIMIT 25`),
  ];
}

/** Every other query misspelt (a letter dropped), as people type. */
const misspelt = (name: string, i: number) =>
  i % 2 === 0 || name.length < 5 ? name : name.slice(0, 2) + name.slice(3);

export const scenarios: Scenario[] = [
  {
    name: 'customer.360',
    description:
      "a customer's page in one call: profile, scores and reasons, tags, notes, custom fields, 5 recent orders, 30 timeline items",
    writes: false,
    async run(ctx) {
      const s = await sample(ctx);
      const id = (i: number) => s.ids[i % s.ids.length]!;
      const ws = ctx.workspaceId;
      return threeWays(ctx, 'customer.360', {
        bare: (i) =>
          bareStatements(ctx, [
            { sql: 'SELECT * FROM customers WHERE workspace_id = $1 AND id = $2', params: [ws, id(i)] },
            {
              sql: 'SELECT kind, value FROM customer_identities WHERE workspace_id = $1 AND customer_id = $2',
              params: [ws, id(i)],
            },
            {
              sql: `SELECT * FROM customer_notes WHERE workspace_id = $1 AND customer_id = $2
                    ORDER BY pinned DESC, created_at DESC LIMIT 20`,
              params: [ws, id(i)],
            },
            { sql: 'SELECT * FROM custom_field_defs WHERE workspace_id = $1', params: [ws] },
            { sql: 'SELECT * FROM tag_definitions WHERE workspace_id = $1', params: [ws] },
            {
              sql: `SELECT id, number, placed_at, total_minor, currency, status FROM orders
                    WHERE workspace_id = $1 AND customer_id = $2 ORDER BY placed_at DESC LIMIT 5`,
              params: [ws, id(i)],
            },
            {
              sql: `SELECT * FROM timeline_items WHERE workspace_id = $1 AND customer_id = $2
                    ORDER BY at DESC, id DESC LIMIT 31`,
              params: [ws, id(i)],
            },
          ]),
        service: (i) => asService(ctx, (w) => get360(w, id(i))),
        http: (i) => http(ctx, `/api/v1/customers/${id(i)}/360`),
      });
    },
  },
  {
    name: 'customer.search',
    description:
      'typo-tolerant search by a last name (every other one misspelt) over name, email, phone, company; best first',
    writes: false,
    async run(ctx) {
      const s = await sample(ctx);
      const q = (i: number) => misspelt(s.names[i % s.names.length]!, i);
      return threeWays(ctx, 'customer.search', {
        bare: async (i) => bareStatements(ctx, await searchStatements(ctx, q(i))),
        service: (i) => asService(ctx, (w) => listCustomers(w, { limit: 25, q: q(i) })),
        http: (i) => http(ctx, `/api/v1/customers?limit=25&q=${encodeURIComponent(q(i))}`),
      });
    },
  },
  {
    name: 'customer.list',
    description:
      'the customer list with two filters (country, at least N orders), sorted by spend, 50 a page',
    writes: false,
    async run(ctx) {
      const country = (i: number) => COUNTRIES[i % COUNTRIES.length]!;
      const min = (i: number) => MIN_ORDERS[i % MIN_ORDERS.length]!;
      return threeWays(ctx, 'customer.list', {
        bare: (i) => bareStatements(ctx, [{ sql: LIST_SQL, params: [ctx.workspaceId, country(i), min(i)] }]),
        service: (i) =>
          asService(ctx, (w) =>
            listCustomers(w, {
              limit: 50,
              country: country(i),
              minOrders: min(i),
              sort: 'spent',
              dir: 'desc',
            }),
          ),
        http: (i) =>
          http(
            ctx,
            `/api/v1/customers?limit=50&country=${country(i)}&minOrders=${min(i)}&sort=spent&dir=desc`,
          ),
      });
    },
  },
];
