// A company: its B2B facts, custom fields, and its contacts (customers) with what they spent.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { type CompanyDetail, companySizeLabels, priceTierLabels } from '../../../../contracts/companies.ts';
import type { CustomField } from '../../../../contracts/customers.ts';
import { api, errorMessage } from '../../app/api.ts';
import { useCan, useMe } from '../../app/session.ts';
import {
  Alert,
  Badge,
  Button,
  Card,
  DetailRow,
  Dialog,
  dateTime,
  EmptyState,
  money,
  PageHeader,
  Spinner,
  Stat,
} from '../../components/ui.tsx';
import { CustomFieldsCard } from '../customers/custom-values.tsx';
import { CompanyDialog } from './company-form.tsx';
import { CustomerPicker } from './customer-picker.tsx';

export const companyFieldsQuery = {
  queryKey: ['custom-fields'],
  queryFn: () => api<{ data: CustomField[] }>('/custom-fields'),
};

export function CompanyPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const q = useQuery({ queryKey: ['company', id], queryFn: () => api<CompanyDetail>(`/companies/${id}`) });
  const can = useCan();
  const me = useMe();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  if (q.error)
    return (
      <EmptyState title="Company not found">
        <Link to="/companies" className="underline">
          Back to companies
        </Link>
      </EmptyState>
    );
  if (!q.data) return <Spinner />;
  const c = q.data;
  const spend = c.totals.spend;
  const currency = spend[0]?.currency ?? me.workspace?.currency;
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link to="/companies" className="text-brand-700 hover:underline">
          ← Companies
        </Link>
      </nav>
      <PageHeader
        title={c.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {c.priceTier && <Badge tone="blue">{priceTierLabels[c.priceTier]}</Badge>}
            {c.industry && <span>{c.industry}</span>}
            {c.domain && (
              <a
                href={`https://${c.domain}`}
                target="_blank"
                rel="noreferrer"
                className="text-brand-700 hover:underline"
              >
                {c.domain}
              </a>
            )}
          </span>
        }
        actions={
          can('customers.write') && (
            <>
              <Button variant="secondary" onClick={() => setEditing(true)}>
                Edit
              </Button>
              <Button variant="ghost" onClick={() => setDeleting(true)}>
                Delete
              </Button>
            </>
          )
        }
      />
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Contacts" value={String(c.totals.customers)} />
        <Stat label="Orders" value={c.totals.orders.toLocaleString()} />
        <Stat
          label="Lifetime spend"
          value={money(spend[0]?.totalMinor ?? 0, currency)}
          hint={
            spend.length > 1
              ? `+ ${spend
                  .slice(1)
                  .map((s) => money(s.totalMinor, s.currency))
                  .join(' + ')}`
              : 'all contacts, net of refunds'
          }
        />
        <Stat
          label="Payment terms"
          value={c.netTermsDays === null ? '—' : `Net ${c.netTermsDays}`}
          hint={c.netTermsDays === 0 ? 'due on receipt' : undefined}
        />
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-6">
          <Card title="Account">
            <dl className="divide-y divide-slate-100">
              <DetailRow label="Industry">{c.industry ?? '—'}</DetailRow>
              <DetailRow label="Size">{c.size ? companySizeLabels[c.size] : '—'}</DetailRow>
              <DetailRow label="Account manager">{c.accountManager?.name ?? 'Nobody'}</DetailRow>
              <DetailRow label="Net terms">
                {c.netTermsDays === null ? '—' : `${c.netTermsDays} days`}
              </DetailRow>
              <DetailRow label="Price tier">{c.priceTier ? priceTierLabels[c.priceTier] : '—'}</DetailRow>
              <DetailRow label="Domain">{c.domain ?? '—'}</DetailRow>
              <DetailRow label="Added">{dateTime(c.createdAt, me.workspace?.timeZone)}</DetailRow>
            </dl>
            {c.description && (
              <p className="mt-3 whitespace-pre-wrap border-t border-slate-100 pt-3 text-sm text-slate-700">
                {c.description}
              </p>
            )}
          </Card>
          <CompanyFieldsCard company={c} />
        </div>
        <div className="min-w-0 space-y-6">
          <ContactsCard company={c} />
        </div>
      </div>
      {editing && (
        <CompanyDialog company={c} onClose={() => setEditing(false)} onSaved={() => setEditing(false)} />
      )}
      {deleting && <DeleteDialog company={c} onClose={() => setDeleting(false)} />}
    </>
  );
}

function CompanyFieldsCard({ company: c }: { company: CompanyDetail }) {
  const qc = useQueryClient();
  const me = useMe();
  const all = useQuery(companyFieldsQuery);
  if (all.isPending) return null;
  return (
    <CustomFieldsCard
      fields={(all.data?.data ?? []).filter((f) => f.entity === 'company')}
      values={c.custom}
      currency={me.workspace?.currency}
      none="None defined for companies."
      onSave={(custom) =>
        api(`/companies/${c.id}`, { method: 'PATCH', body: { version: c.version, custom } }).then(() =>
          qc.invalidateQueries({ queryKey: ['company', c.id] }),
        )
      }
    />
  );
}

function ContactsCard({ company: c }: { company: CompanyDetail }) {
  const can = useCan();
  const qc = useQueryClient();
  const me = useMe();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['company', c.id] });
    void qc.invalidateQueries({ queryKey: ['companies'] });
    void qc.invalidateQueries({ queryKey: ['customer'] });
  };
  const link = useMutation({
    mutationFn: (customerId: string) => api(`/companies/${c.id}/contacts`, { body: { customerId } }),
    onSuccess: refresh,
  });
  const unlink = useMutation({
    mutationFn: (customerId: string) =>
      api(`/companies/${c.id}/contacts/${customerId}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  return (
    <Card title="Contacts" description="Customers who buy for this company">
      {c.contacts.length === 0 ? (
        <p className="text-sm text-slate-600">No contacts yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Contacts">
          {c.contacts.map((x) => (
            <li key={x.id} className="py-2.5 text-sm">
              <div className="flex items-start justify-between gap-3">
                <div className="min-w-0">
                  <Link
                    to="/customers/$id"
                    params={{ id: x.id }}
                    className="font-medium text-brand-700 hover:underline"
                  >
                    {x.name}
                  </Link>
                  {x.email && <p className="truncate text-xs text-slate-600">{x.email}</p>}
                </div>
                <span className="shrink-0 tabular-nums text-slate-900">
                  {money(x.totalSpentMinor, x.currency)}
                </span>
              </div>
              <div className="mt-1 flex items-center justify-between gap-3 text-xs text-slate-600">
                <span>
                  {x.ordersCount} {x.ordersCount === 1 ? 'order' : 'orders'}
                  {x.lastOrderAt && ` · last ${dateTime(x.lastOrderAt, me.workspace?.timeZone)}`}
                </span>
                {can('customers.write') && (
                  <button
                    type="button"
                    aria-label={`Unlink ${x.name}`}
                    className="font-medium text-red-700 hover:underline"
                    onClick={() => unlink.mutate(x.id)}
                  >
                    Unlink
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {can('customers.write') && (
        <div className="mt-4 border-t border-slate-100 pt-4">
          <p className="mb-2 text-sm font-medium text-slate-800">Add a contact</p>
          <CustomerPicker
            label="Add a contact"
            exclude={c.contacts.map((x) => x.id)}
            onPick={(x) => link.mutate(x.id)}
          />
        </div>
      )}
      {(link.error || unlink.error) && <Alert>{errorMessage(link.error ?? unlink.error)}</Alert>}
    </Card>
  );
}

function DeleteDialog({ company: c, onClose }: { company: CompanyDetail; onClose: () => void }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: () => api(`/companies/${c.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['companies'] });
      void qc.invalidateQueries({ queryKey: ['customer'] });
      void navigate({ to: '/companies' });
    },
  });
  return (
    <Dialog open title={`Delete ${c.name}?`} onClose={onClose}>
      <p className="text-sm text-slate-700">
        Its {c.totals.customers === 1 ? 'contact stays' : `${c.totals.customers} contacts stay`} as customers,
        no longer linked to a company. Its details and custom field values are removed.
      </p>
      {remove.error && <Alert>{errorMessage(remove.error)}</Alert>}
      <div className="mt-4 flex justify-end gap-2">
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate()}>
          Delete company
        </Button>
      </div>
    </Dialog>
  );
}
