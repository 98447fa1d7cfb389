// Companies: the B2B accounts customers belong to, found by name or domain.
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { type Company, companySizeLabels, priceTierLabels } from '../../../../contracts/companies.ts';
import { LoadMore, useCursorList } from '../../app/cursor-list.tsx';
import { useCan } from '../../app/session.ts';
import { Badge, Button, Card, EmptyState, PageHeader, Spinner } from '../../components/ui.tsx';
import { CompanyDialog } from './company-form.tsx';

export function CompaniesPage() {
  const can = useCan();
  const navigate = useNavigate();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useCursorList<Company>('companies', '/companies', { q: q.trim() || undefined });
  return (
    <>
      <PageHeader
        title="Companies"
        description="The businesses your customers buy for: account manager, payment terms and price tier, with every contact and what they spent."
        actions={can('customers.write') && <Button onClick={() => setCreating(true)}>New company</Button>}
      />
      <div className="mb-4 max-w-md">
        <input
          type="search"
          aria-label="Search companies"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Search by name or domain"
          className="block w-full rounded-lg border-0 bg-white px-3 py-2 text-sm shadow-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
        />
      </div>
      {list.isPending ? (
        <Spinner />
      ) : list.items.length === 0 ? (
        <EmptyState title={q.trim() ? `No company matches “${q.trim()}”` : 'No companies yet'}>
          {!q.trim() && 'Add one here, or link a customer to a new company from their page.'}
        </EmptyState>
      ) : (
        <Card className="overflow-hidden [&>div]:p-0">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th className="px-4 py-2 font-medium">Company</th>
                <th className="hidden px-4 py-2 font-medium md:table-cell">Industry</th>
                <th className="hidden px-4 py-2 font-medium lg:table-cell">Size</th>
                <th className="hidden px-4 py-2 font-medium md:table-cell">Account manager</th>
                <th className="px-4 py-2 text-right font-medium">Contacts</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.items.map((c) => (
                <tr key={c.id} className="hover:bg-slate-50">
                  <td className="px-4 py-3">
                    <Link
                      to="/companies/$id"
                      params={{ id: c.id }}
                      className="font-medium text-slate-900 hover:text-brand-700"
                    >
                      {c.name}
                    </Link>
                    <div className="mt-0.5 flex flex-wrap items-center gap-1.5 text-xs text-slate-600">
                      {c.domain && <span>{c.domain}</span>}
                      {c.priceTier && <Badge tone="blue">{priceTierLabels[c.priceTier]}</Badge>}
                      {c.netTermsDays !== null && <Badge>Net {c.netTermsDays}</Badge>}
                    </div>
                  </td>
                  <td className="hidden px-4 py-3 text-slate-700 md:table-cell">{c.industry ?? '—'}</td>
                  <td className="hidden px-4 py-3 text-slate-700 lg:table-cell">
                    {c.size ? companySizeLabels[c.size] : '—'}
                  </td>
                  <td className="hidden px-4 py-3 text-slate-700 md:table-cell">
                    {c.accountManager?.name ?? '—'}
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">{c.customersCount.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
      <LoadMore list={list} />
      {creating && (
        <CompanyDialog
          onClose={() => setCreating(false)}
          onSaved={(c) => {
            setCreating(false);
            void navigate({ to: '/companies/$id', params: { id: c.id } });
          }}
        />
      )}
    </>
  );
}
