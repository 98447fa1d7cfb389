// Ctrl/Cmd-K: find a customer or an order by name, email or number from anywhere in the app.
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { Dialog, money } from '../components/ui.tsx';
import { api } from './api.ts';
import { useCan } from './session.ts';

type Hit = { key: string; to: string; params: { id: string }; title: string; sub: string; kind: string };

export function CommandPalette() {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const navigate = useNavigate();
  const can = useCan();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen(true);
      }
    };
    const onOpen = () => setOpen(true);
    window.addEventListener('keydown', onKey);
    window.addEventListener('patron:search', onOpen);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('patron:search', onOpen);
    };
  }, []);
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 200);
    return () => clearTimeout(t);
  }, [text]);
  const found = useQuery({
    queryKey: ['palette', q],
    enabled: open && q.length > 0,
    queryFn: async (): Promise<Hit[]> => {
      const s = encodeURIComponent(q);
      const [customers, orders] = await Promise.all([
        can('customers.read')
          ? api<{
              data: {
                id: string;
                firstName: string | null;
                lastName: string | null;
                email: string | null;
                totalSpentMinor: number;
                currency: string | null;
              }[];
            }>(`/customers?q=${s}&limit=6`)
          : { data: [] },
        can('orders.read')
          ? api<{
              data: {
                id: string;
                number: string;
                customerEmail: string | null;
                totalMinor: number;
                currency: string;
              }[];
            }>(`/orders?q=${s}&limit=4`)
          : { data: [] },
      ]);
      return [
        ...customers.data.map((c) => ({
          key: `c${c.id}`,
          to: '/customers/$id',
          params: { id: c.id },
          title: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || 'Unnamed customer',
          sub: [c.email, money(c.totalSpentMinor, c.currency)].filter(Boolean).join(' · '),
          kind: 'Customer',
        })),
        ...orders.data.map((o) => ({
          key: `o${o.id}`,
          to: '/orders/$id',
          params: { id: o.id },
          title: `Order ${o.number}`,
          sub: [o.customerEmail, money(o.totalMinor, o.currency)].filter(Boolean).join(' · '),
          kind: 'Order',
        })),
      ];
    },
  });
  const hits = q ? (found.data ?? []) : [];
  const go = (h: Hit) => {
    setOpen(false);
    setText('');
    void navigate({ to: h.to, params: h.params });
  };
  return (
    <Dialog open={open} title="Find anything" onClose={() => setOpen(false)}>
      <input
        aria-label="Find a customer or an order"
        placeholder="Name, email or order number"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, hits.length - 1));
          if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          if (e.key === 'Enter' && hits[active]) {
            e.preventDefault();
            go(hits[active]);
          }
        }}
        className="block w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
      />
      <ul className="mt-3 max-h-80 overflow-y-auto" aria-label="Results">
        {q && found.isFetching && hits.length === 0 && (
          <li className="py-2 text-sm text-slate-600">Searching…</li>
        )}
        {q && !found.isFetching && hits.length === 0 && (
          <li className="py-2 text-sm text-slate-600">Nothing found.</li>
        )}
        {hits.map((h, i) => (
          <li key={h.key}>
            <button
              type="button"
              onClick={() => go(h)}
              className={`flex w-full items-center gap-3 rounded-lg px-3 py-2 text-left text-sm ${i === active ? 'bg-brand-50' : 'hover:bg-slate-50'}`}
            >
              <span className="w-16 shrink-0 text-xs text-slate-500">{h.kind}</span>
              <span className="min-w-0 flex-1">
                <span className="block truncate font-medium text-slate-900">{h.title}</span>
                <span className="block truncate text-xs text-slate-600">{h.sub}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
      <p className="mt-3 text-xs text-slate-500">↑ ↓ to choose, Enter to open, Esc to close</p>
    </Dialog>
  );
}
