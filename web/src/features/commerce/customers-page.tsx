// The customer list: typo-tolerant search, filters (custom fields too), sort on any column, columns to
// choose, each row opening the 360. It scrolls through any number of customers: pages load by cursor
// as the end comes near, and only the rows on screen are in the page (TanStack Virtual).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { CustomField } from '../../../../contracts/customers.ts';
import { api } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Badge, Button, Card, cx, EmptyState, money, PageHeader, Spinner } from '../../components/ui.tsx';
import { BulkBar } from '../customers/bulk-bar.tsx';
import { displayName, stageLabels, stageTone } from '../customers/customer-page.tsx';
import {
  builtInColumns,
  ColumnsMenu,
  CustomFilters,
  CustomValue,
  defaultColumns,
} from '../customers/list-columns.tsx';
import { ViewsMenu } from '../customers/views-menu.tsx';

type Customer = {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  country: string | null;
  tags: string[];
  ordersCount: number;
  totalSpentMinor: number;
  currency: string | null;
  lastOrderAt: string | null;
  healthScore: number | null;
  lifecycleStage: string | null;
  tier: string | null;
  churnRisk: string | null;
  custom: Record<string, unknown>;
};

const PAGE = 100;
const tierLabels: Record<string, string> = { gold: 'Gold', silver: 'Silver', bronze: 'Bronze' };
const select =
  'rounded-lg border-0 bg-white px-3 py-2 text-sm text-slate-900 ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600';
const noFilters = {
  lifecycle: '',
  tier: '',
  churnRisk: '',
  tag: '',
  country: '',
  owner: '',
  minOrders: '',
  maxOrders: '',
  minSpent: '',
  maxSpent: '',
  lastOrderAfter: '',
  lastOrderBefore: '',
};
type Filters = typeof noFilters;
/** Spend is typed in the currency's units; the API takes minor units. */
const minorOf = (v: string) => (v && Number.isFinite(Number(v)) ? String(Math.round(Number(v) * 100)) : '');
const majorOf = (v: string | undefined) => (v && Number.isFinite(Number(v)) ? String(Number(v) / 100) : '');
function filterParams({ minSpent, maxSpent, ...rest }: Filters): Record<string, string> {
  return { ...rest, minSpentMinor: minorOf(minSpent), maxSpentMinor: minorOf(maxSpent) };
}
function filtersOf(v: Record<string, string | undefined>): Filters {
  const out = { ...noFilters };
  for (const k of Object.keys(noFilters) as (keyof Filters)[]) out[k] = v[k] ?? '';
  return { ...out, minSpent: majorOf(v.minSpentMinor), maxSpent: majorOf(v.maxSpentMinor) };
}

/** Desktop table or phone cards, by the window's width. */
function useWide(): boolean {
  const query = '(min-width: 768px)';
  const [wide, setWide] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const on = () => setWide(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return wide;
}

type Column = {
  id: string;
  label: string;
  align?: 'right';
  cell: (c: Customer) => ReactNode;
};

export function CustomersPage() {
  const me = useMe();
  const navigate = useNavigate();
  const wide = useWide();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<Filters>(noFilters);
  const members = useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: { userId: string; name: string }[] }>('/members'),
  });
  const [cf, setCf] = useState<Record<string, string>>({});
  const [sort, setSort] = useState<{ by: string; dir: 'asc' | 'desc' }>({ by: 'created', dir: 'desc' });
  const [shown, setShown] = useState<string[]>(defaultColumns);
  const fieldsQuery = useQuery({
    queryKey: ['custom-fields'],
    queryFn: () => api<{ data: CustomField[] }>('/custom-fields'),
  });
  const fields = (fieldsQuery.data?.data ?? []).filter((f) => f.entity === 'customer');
  const params: Record<string, string> = {
    q: search,
    ...filterParams(filters),
    ...cf,
    sort: sort.by,
    dir: sort.dir,
  };
  const list = useInfiniteQuery({
    queryKey: ['customers', params],
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const s = new URLSearchParams({ limit: String(PAGE) });
      for (const [k, v] of Object.entries(params)) if (v) s.set(k, v);
      if (pageParam) s.set('cursor', pageParam);
      return api<{ data: Customer[]; nextCursor: string | null }>(`/customers?${s}`);
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.data) ?? [];
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setChosen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allChosen = items.length > 0 && items.every((c) => chosen.has(c.id));

  // the list scrolls with the window; its rows are laid out from where the list starts
  const listRef = useRef<HTMLDivElement>(null);
  const [margin, setMargin] = useState(0);
  useLayoutEffect(() => {
    const top = (listRef.current?.getBoundingClientRect().top ?? 0) + window.scrollY;
    if (Math.abs(top - margin) > 1) setMargin(top);
  });
  const rows = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => (wide ? 58 : 132),
    overscan: 12,
    scrollMargin: margin,
    getItemKey: (i) => items[i]?.id ?? i,
  });
  const virtual = rows.getVirtualItems();
  const lastShown = virtual.at(-1)?.index ?? 0;
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastShown >= items.length - 25) void fetchNextPage();
  }, [lastShown, items.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  const lastOrderDate = new Intl.DateTimeFormat(undefined, {
    dateStyle: 'medium',
    timeZone: me.workspace?.timeZone,
  });
  const columns: Column[] = shown.flatMap((id): Column[] => {
    const f = id.startsWith('cf.') ? fields.find((x) => `cf.${x.key}` === id) : undefined;
    if (f)
      return [
        {
          id,
          label: f.label,
          align: f.type === 'number' || f.type === 'money' ? 'right' : undefined,
          cell: (c) => <CustomValue field={f} value={c.custom?.[f.key]} currency={c.currency} />,
        },
      ];
    const cellOf: Record<string, Omit<Column, 'id' | 'label'>> = {
      stage: {
        cell: (c) =>
          c.lifecycleStage && (
            <Badge tone={stageTone(c.lifecycleStage)}>{stageLabels[c.lifecycleStage]}</Badge>
          ),
      },
      tier: { cell: (c) => (c.tier ? tierLabels[c.tier] : <span className="text-slate-400">—</span>) },
      country: { cell: (c) => c.country ?? <span className="text-slate-400">—</span> },
      orders: { align: 'right', cell: (c) => <span className="tabular-nums">{c.ordersCount}</span> },
      spent: {
        align: 'right',
        cell: (c) => <span className="font-medium tabular-nums">{money(c.totalSpentMinor, c.currency)}</span>,
      },
      last_order: {
        cell: (c) => (
          <span className="whitespace-nowrap text-xs text-slate-600">
            {c.lastOrderAt ? lastOrderDate.format(new Date(c.lastOrderAt)) : '—'}
          </span>
        ),
      },
      health: { align: 'right', cell: (c) => <span className="tabular-nums">{c.healthScore ?? '—'}</span> },
    };
    const b = builtInColumns.find((x) => x.id === id);
    return b && cellOf[id] ? [{ id, label: b.label, ...cellOf[id] }] : [];
  });
  const sortBy = (by: string) => setSort({ by, dir: sort.by === by && sort.dir === 'desc' ? 'asc' : 'desc' });
  const header = (by: string, label: string, align?: 'right') => (
    <th
      key={by}
      scope="col"
      className={cx('whitespace-nowrap px-2.5 py-2 font-medium', align === 'right' && 'text-right')}
      aria-sort={sort.by === by ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase hover:text-slate-900"
        onClick={() => sortBy(by)}
      >
        {label}
        <span aria-hidden className="text-slate-400">
          {sort.by === by ? (sort.dir === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
  const filter = (k: keyof typeof filters, label: string, options: [string, string][]) => (
    <label className="text-sm">
      <span className="sr-only">{label}</span>
      <select
        aria-label={label}
        className={select}
        value={filters[k]}
        onChange={(e) => setFilters({ ...filters, [k]: e.target.value })}
      >
        <option value="">{label}: any</option>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
  const first = virtual[0];
  const padTop = first ? first.start - rows.options.scrollMargin : 0;
  const padBottom = first ? rows.getTotalSize() - (virtual.at(-1)!.end - rows.options.scrollMargin) : 0;
  const open = (c: Customer) => navigate({ to: '/customers/$id', params: { id: c.id } });
  const nameCell = (c: Customer) => (
    <>
      <Link
        to="/customers/$id"
        params={{ id: c.id }}
        className="block truncate font-medium text-slate-900 hover:text-brand-700"
        onClick={(e) => e.stopPropagation()}
      >
        {displayName(c)}
      </Link>
      <span className="block truncate text-xs text-slate-600">
        {[c.email, c.country, ...c.tags.slice(0, 3)].filter(Boolean).join(' · ')}
      </span>
    </>
  );
  const checkbox = (c: Customer) => (
    <input
      type="checkbox"
      aria-label={`Choose ${displayName(c)}`}
      checked={chosen.has(c.id)}
      onClick={(e) => e.stopPropagation()}
      onChange={() => toggle(c.id)}
      className="size-4"
    />
  );

  return (
    <>
      <PageHeader
        title="Customers"
        description="One record per person, across email, phone and store accounts. Spend is net of refunds."
      />
      <Card className="mb-4">
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(draft.trim());
          }}
        >
          <label className="min-w-0 flex-1 basis-48">
            <span className="sr-only">Search customers</span>
            <input
              type="search"
              aria-label="Search customers"
              placeholder="Name, email, phone, company or platform id — typos are fine"
              value={draft}
              maxLength={2000}
              onChange={(e) => setDraft(e.target.value)}
              className="block w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
            />
          </label>
          <Button type="submit">Search</Button>
          <div className="flex w-full flex-wrap items-center gap-2">
            <ViewsMenu
              current={{ ...params, columns: shown.join(',') }}
              onApply={(v) => {
                setDraft(v.q ?? '');
                setSearch(v.q ?? '');
                setFilters(filtersOf(v));
                setCf(Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('cf.'))));
                setSort({ by: v.sort ?? 'created', dir: v.dir === 'asc' ? 'asc' : 'desc' });
                setShown(v.columns ? v.columns.split(',').filter(Boolean) : defaultColumns);
              }}
            />
            <ColumnsMenu fields={fields} shown={shown} onChange={setShown} />
            {filter('lifecycle', 'Stage', Object.entries(stageLabels))}
            {filter('tier', 'Tier', Object.entries(tierLabels))}
            {filter('churnRisk', 'Churn risk', [
              ['low', 'Low'],
              ['medium', 'Medium'],
              ['high', 'High'],
            ])}
            <label className="text-sm">
              <span className="sr-only">Tag</span>
              <input
                aria-label="Tag"
                placeholder="Tag"
                className={cx(select, 'w-32')}
                value={filters.tag}
                onChange={(e) => setFilters({ ...filters, tag: e.target.value })}
              />
            </label>
            <label className="text-sm">
              <span className="sr-only">Country</span>
              <input
                aria-label="Country"
                placeholder="Country"
                className={cx(select, 'w-28')}
                value={filters.country}
                onChange={(e) => setFilters({ ...filters, country: e.target.value })}
              />
            </label>
            {filter(
              'owner',
              'Owner',
              (members.data?.data ?? []).map((m): [string, string] => [m.userId, m.name]),
            )}
            <RangeFilter
              label="Orders"
              from={filters.minOrders}
              to={filters.maxOrders}
              onChange={(minOrders, maxOrders) => setFilters({ ...filters, minOrders, maxOrders })}
            />
            <RangeFilter
              label="Spent"
              from={filters.minSpent}
              to={filters.maxSpent}
              onChange={(minSpent, maxSpent) => setFilters({ ...filters, minSpent, maxSpent })}
            />
            <RangeFilter
              label="Last order"
              type="date"
              from={filters.lastOrderAfter}
              to={filters.lastOrderBefore}
              onChange={(lastOrderAfter, lastOrderBefore) =>
                setFilters({ ...filters, lastOrderAfter, lastOrderBefore })
              }
            />
            <CustomFilters fields={fields} value={cf} onChange={setCf} />
          </div>
        </form>
      </Card>
      <div className="mb-3">
        <BulkBar ids={[...chosen]} onDone={() => setChosen(new Set())} />
      </div>
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
        <p aria-live="polite" data-testid="loaded-count">
          {list.isPending
            ? 'Loading…'
            : list.hasNextPage
              ? `${items.length.toLocaleString()} loaded — more load as you scroll`
              : `${items.length.toLocaleString()} ${items.length === 1 ? 'customer' : 'customers'}${search ? ' found' : ''}, all loaded`}
        </p>
        {!wide && items.length > 0 && (
          <div className="flex items-center gap-2">
            <label className="flex items-center gap-2">
              <input
                type="checkbox"
                checked={allChosen}
                onChange={() => setChosen(allChosen ? new Set() : new Set(items.map((c) => c.id)))}
                className="size-4"
              />
              Choose all loaded
            </label>
            <label>
              <span className="sr-only">Sort by</span>
              <select
                aria-label="Sort by"
                className={cx(select, 'py-1.5')}
                value={`${sort.by}:${sort.dir}`}
                onChange={(e) => {
                  const [by, dir] = e.target.value.split(':');
                  setSort({ by: by!, dir: dir === 'asc' ? 'asc' : 'desc' });
                }}
              >
                {[['created', 'Newest'], ['name', 'Name'], ...columns.map((c) => [c.id, c.label])].flatMap(
                  ([id, label]) => [
                    <option key={`${id}:desc`} value={`${id}:desc`}>
                      {label} ↓
                    </option>,
                    <option key={`${id}:asc`} value={`${id}:asc`}>
                      {label} ↑
                    </option>,
                  ],
                )}
              </select>
            </label>
          </div>
        )}
      </div>
      <Card className="[&>div]:p-0">
        <div ref={listRef}>
          {list.isPending ? (
            <div className="p-5">
              <Spinner />
            </div>
          ) : list.isError ? (
            <div className="p-5">
              <EmptyState title="The list could not load">{String(list.error.message)}</EmptyState>
            </div>
          ) : items.length === 0 ? (
            <div className="p-5">
              <EmptyState
                title={search ? `No customer matches “${search.slice(0, 60)}”` : 'No customers to show'}
              >
                {search
                  ? 'Try fewer words, or part of an email.'
                  : Object.values({ ...filters, ...cf }).some(Boolean)
                    ? 'No customer matches these filters.'
                    : 'They arrive with orders, customer webhooks and CSV imports.'}
              </EmptyState>
            </div>
          ) : wide ? (
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm" aria-rowcount={items.length + 1}>
                <thead className="bg-slate-50 text-xs tracking-wide text-slate-600">
                  <tr>
                    <th scope="col" className="w-10 px-2.5 py-2">
                      <input
                        type="checkbox"
                        aria-label={`Choose all ${items.length} loaded`}
                        checked={allChosen}
                        onChange={() => setChosen(allChosen ? new Set() : new Set(items.map((c) => c.id)))}
                        className="size-4"
                      />
                    </th>
                    {header('name', 'Customer')}
                    {columns.map((c) => header(c.id, c.label, c.align))}
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {padTop > 0 && (
                    <tr aria-hidden>
                      <td colSpan={columns.length + 2} style={{ height: padTop, padding: 0 }} />
                    </tr>
                  )}
                  {virtual.map((v) => {
                    const c = items[v.index]!;
                    return (
                      <tr
                        key={v.key}
                        data-index={v.index}
                        ref={rows.measureElement}
                        aria-rowindex={v.index + 2}
                        className="cursor-pointer hover:bg-slate-50"
                        onClick={() => open(c)}
                      >
                        <td className="px-2.5 py-2.5">{checkbox(c)}</td>
                        <td className="max-w-60 px-2.5 py-2.5">{nameCell(c)}</td>
                        {columns.map((col) => (
                          <td
                            key={col.id}
                            className={cx('max-w-56 px-2.5 py-2.5', col.align === 'right' && 'text-right')}
                          >
                            {col.cell(c)}
                          </td>
                        ))}
                      </tr>
                    );
                  })}
                  {padBottom > 0 && (
                    <tr aria-hidden>
                      <td colSpan={columns.length + 2} style={{ height: padBottom, padding: 0 }} />
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
          ) : (
            <ul aria-label="Customers" style={{ paddingTop: padTop, paddingBottom: padBottom }}>
              {virtual.map((v) => {
                const c = items[v.index]!;
                return (
                  <li
                    key={v.key}
                    data-index={v.index}
                    ref={rows.measureElement}
                    className="border-b border-slate-100 px-4 py-3"
                  >
                    <div className="flex items-start gap-3">
                      <div className="pt-0.5">{checkbox(c)}</div>
                      <div className="min-w-0 flex-1">{nameCell(c)}</div>
                      <div className="text-right">
                        <p className="font-medium tabular-nums text-slate-900">
                          {money(c.totalSpentMinor, c.currency)}
                        </p>
                        <p className="text-xs text-slate-600">
                          {c.ordersCount} {c.ordersCount === 1 ? 'order' : 'orders'}
                        </p>
                      </div>
                    </div>
                    {columns.filter((col) => col.id !== 'spent' && col.id !== 'orders').length > 0 && (
                      <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-2 pl-7 text-xs">
                        {columns
                          .filter((col) => col.id !== 'spent' && col.id !== 'orders')
                          .map((col) => (
                            <div key={col.id} className="min-w-0">
                              <dt className="truncate text-slate-500">{col.label}</dt>
                              <dd className="mt-0.5 min-w-0 truncate text-slate-800">{col.cell(c)}</dd>
                            </div>
                          ))}
                      </dl>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
        {list.isFetchingNextPage && (
          <div className="border-t border-slate-100 px-4">
            <Spinner label="Loading more customers" />
          </div>
        )}
      </Card>
    </>
  );
}

/** A from–to pair of inputs (numbers or dates) in the filter bar. */
function RangeFilter({
  label,
  from,
  to,
  type = 'number',
  onChange,
}: {
  label: string;
  from: string;
  to: string;
  type?: 'number' | 'date';
  onChange: (from: string, to: string) => void;
}) {
  // on a phone the pair takes the row and its inputs share it; wider, they keep their own width
  const input = cx(select, 'min-w-0 flex-1 sm:flex-none', type === 'date' ? 'sm:w-36' : 'sm:w-20');
  return (
    <fieldset className="flex w-full min-w-0 items-center gap-1 text-sm text-slate-600 sm:w-auto">
      <legend className="sr-only">{label}</legend>
      <span className="shrink-0">{label}</span>
      <input
        aria-label={`${label} from`}
        type={type}
        min={type === 'number' ? 0 : undefined}
        placeholder="from"
        className={input}
        value={from}
        onChange={(e) => onChange(e.target.value, to)}
      />
      <span aria-hidden>–</span>
      <input
        aria-label={`${label} to`}
        type={type}
        min={type === 'number' ? 0 : undefined}
        placeholder="to"
        className={input}
        value={to}
        onChange={(e) => onChange(from, e.target.value)}
      />
    </fieldset>
  );
}
