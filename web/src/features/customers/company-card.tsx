// The customer's company on their page: the linked company record with its B2B facts and a link, or
// a way for staff to link one (find an existing company, or create one by name).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import {
  type Company,
  type CompanyDetail,
  companySizeLabels,
  priceTierLabels,
} from '../../../../contracts/companies.ts';
import type { Customer360 } from '../../../../contracts/customers.ts';
import { api, errorMessage } from '../../app/api.ts';
import { useCan } from '../../app/session.ts';
import { Alert, Badge, Button, Card } from '../../components/ui.tsx';

export function CompanyCard({ d }: { d: Customer360 }) {
  const can = useCan();
  const qc = useQueryClient();
  const [picking, setPicking] = useState(false);
  const id = d.customer.id;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['customer', id] });
    void qc.invalidateQueries({ queryKey: ['companies'] });
    void qc.invalidateQueries({ queryKey: ['company'] });
    // the outbox writes the timeline a moment later
    setTimeout(() => void qc.invalidateQueries({ queryKey: ['timeline', id] }), 1500);
  };
  const unlink = useMutation({
    mutationFn: (companyId: string) => api(`/companies/${companyId}/contacts/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const c = d.company;
  return (
    <Card
      title="Company"
      actions={
        c && can('customers.write') && !picking ? (
          <Button variant="ghost" onClick={() => setPicking(true)}>
            Change
          </Button>
        ) : undefined
      }
    >
      {c && !picking ? (
        <div>
          <div className="flex flex-wrap items-center gap-2">
            <Link
              to="/companies/$id"
              params={{ id: c.id }}
              className="text-base font-semibold text-brand-700 hover:underline"
            >
              {c.name}
            </Link>
            {c.priceTier && <Badge tone="blue">{priceTierLabels[c.priceTier]}</Badge>}
          </div>
          <p className="mt-0.5 text-sm text-slate-600">
            {[c.industry, c.size && companySizeLabels[c.size], c.domain].filter(Boolean).join(' · ') || ' '}
          </p>
          <dl className="mt-2 grid grid-cols-2 gap-2 text-sm">
            <div>
              <dt className="text-xs text-slate-600">Account manager</dt>
              <dd className="text-slate-900">{c.accountManager?.name ?? 'Nobody'}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600">Payment terms</dt>
              <dd className="text-slate-900">{c.netTermsDays === null ? '—' : `Net ${c.netTermsDays}`}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-600">Contacts</dt>
              <dd className="text-slate-900">{c.customersCount}</dd>
            </div>
          </dl>
          {can('customers.write') && (
            <button
              type="button"
              className="mt-3 text-xs font-medium text-red-700 hover:underline"
              onClick={() => unlink.mutate(c.id)}
            >
              Unlink from {c.name}
            </button>
          )}
          {unlink.error && <Alert>{errorMessage(unlink.error)}</Alert>}
        </div>
      ) : picking || can('customers.write') ? (
        <>
          {!c && (
            <p className="mb-3 text-sm text-slate-600">
              {d.customer.company ? (
                <>
                  The store says they work at{' '}
                  <span className="font-medium text-slate-900">{d.customer.company}</span>. Link the company
                  record to see its account details.
                </>
              ) : (
                'Not linked to a company.'
              )}
            </p>
          )}
          <CompanyPicker
            customerId={id}
            suggestion={d.customer.company ?? ''}
            onDone={() => {
              setPicking(false);
              refresh();
            }}
            onCancel={c ? () => setPicking(false) : undefined}
          />
        </>
      ) : (
        <p className="text-sm text-slate-600">{d.customer.company ?? 'Not linked to a company.'}</p>
      )}
    </Card>
  );
}

function CompanyPicker({
  customerId,
  suggestion,
  onDone,
  onCancel,
}: {
  customerId: string;
  suggestion: string;
  onDone: () => void;
  onCancel?: () => void;
}) {
  const [q, setQ] = useState(suggestion);
  const text = q.trim();
  const found = useQuery({
    queryKey: ['companies', { q: text, picker: true }],
    queryFn: () => api<{ data: Company[] }>(`/companies?${new URLSearchParams({ q: text, limit: '6' })}`),
    enabled: text.length >= 1,
  });
  const link = useMutation({
    mutationFn: (companyId: string) => api(`/companies/${companyId}/contacts`, { body: { customerId } }),
    onSuccess: onDone,
  });
  const create = useMutation({
    mutationFn: async () => {
      const c = await api<CompanyDetail>('/companies', { body: { name: text } });
      return api(`/companies/${c.id}/contacts`, { body: { customerId } });
    },
    onSuccess: onDone,
  });
  const options = found.data?.data ?? [];
  const exact = options.some((o) => o.name.toLowerCase() === text.toLowerCase());
  return (
    <div>
      <label className="block">
        <span className="sr-only">Find a company</span>
        <input
          type="search"
          aria-label="Find a company"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Find or create a company"
          className="block w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
        />
      </label>
      {text && (
        <ul
          aria-label="Companies found"
          className="mt-2 divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200"
        >
          {options.map((o) => (
            <li key={o.id}>
              <button
                type="button"
                className="flex w-full items-center justify-between gap-2 px-3 py-2 text-left text-sm hover:bg-slate-50"
                onClick={() => link.mutate(o.id)}
              >
                <span>
                  <span className="font-medium text-slate-900">{o.name}</span>
                  {o.domain && <span className="ml-2 text-xs text-slate-600">{o.domain}</span>}
                </span>
                <span className="text-xs font-medium text-brand-700">Link</span>
              </button>
            </li>
          ))}
          {!exact && found.data && (
            <li>
              <button
                type="button"
                className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm font-medium text-brand-700 hover:bg-slate-50"
                onClick={() => create.mutate()}
              >
                + Create “{text}” and link
              </button>
            </li>
          )}
        </ul>
      )}
      {(link.error || create.error) && <Alert>{errorMessage(link.error ?? create.error)}</Alert>}
      {onCancel && (
        <div className="mt-2 flex justify-end">
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      )}
    </div>
  );
}
