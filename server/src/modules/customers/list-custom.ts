// Custom fields in the customer list: `cf.<key>` filters and sorting, as parameterised SQL over
// `customers.custom` (the list query in commerce.service.ts adds them to its own WHERE and ORDER BY).
// - text, email, URL: equal without regard to case; select, boolean: equal; multi-select: contains;
// - number, money (minor units), date (YYYY-MM-DD): equal, or a range with cf.<key>.min / .max;
// - an unknown key, a range on a field without order, or a value of the wrong type (checked by the
//   same schema the profile edit uses) is a 400 naming the query parameter and the field.
import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import { customFilterPattern } from '../../../../contracts/commerce-api.ts';
import { type CustomField, customValueSchema, rangeFieldTypes } from '../../../../contracts/customers.ts';
import type { WorkspaceCtx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { customers } from '../commerce/commerce.table.ts';
import { customFieldDefs } from './customers.table.ts';

type Field = Pick<CustomField, 'key' | 'label' | 'type' | 'options' | 'required' | 'entity'>;

/** The workspace's customer custom fields (what `cf.<key>` and an import's `custom.<key>` may name). */
export async function customerFields(ctx: Pick<WorkspaceCtx, 'db' | 'workspaceId'>): Promise<Field[]> {
  const list = await ctx.db
    .select({
      key: customFieldDefs.key,
      label: customFieldDefs.label,
      type: customFieldDefs.type,
      options: customFieldDefs.options,
      required: customFieldDefs.required,
    })
    .from(customFieldDefs)
    .where(and(eq(customFieldDefs.workspaceId, ctx.workspaceId), eq(customFieldDefs.entity, 'customer')))
    .orderBy(asc(customFieldDefs.position), asc(customFieldDefs.label));
  return list.map((f) => ({
    ...f,
    entity: 'customer' as const,
    type: f.type as Field['type'],
    options: f.options as string[],
  }));
}

const bad = (param: string, message: string) =>
  new AppError('validation_failed', `${param}: ${message}`, {
    errors: [{ path: `querystring.${param}`, message }],
  });

/** Does the query name a custom field (a cf.* filter or sort)? Only then are the fields loaded. */
export const namesCustomFields = (query: Record<string, unknown>): boolean =>
  Object.keys(query).some((k) => k.startsWith('cf.')) ||
  (typeof query.sort === 'string' && query.sort.startsWith('cf.'));

/** The query text as the field's typed value, checked by the field's own value schema. */
function typedValue(f: Field, param: string, raw: string): unknown {
  const text = raw.trim();
  let value: unknown = text;
  if (f.type === 'number' || f.type === 'money') value = text === '' ? Number.NaN : Number(text);
  if (f.type === 'boolean') value = text === 'true' ? true : text === 'false' ? false : text;
  if (f.type === 'select' || f.type === 'multi_select')
    value = f.options.find((o) => o.toLowerCase() === text.toLowerCase()) ?? text;
  const checked = customValueSchema({
    type: f.type,
    options: f.options,
    required: true,
  }).safeParse(f.type === 'multi_select' ? [value] : value);
  if (!checked.success || text === '') {
    const why =
      f.type === 'boolean'
        ? 'expected true or false'
        : f.type === 'number' || f.type === 'money'
          ? `expected a number${f.type === 'money' ? ' in minor units (cents)' : ''}`
          : (checked.error?.issues[0]?.message ?? 'expected a value');
    throw bad(param, `${f.label}: ${why}`);
  }
  if (f.type === 'date' && Number.isNaN(Date.parse(`${text}T00:00:00Z`)))
    throw bad(param, `${f.label}: not a real date`);
  return value;
}

const jsonOf = (key: string) => sql`(${customers.custom} -> ${key}::text)`;
const numberOf = (key: string) =>
  sql`(CASE WHEN jsonb_typeof(${jsonOf(key)}) = 'number' THEN ${jsonOf(key)}::numeric END)`;
const textOf = (key: string) => sql`(${customers.custom} ->> ${key}::text)`;

/** WHERE conditions for the query's cf.* parameters (none when it has none). */
export function customFilters(fields: Field[], query: Record<string, unknown>): SQL[] {
  const out: SQL[] = [];
  for (const [param, raw] of Object.entries(query)) {
    if (!param.startsWith('cf.') || raw === undefined || raw === '') continue;
    const m = customFilterPattern.exec(param);
    if (!m) throw bad(param, 'expected cf.<field key>, cf.<field key>.min or cf.<field key>.max');
    const [, key, bound] = m as unknown as [string, string, 'min' | 'max' | undefined];
    const f = fields.find((x) => x.key === key);
    if (!f) throw bad(param, `no custom field has the key ${key}`);
    if (typeof raw !== 'string') throw bad(param, `${f.label}: give one value`);
    if (bound && !rangeFieldTypes.includes(f.type))
      throw bad(param, `${f.label}: a range applies to number, money and date fields only`);
    const v = typedValue(f, param, raw);
    const op = sql.raw(bound === 'min' ? '>=' : bound === 'max' ? '<=' : '=');
    switch (f.type) {
      case 'number':
      case 'money':
        out.push(sql`${numberOf(key)} ${op} ${String(v)}::numeric`);
        break;
      case 'date':
        out.push(
          sql`(CASE WHEN jsonb_typeof(${jsonOf(key)}) = 'string' THEN ${textOf(key)} END) ${op} ${String(v)}::text`,
        );
        break;
      case 'text':
      case 'email':
      case 'url':
        out.push(sql`lower(${textOf(key)}) = lower(${String(v)}::text)`);
        break;
      case 'multi_select':
        out.push(sql`${customers.custom} @> ${JSON.stringify({ [key]: [v] })}::jsonb`);
        break;
      default:
        // select, boolean: containment of {"key": value} (exact, type and all)
        out.push(sql`${customers.custom} @> ${JSON.stringify({ [key]: v })}::jsonb`);
    }
  }
  return out;
}

/**
 * The sort expression for `cf.<key>`: numbers and money by value, everything else by its text without
 * case; customers without a value sort as the smallest (last when descending), so keyset paging holds.
 */
export function customSort(fields: Field[], sort: string): SQL {
  const key = sort.slice(3);
  const f = fields.find((x) => x.key === key);
  if (!f) throw bad('sort', `no custom field has the key ${key}`);
  if (f.type === 'number' || f.type === 'money') return sql`coalesce(${numberOf(key)}, '-Infinity'::numeric)`;
  return sql`coalesce(lower(${textOf(key)}), '')`;
}
