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
 * The PostgreSQL array literal of a column's values. Written by JSON.stringify when it writes what
 * the literal would (text quoted with `"` and `\` escaped, numbers and true/false bare, `null` read as
 * NULL): the common case, with no control character in any text. That makes no string per element,
 * and building the columns of 1,000 orders and their lines element by element made the batch API's
 * Node process do more work than PostgreSQL saved reading arrays rather than JSON. Otherwise element
 * by element: the driver's own conversion ran two regular expressions over every element.
 */
export const arrayLiteral = (values: readonly unknown[]): string => {
  if (values.every(plain)) {
    const json = JSON.stringify(values);
    if (!JSON_ESCAPE.test(json)) return `{${json.slice(1, -1)}}`;
  }
  return `{${values.map(arrayElement).join(',')}}`;
};

/** A value JSON.stringify writes as the array literal would: text, a finite number, true/false, a moment, null. */
const plain = (v: unknown) =>
  v === null ||
  v === undefined ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v)) ||
  (v instanceof Date && !Number.isNaN(v.getTime()));

/** An escape JSON has and an array literal has not (a control character, a lone surrogate). */
const JSON_ESCAPE = /\\[bfnrtu]/;

/**
 * `column = ANY($1::type[])`: a batch's worth of keys as one array parameter. drizzle's inArray makes a
 * parameter of each value, and building a query of 1,000 parameters cost more than running it.
 */
export const anyOf = (column: SQLWrapper, type: string, values: unknown[]): SQL =>
  sql`${column} = ANY(${sql.param(arrayLiteral(values))}::${sql.raw(type)}[])`;

type Column = readonly [property: string, type: string];

/** A column's values as one array literal: JSON values as their JSON text, array values as their own literal. */
function columnLiteral(type: string, values: readonly unknown[]): string {
  if (type === 'json' || type === 'jsonb')
    return arrayLiteral(values.map((v) => (v === null || v === undefined ? null : JSON.stringify(v))));
  if (type.endsWith('[]'))
    return arrayLiteral(
      values.map((v) => (v === null || v === undefined ? null : arrayLiteral(v as unknown[]))),
    );
  return arrayLiteral(values as unknown[]);
}

/**
 * `SELECT … FROM unnest($1::type[], $2::type[], …) AS x(…)`: rows given column by column, each column
 * ONE array parameter, so a statement has the same shape however many rows it carries. A column's
 * values are in row order, every column as long as the others; null and undefined are NULL. A value
 * of an array type travels as its own array literal in a text array (unnest would flatten a
 * two-dimensional array) and is cast back per row; JSON values travel as their JSON text.
 *
 * Against one JSON parameter read by json_to_recordset (what carried the rows before): PostgreSQL
 * builds a hash table for every JSON object it reads, and an order's lines nested in it were read
 * twice. 1,000 orders with their 3,000 lines took 40 ms to read that way against 11 ms as arrays,
 * and the literals are 340 kB rather than 820 kB; building them costs Node about as much as
 * JSON.stringify did (50 ms against 49 ms for 20 batches of 1,000 orders with their lines).
 */
export function columns(
  cols: readonly (readonly [property: string, type: string, values: readonly unknown[]])[],
): SQL {
  const arrays = sql.join(
    cols.map(
      ([, type, values]) =>
        sql`${sql.param(columnLiteral(type, values))}::${sql.raw(type.endsWith('[]') ? 'text' : type)}[]`,
    ),
    sql`, `,
  );
  const select = cols
    .map(([p, type]) => (type.endsWith('[]') ? `x."${p}"::${type} AS "${p}"` : `x."${p}"`))
    .join(', ');
  return sql`SELECT ${sql.raw(select)} FROM unnest(${arrays}) AS x(${sql.raw(cols.map(([p]) => `"${p}"`).join(', '))})`;
}

/**
 * The same over rows given as objects: each column is the property named in `cols` (a missing
 * property is NULL). Pass times as ISO strings or Dates.
 */
export function records(cols: readonly Column[], rows: readonly object[]): SQL {
  return columns(
    cols.map(([p, type]) => [p, type, rows.map((r) => (r as Record<string, unknown>)[p])] as const),
  );
}
