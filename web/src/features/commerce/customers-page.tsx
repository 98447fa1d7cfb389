import { useState } from 'react';
import { LoadMore, useCursorList } from '../../app/cursor-list.tsx';
import { useMe } from '../../app/session.ts';
import {
  Button,
  Card,
  dateTime,
  EmptyState,
  money,
  PageHeader,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

type Customer = {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  country: string | null;
  ordersCount: number;
  totalSpentMinor: number;
  currency: string | null;
  lastOrderAt: string | null;
};

export function CustomersPage() {
  const me = useMe();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const q = useCursorList<Customer>('customers', '/customers', { q: search });
  const list = q.items;
  return (
    <>
      <PageHeader
        title="Customers"
        description="One record per person, across email, phone and store accounts. Spend is net of refunds."
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
              placeholder="Name, email, phone or platform id"
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
          <EmptyState title="No customers yet">
            They arrive with orders, customer webhooks and CSV imports.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {list.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-3">
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium text-slate-900">
                    {[c.firstName, c.lastName].filter(Boolean).join(' ') ||
                      c.email ||
                      c.phone ||
                      'Unnamed customer'}
                  </p>
                  <p className="truncate text-sm text-slate-600">
                    {[c.email, c.country].filter(Boolean).join(' · ')}
                  </p>
                </div>
                <span className="w-24 text-right text-sm text-slate-700">{c.ordersCount} orders</span>
                <span className="w-28 text-right text-sm font-medium tabular-nums">
                  {money(c.totalSpentMinor, c.currency)}
                </span>
                <span className="w-40 text-right text-xs text-slate-600">
                  last {dateTime(c.lastOrderAt, me.workspace?.timeZone)}
                </span>
              </li>
            ))}
          </ul>
        )}
        <LoadMore list={q} />
      </Card>
    </>
  );
}
