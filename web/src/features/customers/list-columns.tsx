// The customer list's columns and custom field filters: which columns show (custom fields too), how a
// custom value reads in a cell, and the filter bar's editors for custom fields (cf.<key> parameters).
import { useEffect, useId, useRef, useState } from 'react';
import type { CustomField } from '../../../../contracts/customers.ts';
import { Badge, Button, cx, money } from '../../components/ui.tsx';

export const builtInColumns = [
  { id: 'stage', label: 'Stage' },
  { id: 'tier', label: 'Tier' },
  { id: 'country', label: 'Country' },
  { id: 'orders', label: 'Orders' },
  { id: 'spent', label: 'Spent' },
  { id: 'last_order', label: 'Last order' },
  { id: 'health', label: 'Health' },
] as const;
export const defaultColumns = ['stage', 'orders', 'spent', 'last_order', 'health'];

const control =
  'rounded-lg border-0 bg-white px-3 py-2 text-sm text-slate-900 ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600';

const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** A custom value in a list cell, by the field's type. */
export function CustomValue({
  field,
  value,
  currency,
}: {
  field: CustomField;
  value: unknown;
  currency: string | null;
}) {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length))
    return <span className="text-slate-400">—</span>;
  switch (field.type) {
    case 'money':
      return <span className="tabular-nums">{typeof value === 'number' ? money(value, currency) : '—'}</span>;
    case 'number':
      return <span className="tabular-nums">{Number(value).toLocaleString()}</span>;
    case 'date':
      return <span>{dateOnly.format(new Date(`${String(value)}T00:00:00Z`))}</span>;
    case 'boolean':
      return value ? <Badge tone="green">Yes</Badge> : <Badge>No</Badge>;
    case 'select':
      return <Badge tone="blue">{String(value)}</Badge>;
    case 'multi_select':
      return (
        <span className="flex flex-wrap gap-1">
          {(value as string[]).map((v) => (
            <Badge key={v}>{v}</Badge>
          ))}
        </span>
      );
    case 'url': {
      const text = String(value);
      let host = text;
      try {
        host = new URL(text).host;
      } catch {
        // shown as stored
      }
      return (
        <a
          href={text}
          target="_blank"
          rel="noreferrer noopener"
          className="text-brand-700 underline-offset-2 hover:underline"
          onClick={(e) => e.stopPropagation()}
        >
          {host}
        </a>
      );
    }
    case 'email':
      return (
        <a
          href={`mailto:${String(value)}`}
          className="text-brand-700 underline-offset-2 hover:underline"
          onClick={(e) => e.stopPropagation()}
        >
          {String(value)}
        </a>
      );
    default:
      return <span className="line-clamp-2">{String(value)}</span>;
  }
}

/** The "Columns" menu: a checkbox per column, custom fields after the built-in ones. */
export function ColumnsMenu({
  fields,
  shown,
  onChange,
}: {
  fields: CustomField[];
  shown: string[];
  onChange: (columns: string[]) => void;
}) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const panelId = useId();
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', away);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', away);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  const all = [
    ...builtInColumns.map((c) => ({ id: c.id as string, label: c.label })),
    ...fields.map((f) => ({ id: `cf.${f.key}`, label: f.label })),
  ];
  const toggle = (id: string) =>
    onChange(
      shown.includes(id)
        ? shown.filter((c) => c !== id)
        : all.map((c) => c.id).filter((c) => c === id || shown.includes(c)),
    );
  return (
    <div ref={box} className="relative">
      <Button variant="secondary" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        Columns
        <span className="rounded-full bg-slate-100 px-1.5 text-xs text-slate-600">{shown.length}</span>
      </Button>
      {open && (
        <fieldset
          id={panelId}
          className="absolute right-0 z-20 mt-2 max-h-96 w-64 overflow-y-auto rounded-xl bg-white p-3 shadow-lg ring-1 ring-slate-200 sm:left-0 sm:right-auto"
        >
          <legend className="sr-only">Columns to show</legend>
          <p className="px-1 pb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Columns</p>
          {all.map((c, i) => (
            <label
              key={c.id}
              className={cx(
                'flex cursor-pointer items-center gap-2 rounded-md px-1 py-1.5 text-sm text-slate-800 hover:bg-slate-50',
                i === builtInColumns.length && 'mt-1 border-t border-slate-100 pt-2',
              )}
            >
              <input
                type="checkbox"
                aria-label={c.label}
                checked={shown.includes(c.id)}
                onChange={() => toggle(c.id)}
              />
              {c.label}
              {c.id.startsWith('cf.') && (
                <span aria-hidden className="ml-auto text-xs text-slate-500">
                  custom
                </span>
              )}
            </label>
          ))}
          {fields.length === 0 && (
            <p className="mt-1 border-t border-slate-100 px-1 pt-2 text-xs text-slate-500">
              Custom fields (Settings → Custom fields) can be shown here too.
            </p>
          )}
        </fieldset>
      )}
    </div>
  );
}

const isRange = (f: CustomField) => f.type === 'number' || f.type === 'money' || f.type === 'date';

/** Money filters are typed in major units and sent in minor units (cents). */
const toParam = (f: CustomField, v: string) =>
  f.type === 'money' && v !== '' && Number.isFinite(Number(v)) ? String(Math.round(Number(v) * 100)) : v;
const fromParam = (f: CustomField, v: string | undefined) =>
  v === undefined ? '' : f.type === 'money' && v !== '' ? String(Number(v) / 100) : v;

/**
 * Filters on custom fields: pick a field, then its value (or a range for numbers, money and dates).
 * `value` holds the list's cf.* parameters.
 */
export function CustomFilters({
  fields,
  value,
  onChange,
}: {
  fields: CustomField[];
  value: Record<string, string>;
  onChange: (next: Record<string, string>) => void;
}) {
  const [added, setAdded] = useState<string[]>([]);
  const active = fields.filter(
    (f) => added.includes(f.key) || Object.keys(value).some((k) => k.split('.')[1] === f.key),
  );
  const set = (param: string, v: string) => {
    const next = { ...value };
    if (v === '') delete next[param];
    else next[param] = v;
    onChange(next);
  };
  const remove = (f: CustomField) => {
    setAdded(added.filter((k) => k !== f.key));
    onChange(Object.fromEntries(Object.entries(value).filter(([k]) => k.split('.')[1] !== f.key)));
  };
  if (fields.length === 0) return null;
  return (
    <>
      {active.map((f) => (
        <fieldset
          key={f.key}
          className="flex items-center gap-1 rounded-lg bg-slate-50 py-1 pr-1 pl-3 ring-1 ring-slate-200"
        >
          <legend className="sr-only">{f.label} filter</legend>
          <span aria-hidden className="text-sm font-medium text-slate-700">
            {f.label}
          </span>
          {f.type === 'select' || f.type === 'multi_select' || f.type === 'boolean' ? (
            <select
              aria-label={f.label}
              className={cx(control, 'py-1.5')}
              value={value[`cf.${f.key}`] ?? ''}
              onChange={(e) => set(`cf.${f.key}`, e.target.value)}
            >
              <option value="">{f.type === 'multi_select' ? 'has any' : 'any'}</option>
              {(f.type === 'boolean' ? ['true', 'false'] : f.options).map((o) => (
                <option key={o} value={o}>
                  {f.type === 'boolean' ? (o === 'true' ? 'Yes' : 'No') : o}
                </option>
              ))}
            </select>
          ) : isRange(f) ? (
            (['min', 'max'] as const).map((bound) => (
              <input
                key={bound}
                aria-label={`${f.label} ${bound === 'min' ? 'from' : 'to'}`}
                placeholder={bound === 'min' ? 'from' : 'to'}
                type={f.type === 'date' ? 'date' : 'number'}
                step={f.type === 'money' ? '0.01' : 'any'}
                className={cx(control, 'w-32 py-1.5')}
                value={fromParam(f, value[`cf.${f.key}.${bound}`])}
                onChange={(e) => set(`cf.${f.key}.${bound}`, toParam(f, e.target.value))}
              />
            ))
          ) : (
            <input
              aria-label={f.label}
              placeholder="is…"
              className={cx(control, 'w-36 py-1.5')}
              value={value[`cf.${f.key}`] ?? ''}
              onChange={(e) => set(`cf.${f.key}`, e.target.value)}
            />
          )}
          <button
            type="button"
            aria-label={`Remove the ${f.label} filter`}
            className="rounded-md px-2 py-1 text-slate-500 hover:bg-slate-200 hover:text-slate-800"
            onClick={() => remove(f)}
          >
            ×
          </button>
        </fieldset>
      ))}
      {active.length < fields.length && (
        <label className="text-sm">
          <span className="sr-only">Filter by a custom field</span>
          <select
            aria-label="Filter by a custom field"
            className={control}
            value=""
            onChange={(e) => e.target.value && setAdded([...added, e.target.value])}
          >
            <option value="">+ Custom field…</option>
            {fields
              .filter((f) => !active.includes(f))
              .map((f) => (
                <option key={f.key} value={f.key}>
                  {f.label}
                </option>
              ))}
          </select>
        </label>
      )}
    </>
  );
}
