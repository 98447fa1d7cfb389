// Finds a customer by name, email or phone with the customer search API and hands back the choice.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../app/api.ts';
import { cx } from '../../components/ui.tsx';

type CustomerSummary = {
  id: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
};

const nameOf = (c: CustomerSummary) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || 'Unnamed customer';

export function CustomerPicker({
  label,
  exclude = [],
  onPick,
}: {
  label: string;
  exclude?: string[];
  onPick: (c: { id: string; name: string }) => void;
}) {
  const [q, setQ] = useState('');
  const text = q.trim();
  const found = useQuery({
    queryKey: ['customer-picker', text],
    queryFn: () =>
      api<{ data: CustomerSummary[] }>(`/customers?${new URLSearchParams({ q: text, limit: '8' })}`),
    enabled: text.length >= 2,
  });
  const options = (found.data?.data ?? []).filter((c) => !exclude.includes(c.id));
  return (
    <div className="relative">
      <label className="block">
        <span className="sr-only">{label}</span>
        <input
          type="search"
          aria-label={label}
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Search customers by name, email or phone"
          className="block w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
        />
      </label>
      {text.length >= 2 && found.data && (
        <ul
          aria-label={`${label}: results`}
          className="mt-1 max-h-64 overflow-auto rounded-lg bg-white py-1 text-sm shadow-lg ring-1 ring-slate-200"
        >
          {options.length === 0 && (
            <li className="px-3 py-2 text-slate-600">No customer matches “{text}”.</li>
          )}
          {options.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={cx('flex w-full flex-col items-start px-3 py-2 text-left hover:bg-slate-50')}
                onClick={() => {
                  setQ('');
                  onPick({ id: c.id, name: nameOf(c) });
                }}
              >
                <span className="font-medium text-slate-900">{nameOf(c)}</span>
                {c.email && <span className="text-xs text-slate-600">{c.email}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
