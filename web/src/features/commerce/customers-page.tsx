// The customer list: typo-tolerant search, filters, sort on any column, each row opening the 360.
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { LoadMore } from '../../app/cursor-list.tsx';
import { useMe } from '../../app/session.ts';
import {
  Badge,
  Button,
  Card,
  cx,
  dateTime,
  EmptyState,
  money,
  PageHeader,
  Spinner,
} from '../../components/ui.tsx';
import { BulkBar } from '../customers/bulk-bar.tsx';
import { displayName, stageLabels, stageTone } from '../customers/customer-page.tsx';
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
};

type Sort = 'created' | 'name' | 'email' | 'orders' | 'spent' | 'last_order' | 'health';

const select =
  'rounded-lg border-0 bg-white px-3 py-2 text-sm text-slate-900 ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600';

export function CustomersPage() {
  const me = useMe();
  const navigate = useNavigate();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState({ lifecycle: '', tier: '', churnRisk: '', tag: '', country: '' });
  const [sort, setSort] = useState<{ by: Sort; dir: 'asc' | 'desc' }>({ by: 'created', dir: 'desc' });
  const params = { q: search, ...filters, sort: sort.by, dir: sort.dir };
  const list = useInfiniteQuery({
    queryKey: ['customers', params],
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const s = new URLSearchParams({ limit: '50' });
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
  const header = (by: Sort, label: string, className = '') => (
    <th
      className={cx('px-3 py-2 font-medium', className)}
      aria-sort={sort.by === by ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className="inline-flex items-center gap-1 hover:text-slate-900"
        onClick={() => setSort({ by, dir: sort.by === by && sort.dir === 'desc' ? 'asc' : 'desc' })}
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
          <label className="min-w-60 flex-1">
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
              current={params}
              onApply={(v) => {
                setDraft(v.q ?? '');
                setSearch(v.q ?? '');
                setFilters({
                  lifecycle: v.lifecycle ?? '',
                  tier: v.tier ?? '',
                  churnRisk: v.churnRisk ?? '',
                  tag: v.tag ?? '',
                  country: v.country ?? '',
                });
                setSort({ by: (v.sort as Sort) ?? 'created', dir: v.dir === 'asc' ? 'asc' : 'desc' });
              }}
            />
            {filter('lifecycle', 'Stage', Object.entries(stageLabels))}
            {filter('tier', 'Tier', [
              ['gold', 'Gold'],
              ['silver', 'Silver'],
              ['bronze', 'Bronze'],
            ])}
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
          </div>
        </form>
      </Card>
      <div className="mb-3">
        <BulkBar ids={[...chosen]} onDone={() => setChosen(new Set())} />
      </div>
      <Card className="overflow-hidden [&>div]:p-0">
        {list.isPending ? (
          <div className="p-5">
            <Spinner />
          </div>
        ) : items.length === 0 ? (
          <div className="p-5">
            <EmptyState title={search ? `No customer matches “${search.slice(0, 60)}”` : 'No customers yet'}>
              {search
                ? 'Try fewer words, or part of an email.'
                : 'They arrive with orders, customer webhooks and CSV imports.'}
            </EmptyState>
          </div>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full min-w-[720px] text-left text-sm">
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th className="w-10 px-3 py-2">
                    <input
                      type="checkbox"
                      aria-label="Choose all shown"
                      checked={allChosen}
                      onChange={() => setChosen(allChosen ? new Set() : new Set(items.map((c) => c.id)))}
                    />
                  </th>
                  {header('name', 'Customer')}
                  <th className="px-3 py-2 font-medium">Stage</th>
                  {header('orders', 'Orders', 'text-right')}
                  {header('spent', 'Spent', 'text-right')}
                  {header('last_order', 'Last order')}
                  {header('health', 'Health', 'text-right')}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {items.map((c) => (
                  <tr
                    key={c.id}
                    className="cursor-pointer hover:bg-slate-50"
                    onClick={() => navigate({ to: '/customers/$id', params: { id: c.id } })}
                  >
                    <td className="px-3 py-2.5">
                      <input
                        type="checkbox"
                        aria-label={`Choose ${displayName(c)}`}
                        checked={chosen.has(c.id)}
                        onClick={(e) => e.stopPropagation()}
                        onChange={() => toggle(c.id)}
                      />
                    </td>
                    <td className="max-w-72 px-3 py-2.5">
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
                    </td>
                    <td className="px-3 py-2.5">
                      {c.lifecycleStage && (
                        <Badge tone={stageTone(c.lifecycleStage)}>{stageLabels[c.lifecycleStage]}</Badge>
                      )}
                    </td>
                    <td className="px-3 py-2.5 text-right tabular-nums">{c.ordersCount}</td>
                    <td className="px-3 py-2.5 text-right font-medium tabular-nums">
                      {money(c.totalSpentMinor, c.currency)}
                    </td>
                    <td className="px-3 py-2.5 text-xs text-slate-600">
                      {dateTime(c.lastOrderAt, me.workspace?.timeZone)}
                    </td>
                    <td className="px-3 py-2.5 text-right tabular-nums">{c.healthScore ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="px-4 pb-4">
          <LoadMore list={list} />
        </div>
      </Card>
    </>
  );
}
