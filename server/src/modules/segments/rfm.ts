// RFM scoring in SQL: recency, frequency and monetary quintiles (1–5) of a workspace's customers with
// orders, computed set-based in one pass (window functions), and the named group of each cell.
import { type SQL, sql } from 'drizzle-orm';
import type { RfmGroup } from '../../../../contracts/segments.ts';

/** Group names by R and F score (the common RFM map; "lost" is the bottom cell of "hibernating"). */
export function rfmGroupOf(r: number, f: number): RfmGroup {
  if (r === 1 && f === 1) return 'lost';
  if (r <= 2) return f <= 2 ? 'hibernating' : f <= 4 ? 'at_risk' : 'cant_lose';
  if (r === 3) return f <= 2 ? 'about_to_sleep' : f === 3 ? 'need_attention' : 'loyal';
  if (f >= 4) return r === 5 ? 'champions' : 'loyal';
  if (f === 1) return r === 4 ? 'promising' : 'new';
  return 'potential_loyalists';
}

/** The group of a scored row `s` (its r and f), as SQL. The names are constants of this module. */
export const rfmGroupSql: SQL = (() => {
  const whens: SQL[] = [];
  for (let r = 1; r <= 5; r++)
    for (let f = 1; f <= 5; f++) whens.push(sql.raw(`WHEN ${r * 10 + f} THEN '${rfmGroupOf(r, f)}'`));
  return sql`CASE s.r * 10 + s.f ${sql.join(whens, sql` `)} END`;
})();

/**
 * Every live customer with orders of the workspace with r, f, m: quintiles of last order (recency),
 * orders then spend (frequency) and spend (monetary); ties broken by id so scores are stable.
 */
export function rfmScored(workspaceId: string): SQL {
  return sql`(SELECT b.*,
      ntile(5) OVER (ORDER BY b.last_order_at, b.id) AS r,
      ntile(5) OVER (ORDER BY b.orders_count, b.total_spent_minor, b.id) AS f,
      ntile(5) OVER (ORDER BY b.total_spent_minor, b.id) AS m
    FROM customers b
    WHERE b.workspace_id = ${workspaceId} AND b.merged_into IS NULL AND b.deleted_at IS NULL
      AND b.orders_count > 0 AND b.last_order_at IS NOT NULL)`;
}
