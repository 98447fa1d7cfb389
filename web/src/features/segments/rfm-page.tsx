// RFM grid: recency (rows) × frequency (columns), each cell coloured by its named group, with the
// count and share of revenue; a cell opens its customers.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { type RfmGrid, type RfmGroup, rfmGroupLabels } from '../../../../contracts/segments.ts';
import { api } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Card, cx, dateTime, EmptyState, money, PageHeader, Spinner } from '../../components/ui.tsx';

const groupColour: Record<RfmGroup, string> = {
  champions: 'bg-emerald-200',
  loyal: 'bg-emerald-100',
  potential_loyalists: 'bg-teal-100',
  new: 'bg-sky-100',
  promising: 'bg-cyan-100',
  need_attention: 'bg-amber-100',
  about_to_sleep: 'bg-yellow-100',
  at_risk: 'bg-orange-200',
  cant_lose: 'bg-red-200',
  hibernating: 'bg-slate-200',
  lost: 'bg-slate-300',
};

type CellCustomers = {
  count: number;
  customers: {
    id: string;
    name: string;
    email: string | null;
    totalSpentMinor: number;
    currency: string | null;
    ordersCount: number;
    lastOrderAt: string | null;
    r: number;
    f: number;
    m: number;
  }[];
};

export function RfmPage() {
  const me = useMe();
  const grid = useQuery({ queryKey: ['rfm'], queryFn: () => api<RfmGrid>('/segments/rfm') });
  const [cell, setCell] = useState<{ r: number; f: number }>();
  const members = useQuery({
    queryKey: ['rfm', cell],
    enabled: !!cell,
    queryFn: () => api<CellCustomers>(`/segments/rfm/customers?r=${cell!.r}&f=${cell!.f}&limit=50`),
  });
  const g = grid.data;
  const currency = members.data?.customers[0]?.currency ?? null;
  return (
    <>
      <PageHeader
        title="RFM grid"
        description="Customers with orders scored 1–5 (quintiles of this store) on recency and frequency; monetary weighs revenue."
      />
      <p className="mb-3 text-sm">
        <Link to="/segments" className="font-medium text-brand-700 underline">
          ← Segment builder
        </Link>
      </p>
      {grid.isPending ? (
        <Spinner />
      ) : !g || g.scored === 0 ? (
        <EmptyState title="No customers with orders yet">
          RFM scores appear once customers have ordered.
        </EmptyState>
      ) : (
        <div className="grid gap-4 xl:grid-cols-[3fr_2fr]">
          <Card className="min-w-0">
            <div className="overflow-x-auto">
              <table className="w-full min-w-[30rem] table-fixed border-separate border-spacing-1 text-sm">
                <thead>
                  <tr>
                    <th className="w-20 text-left text-xs font-medium text-slate-600">
                      Recency ↓ / Frequency →
                    </th>
                    {[1, 2, 3, 4, 5].map((f) => (
                      <th key={f} className="text-xs font-medium text-slate-600">
                        F {f}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {[5, 4, 3, 2, 1].map((r) => (
                    <tr key={r}>
                      <th className="text-left text-xs font-medium text-slate-600">R {r}</th>
                      {[1, 2, 3, 4, 5].map((f) => {
                        const c = g.cells.find((x) => x.r === r && x.f === f);
                        const selected = cell?.r === r && cell?.f === f;
                        return (
                          <td key={f} className="p-0">
                            <button
                              type="button"
                              disabled={!c}
                              aria-label={`R ${r}, F ${f}${c ? `: ${rfmGroupLabels[c.group]}, ${c.count} customers` : ': none'}`}
                              onClick={() => setCell({ r, f })}
                              className={cx(
                                'h-20 w-full rounded-md p-2 text-left',
                                c ? groupColour[c.group] : 'bg-slate-50',
                                selected && 'ring-2 ring-brand-600',
                              )}
                            >
                              {c && (
                                <>
                                  <span className="block truncate text-xs font-medium text-slate-800">
                                    {rfmGroupLabels[c.group]}
                                  </span>
                                  <span className="block text-lg font-semibold tabular-nums">{c.count}</span>
                                  <span className="block text-xs text-slate-700">
                                    {((100 * c.revenueMinor) / (g.revenueMinor || 1)).toFixed(1)}% revenue
                                  </span>
                                </>
                              )}
                            </button>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <ul className="mt-4 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
              {g.groups
                .filter((x) => x.count > 0)
                .map((x) => (
                  <li key={x.group} className="flex items-center gap-2">
                    <span className={cx('h-3 w-3 rounded-sm', groupColour[x.group])} />
                    <span className="flex-1">{rfmGroupLabels[x.group]}</span>
                    <span className="tabular-nums text-slate-700">
                      {x.count} · {(x.revenueShare * 100).toFixed(1)}%
                    </span>
                  </li>
                ))}
            </ul>
          </Card>
          <Card>
            {!cell ? (
              <EmptyState title="Pick a cell">Its customers appear here, biggest spenders first.</EmptyState>
            ) : members.isPending ? (
              <Spinner />
            ) : (
              <>
                <h2 className="font-semibold">
                  R {cell.r} · F {cell.f} — {members.data?.count ?? 0} customers
                </h2>
                <ul className="mt-2 divide-y divide-slate-100" aria-label="Cell customers">
                  {members.data?.customers.map((c) => (
                    <li key={c.id} className="flex items-center gap-3 py-2 text-sm">
                      <div className="min-w-0 flex-1">
                        <p className="truncate font-medium">{c.name}</p>
                        <p className="truncate text-xs text-slate-600">
                          {c.ordersCount} orders · last {dateTime(c.lastOrderAt, me.workspace?.timeZone)}
                        </p>
                      </div>
                      <span className="tabular-nums">{money(c.totalSpentMinor, c.currency ?? currency)}</span>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
