import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { LoadMore, useCursorList } from '../../app/cursor-list.tsx';
import { useMe } from '../../app/session.ts';
import {
  Badge,
  Button,
  Card,
  dateTime,
  EmptyState,
  money,
  PageHeader,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

type Product = {
  id: string;
  source: string;
  externalId: string;
  title: string;
  vendor: string | null;
  productType: string | null;
  categories: string[];
  status: string;
  imageUrl: string | null;
  currency: string | null;
  variants: {
    externalId: string;
    sku: string | null;
    title: string | null;
    priceMinor: number | null;
    inventoryQuantity: number | null;
  }[];
};

export function ProductsPage() {
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const q = useCursorList<Product>('products', '/products', { q: search });
  const list = q.items;
  return (
    <>
      <PageHeader
        title="Products"
        description="Your catalog as the store sent it: variants, SKUs, prices and stock."
      />
      <Card className="mb-4">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(draft);
          }}
        >
          <div className="min-w-60 flex-1">
            <TextInput
              label="Search"
              placeholder="Title, SKU or platform id"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
            />
          </div>
          <Button type="submit">Search</Button>
        </form>
      </Card>
      <Card>
        {q.isPending ? (
          <Spinner />
        ) : list.length === 0 ? (
          <EmptyState title="No products yet">
            They arrive with your store's product webhooks or a products CSV.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {list.map((p) => {
              const prices = p.variants.map((v) => v.priceMinor).filter((x): x is number => x !== null);
              const stock = p.variants.reduce((s, v) => s + (v.inventoryQuantity ?? 0), 0);
              return (
                <li key={p.id}>
                  <Link
                    to="/products/$id"
                    params={{ id: p.id }}
                    className="-mx-2 flex flex-wrap items-center gap-4 rounded-lg px-2 py-3 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-brand-600"
                  >
                    {p.imageUrl ? (
                      <img
                        src={p.imageUrl}
                        alt=""
                        className="size-12 rounded-lg object-cover ring-1 ring-slate-200"
                      />
                    ) : (
                      <div aria-hidden className="size-12 rounded-lg bg-slate-100" />
                    )}
                    <div className="min-w-0 flex-1">
                      <p className="truncate font-medium text-slate-900">{p.title}</p>
                      <p className="truncate text-sm text-slate-600">
                        {[p.vendor, ...p.categories].filter(Boolean).join(' · ') || p.source} ·{' '}
                        {p.variants.length} variant{p.variants.length === 1 ? '' : 's'}
                        {p.variants[0]?.sku
                          ? ` · ${p.variants
                              .map((v) => v.sku)
                              .filter(Boolean)
                              .slice(0, 3)
                              .join(', ')}`
                          : ''}
                      </p>
                    </div>
                    <Badge tone={p.status === 'active' ? 'green' : 'gray'}>{p.status}</Badge>
                    <span className="w-32 text-right text-sm tabular-nums">
                      {prices.length
                        ? Math.min(...prices) === Math.max(...prices)
                          ? money(prices[0]!, p.currency)
                          : `${money(Math.min(...prices), p.currency)}+`
                        : '—'}
                    </span>
                    <span className="w-20 text-right text-sm text-slate-600 tabular-nums">
                      {stock} in stock
                    </span>
                  </Link>
                </li>
              );
            })}
          </ul>
        )}
        <LoadMore list={q} />
      </Card>
    </>
  );
}

type ProductDetail = Product & {
  handle: string | null;
  deleted: boolean;
  sales: {
    orders: number;
    units: number;
    revenueMinor: number;
    customers: number;
    firstSoldAt: string | null;
    lastSoldAt: string | null;
    currency: string | null;
    mixedCurrencies: boolean;
  };
  monthly: { month: string; units: number; revenueMinor: number }[];
  topCustomers: {
    id: string;
    email: string | null;
    name: string | null;
    units: number;
    revenueMinor: number;
  }[];
  boughtWith: { id: string | null; externalId: string; title: string; orders: number }[];
  recentOrders: {
    id: string;
    number: string;
    placedAt: string;
    currency: string;
    quantity: number;
    revenueMinor: number;
  }[];
};

/** The last twelve months, oldest first, with the months that sold nothing as zero. */
function lastTwelveMonths(monthly: ProductDetail['monthly']) {
  const byMonth = new Map(monthly.map((m) => [m.month, m]));
  const now = new Date();
  return Array.from({ length: 12 }, (_, i) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i, 1));
    const key = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    return {
      key,
      label: d.toLocaleString(undefined, { month: 'short', timeZone: 'UTC' }),
      units: byMonth.get(key)?.units ?? 0,
      revenueMinor: byMonth.get(key)?.revenueMinor ?? 0,
    };
  });
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
      <dt className="text-sm text-slate-600">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</dd>
    </div>
  );
}

export function ProductPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const me = useMe();
  const tz = me.workspace?.timeZone;
  const q = useQuery({ queryKey: ['product', id], queryFn: () => api<ProductDetail>(`/products/${id}`) });
  if (q.isError) return <EmptyState title="Product not found" />;
  if (!q.data) return <Spinner />;
  const p = q.data;
  const cur = p.sales.currency ?? p.currency;
  const months = lastTwelveMonths(p.monthly);
  const peak = Math.max(1, ...months.map((m) => m.revenueMinor));
  const stock = p.variants.reduce((s, v) => s + (v.inventoryQuantity ?? 0), 0);
  const tracksStock = p.variants.some((v) => v.inventoryQuantity !== null);
  return (
    <>
      <PageHeader
        title={p.title}
        description={[p.vendor, p.productType, `${p.source} · ${p.externalId}`].filter(Boolean).join(' · ')}
        actions={
          <>
            {p.deleted && <Badge tone="red">deleted in the store</Badge>}
            <Badge tone={p.status === 'active' ? 'green' : 'gray'}>{p.status}</Badge>
          </>
        }
      />
      <dl className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Revenue" value={money(p.sales.revenueMinor, cur)} />
        <Stat label="Units sold" value={p.sales.units.toLocaleString()} />
        <Stat label="Orders" value={p.sales.orders.toLocaleString()} />
        <Stat label="Customers" value={p.sales.customers.toLocaleString()} />
      </dl>
      {p.sales.mixedCurrencies && (
        <p className="mb-4 text-sm text-amber-700">
          This product sold in several currencies; the sums add them up as they are.
        </p>
      )}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Revenue, last 12 months">
            {months.every((m) => m.units === 0) && (
              <p className="mb-2 text-sm text-slate-600">
                No sales in the last twelve months
                {p.sales.lastSoldAt ? ` (last sold ${dateTime(p.sales.lastSoldAt, tz)})` : ''}.
              </p>
            )}
            <div className="flex h-40 items-end gap-1.5" role="img" aria-label="Revenue by month">
              {months.map((m) => (
                <div key={m.key} className="flex h-full flex-1 flex-col items-center justify-end gap-1">
                  <div
                    className="w-full rounded-t bg-brand-500"
                    style={{ height: `${Math.max(m.revenueMinor ? 3 : 0, (m.revenueMinor / peak) * 100)}%` }}
                    title={`${m.key}: ${money(m.revenueMinor, cur)} · ${m.units} units`}
                  />
                  <span className="text-[10px] text-slate-500">{m.label}</span>
                </div>
              ))}
            </div>
          </Card>
          <Card title="Latest orders">
            {p.recentOrders.length === 0 ? (
              <p className="text-sm text-slate-600">Not sold yet.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {p.recentOrders.map((o) => (
                  <li key={o.id}>
                    <Link
                      to="/orders/$id"
                      params={{ id: o.id }}
                      className="-mx-2 flex items-center justify-between gap-3 rounded-lg px-2 py-2 hover:bg-slate-50"
                    >
                      <span className="font-medium">{o.number}</span>
                      <span className="text-slate-600">{dateTime(o.placedAt, tz)}</span>
                      <span className="w-16 text-right tabular-nums">×{o.quantity}</span>
                      <span className="w-24 text-right tabular-nums">
                        {money(o.revenueMinor, o.currency)}
                      </span>
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Variants">
            {p.variants.length === 0 ? (
              <p className="text-sm text-slate-600">The store sent no variants.</p>
            ) : (
              <table className="w-full text-sm">
                <thead>
                  <tr className="text-left text-slate-600">
                    <th className="py-2 font-medium">Variant</th>
                    <th className="py-2 font-medium">SKU</th>
                    <th className="py-2 text-right font-medium">Price</th>
                    <th className="py-2 text-right font-medium">Stock</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {p.variants.map((v) => (
                    <tr key={v.externalId}>
                      <td className="py-2">{v.title ?? v.externalId}</td>
                      <td className="py-2 text-slate-600">{v.sku ?? '—'}</td>
                      <td className="py-2 text-right tabular-nums">
                        {v.priceMinor === null ? '—' : money(v.priceMinor, p.currency)}
                      </td>
                      <td className="py-2 text-right tabular-nums">{v.inventoryQuantity ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Product">
            {p.imageUrl && (
              <img
                src={p.imageUrl}
                alt=""
                className="mb-3 aspect-square w-full rounded-lg object-cover ring-1 ring-slate-200"
                onError={(e) => {
                  e.currentTarget.hidden = true;
                }}
              />
            )}
            <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
              <dt className="text-slate-600">In stock</dt>
              <dd className="text-right tabular-nums">{tracksStock ? stock : 'not tracked'}</dd>
              <dt className="text-slate-600">First sold</dt>
              <dd className="text-right">{p.sales.firstSoldAt ? dateTime(p.sales.firstSoldAt, tz) : '—'}</dd>
              <dt className="text-slate-600">Last sold</dt>
              <dd className="text-right">{p.sales.lastSoldAt ? dateTime(p.sales.lastSoldAt, tz) : '—'}</dd>
            </dl>
            {p.categories.length > 0 && (
              <div className="mt-3 flex flex-wrap gap-1">
                {p.categories.map((c) => (
                  <Badge key={c}>{c}</Badge>
                ))}
              </div>
            )}
          </Card>
          <Card title="Top buyers">
            {p.topCustomers.length === 0 ? (
              <p className="text-sm text-slate-600">No buyers yet.</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {p.topCustomers.map((c) => (
                  <li key={c.id} className="flex justify-between gap-2">
                    <span className="min-w-0 truncate">{c.name ?? c.email ?? 'Customer'}</span>
                    <span className="shrink-0 tabular-nums text-slate-600">
                      {c.units} · {money(c.revenueMinor, cur)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Often bought with">
            {p.boughtWith.length === 0 ? (
              <p className="text-sm text-slate-600">Nothing yet.</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {p.boughtWith.map((b) => (
                  <li key={b.externalId} className="flex justify-between gap-2">
                    {b.id ? (
                      <Link
                        to="/products/$id"
                        params={{ id: b.id }}
                        className="min-w-0 truncate font-medium text-brand-700 hover:underline"
                      >
                        {b.title}
                      </Link>
                    ) : (
                      <span className="min-w-0 truncate">{b.title}</span>
                    )}
                    <span className="shrink-0 text-slate-600">
                      {b.orders} order{b.orders === 1 ? '' : 's'}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
