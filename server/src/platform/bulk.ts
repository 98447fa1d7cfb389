import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/** An array element: NULL, a number as is, any other value's text quoted with `"` and `\` escaped. */
function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  const text =
    typeof v === 'string'
      ? v
      : v instanceof Date
        ? v.toISOString()
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
  return text.includes('"') || text.includes('\\')
    ? `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`
    : `"${text}"`;
}

/**
 * The PostgreSQL array literal of a column's values, built in one pass: the driver's own conversion
 * ran two regular expressions over every element and was a tenth of the batch API's time.
 */
export const arrayLiteral = (values: unknown[]): string => `{${values.map(arrayElement).join(',')}}`;

/**
 * `column = ANY($1::type[])`: a batch's worth of keys as one array parameter. drizzle's inArray makes a
 * parameter of each value, and building a query of 1,000 parameters cost more than running it.
 */
export const anyOf = (column: SQLWrapper, type: string, values: unknown[]): SQL =>
  sql`${column} = ANY(${sql.param(arrayLiteral(values))}::${sql.raw(type)}[])`;

/**
 * `SELECT … FROM json_to_recordset($1::json) AS x(…)` over the rows as they are: ONE parameter, written
 * by JSON.stringify, so a statement has the same shape however many rows it carries and no value needs
 * escaping of our own. Each column is a property of the row objects, named as in `cols` (arrays become
 * PostgreSQL arrays, objects jsonb; a missing property is NULL). Pass times as ISO strings: Date objects
 * made JSON.stringify three times slower. Against an array literal per column, for 20,000 orders through
 * the batch API: 0.1 s less work in Node, about as much more in PostgreSQL.
 */
export function jsonRecords(
  cols: readonly (readonly [property: string, type: string])[],
  rows: readonly object[],
): SQL {
  const defs = cols.map(([p, type]) => `"${p}" ${type}`).join(', ');
  const select = cols.map(([p]) => `x."${p}"`).join(', ');
  return sql`SELECT ${sql.raw(select)} FROM json_to_recordset(${sql.param(JSON.stringify(rows))}::json) AS x(${sql.raw(defs)})`;
}
