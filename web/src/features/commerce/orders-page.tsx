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
  SelectInput,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

type OrderSummary = {
  id: string;
  source: string;
  externalId: string;
  number: string;
  customerId: string | null;
  customerEmail: string | null;
  customerName: string | null;
  status: string;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  currency: string;
  totalMinor: number;
  refundedMinor: number;
  placedAt: string;
};
type OrderDetail = OrderSummary & {
  subtotalMinor: number;
  discountMinor: number;
  taxMinor: number;
  shippingMinor: number;
  discountCodes: string[];
  sourceName: string | null;
  cancelledAt: string | null;
  lines: {
    lineNo: number;
    sku: string | null;
    title: string;
    quantity: number;
    unitPriceMinor: number;
    discountMinor: number;
  }[];
  refunds: {
    id: string;
    externalId: string;
    amountMinor: number;
    currency: string;
    reason: string | null;
    refundedAt: string;
  }[];
  history: { type: string; at: string }[];
};

const statusTone = (s: string) => (s === 'cancelled' ? 'red' : s === 'closed' ? 'gray' : 'blue');

export function OrdersPage() {
  const me = useMe();
  const [draft, setDraft] = useState({ q: '', status: '' });
  const [filters, setFilters] = useState(draft);
  const q = useCursorList<OrderSummary>('orders', '/orders', { q: filters.q, status: filters.status });
  const list = q.items;
  return (
    <>
      <PageHeader title="Orders" description="Every order from your store, newest first." />
      <Card className="mb-4">
        <form
          className="grid gap-3 sm:grid-cols-[1fr_12rem_auto] sm:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters(draft);
          }}
        >
          <TextInput
            label="Search"
            placeholder="Order number, email or platform id"
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
          />
          <SelectInput
            label="Status"
            value={draft.status}
            onChange={(e) => setDraft({ ...draft, status: e.target.value })}
            options={[
              { value: '', label: 'Any' },
              { value: 'open', label: 'Open' },
              { value: 'closed', label: 'Closed' },
              { value: 'cancelled', label: 'Cancelled' },
            ]}
          />
          <Button type="submit">Search</Button>
        </form>
      </Card>
      <Card>
        {q.isPending ? (
          <Spinner />
        ) : list.length === 0 ? (
          <EmptyState title="No orders yet">
            <Link to="/integrations" className="text-brand-700 underline">
              Connect your store
            </Link>{' '}
            or{' '}
            <Link to="/imports" className="text-brand-700 underline">
              import a CSV
            </Link>
            .
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {list.map((o) => (
              <li key={o.id}>
                <Link
                  to="/orders/$id"
                  params={{ id: o.id }}
                  className="flex flex-wrap items-center gap-x-4 gap-y-1 py-3 hover:bg-slate-50"
                >
                  {/* on a phone: number, status and total, then customer and date beneath */}
                  <span className="w-24 font-semibold text-slate-900">{o.number}</span>
                  <span className="order-last min-w-0 flex-1 basis-1/2 truncate text-sm text-slate-700 sm:order-none sm:basis-auto">
                    {o.customerName ?? o.customerEmail ?? (o.customerId ? 'Customer without name' : 'Guest')}
                  </span>
                  <Badge tone={statusTone(o.status)}>{o.status}</Badge>
                  <span className="ml-auto w-28 text-right text-sm font-medium tabular-nums sm:ml-0">
                    {money(o.totalMinor, o.currency)}
                  </span>
                  <span className="order-last text-right text-xs text-slate-600 sm:order-none sm:w-40">
                    {dateTime(o.placedAt, me.workspace?.timeZone)}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        <LoadMore list={q} />
      </Card>
    </>
  );
}

export function OrderPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const me = useMe();
  const tz = me.workspace?.timeZone;
  const q = useQuery({ queryKey: ['order', id], queryFn: () => api<OrderDetail>(`/orders/${id}`) });
  if (q.isError) return <EmptyState title="Order not found" />;
  if (!q.data) return <Spinner />;
  const o = q.data;
  const m = (v: number) => money(v, o.currency);
  return (
    <>
      <PageHeader
        title={`Order ${o.number}`}
        description={`${o.source} · ${o.externalId} · placed ${dateTime(o.placedAt, tz)}`}
        actions={
          <>
            <Badge tone={statusTone(o.status)}>{o.status}</Badge>
            {o.financialStatus && <Badge>{o.financialStatus}</Badge>}
            {o.fulfillmentStatus && <Badge>{o.fulfillmentStatus}</Badge>}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Items">
            <table className="w-full text-sm">
              <thead>
                <tr className="text-left text-slate-600">
                  <th className="py-2 font-medium">Item</th>
                  <th className="py-2 pl-3 text-right font-medium">Qty</th>
                  <th className="py-2 pl-3 text-right font-medium">Price</th>
                  <th className="py-2 pl-3 text-right font-medium">Total</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {o.lines.map((l) => (
                  <tr key={l.lineNo}>
                    <td className="py-2">
                      {l.title}
                      {l.sku && <span className="block text-xs text-slate-500">{l.sku}</span>}
                    </td>
                    <td className="py-2 pl-3 text-right tabular-nums">{l.quantity}</td>
                    <td className="whitespace-nowrap py-2 pl-3 text-right tabular-nums">
                      {m(l.unitPriceMinor)}
                    </td>
                    <td className="whitespace-nowrap py-2 pl-3 text-right tabular-nums">
                      {m(l.unitPriceMinor * l.quantity - l.discountMinor)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <dl className="mt-4 ml-auto grid max-w-xs grid-cols-2 gap-1 text-sm">
              <dt className="text-slate-600">Subtotal</dt>
              <dd className="text-right tabular-nums">{m(o.subtotalMinor)}</dd>
              <dt className="text-slate-600">
                Discounts {o.discountCodes.length > 0 && `(${o.discountCodes.join(', ')})`}
              </dt>
              <dd className="text-right tabular-nums">−{m(o.discountMinor)}</dd>
              <dt className="text-slate-600">Shipping</dt>
              <dd className="text-right tabular-nums">{m(o.shippingMinor)}</dd>
              <dt className="text-slate-600">Tax</dt>
              <dd className="text-right tabular-nums">{m(o.taxMinor)}</dd>
              <dt className="font-semibold">Total</dt>
              <dd className="text-right font-semibold tabular-nums">{m(o.totalMinor)}</dd>
              {o.refundedMinor > 0 && (
                <>
                  <dt className="text-red-700">Refunded</dt>
                  <dd className="text-right text-red-700 tabular-nums">−{m(o.refundedMinor)}</dd>
                </>
              )}
            </dl>
          </Card>
          <Card title="Refunds">
            {o.refunds.length === 0 ? (
              <p className="text-sm text-slate-600">No refunds.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm">
                {o.refunds.map((r) => (
                  <li key={r.id} className="flex justify-between gap-3 py-2">
                    <span>
                      {dateTime(r.refundedAt, tz)} {r.reason && `· ${r.reason}`}
                    </span>
                    <span className="tabular-nums">{money(r.amountMinor, r.currency)}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Customer">
            {o.customerId ? (
              <>
                <Link
                  to="/customers/$id"
                  params={{ id: o.customerId }}
                  className="text-sm font-medium text-brand-700 underline"
                >
                  {o.customerName ?? o.customerEmail ?? 'Customer without name'}
                </Link>
                {o.customerName && o.customerEmail && (
                  <p className="text-sm text-slate-600">{o.customerEmail}</p>
                )}
              </>
            ) : (
              <p className="text-sm text-slate-600">Guest order (no customer named)</p>
            )}
          </Card>
          <Card title="History">
            <ol className="space-y-2 text-sm">
              {o.history.map((h) => (
                <li key={`${h.type}-${h.at}`} className="flex justify-between gap-2">
                  <span className="font-medium">{h.type.replace('order.', '')}</span>
                  <span className="text-slate-600">{dateTime(h.at, tz)}</span>
                </li>
              ))}
            </ol>
          </Card>
        </div>
      </div>
    </>
  );
}
