// Settings → Custom fields: what admins add to every customer profile (shown on the customer page,
// in the API and in CSV exports) or to every company (on the company page), with type and validation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CustomField } from '../../../../contracts/customers.ts';
import { customFieldTypes } from '../../../../contracts/customers.ts';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { useCan } from '../../app/session.ts';
import {
  Alert,
  Badge,
  Button,
  Card,
  EmptyState,
  PageHeader,
  SelectInput,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

const typeLabels: Record<string, string> = {
  text: 'Text',
  number: 'Number',
  money: 'Money',
  date: 'Date',
  select: 'Select (one)',
  multi_select: 'Select (several)',
  boolean: 'Yes / no',
  url: 'Web address',
  email: 'Email',
};

const keyFrom = (label: string) =>
  label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .replace(/^(\d)/, 'f_$1')
    .slice(0, 40);

export function FieldsPage() {
  const can = useCan();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['custom-fields'],
    queryFn: () => api<{ data: CustomField[] }>('/custom-fields'),
  });
  const [entity, setEntity] = useState<'customer' | 'company'>('customer');
  const [form, setForm] = useState({ label: '', key: '', type: 'text', options: '', required: false });
  const [keyTouched, setKeyTouched] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      api('/custom-fields', {
        body: {
          entity,
          label: form.label,
          key: form.key,
          type: form.type,
          required: form.required,
          options: form.options
            .split(',')
            .map((o) => o.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: () => {
      setForm({ label: '', key: '', type: 'text', options: '', required: false });
      setKeyTouched(false);
      void qc.invalidateQueries({ queryKey: ['custom-fields'] });
      void qc.invalidateQueries({ queryKey: ['customer'] });
      void qc.invalidateQueries({ queryKey: ['company'] });
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/custom-fields/${id}`, { method: 'DELETE' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['custom-fields'] }),
  });
  const err = create.error instanceof ApiError ? create.error : undefined;
  const choice = form.type === 'select' || form.type === 'multi_select';
  const shown = list.data?.data.filter((f) => f.entity === entity) ?? [];
  return (
    <>
      <PageHeader
        title="Custom fields"
        description={
          entity === 'customer'
            ? 'Fields your team fills on every customer: birthdays, preferences, account numbers. They show on the customer page and in the API.'
            : 'Fields your team fills on every company: VAT numbers, contract dates, buying groups. They show on the company page and in the API.'
        }
        actions={<EntitySwitch value={entity} onChange={setEntity} />}
      />
      <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
        <Card title="Fields">
          {list.isPending ? (
            <Spinner />
          ) : !shown.length ? (
            <EmptyState title={`No ${entity} fields yet`} />
          ) : (
            <ul className="divide-y divide-slate-100">
              {shown.map((f) => (
                <li key={f.id} className="flex flex-wrap items-center gap-3 py-3 text-sm">
                  <div className="min-w-0 flex-1">
                    <p className="font-medium text-slate-900">{f.label}</p>
                    <p className="font-mono text-xs text-slate-600">{f.key}</p>
                  </div>
                  <Badge>{typeLabels[f.type]}</Badge>
                  {f.required && <Badge tone="amber">Required</Badge>}
                  {f.options.length > 0 && (
                    <span className="text-xs text-slate-600">{f.options.join(' · ')}</span>
                  )}
                  {can('fields.manage') && (
                    <Button
                      variant="ghost"
                      onClick={() => remove.mutate(f.id)}
                      aria-label={`Delete ${f.label}`}
                    >
                      Delete
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
          {remove.error && <Alert>{errorMessage(remove.error)}</Alert>}
        </Card>
        {can('fields.manage') && (
          <Card title={entity === 'customer' ? 'Add a customer field' : 'Add a company field'}>
            <form
              className="space-y-3"
              onSubmit={(e) => {
                e.preventDefault();
                create.mutate();
              }}
            >
              <TextInput
                label="Label"
                value={form.label}
                required
                maxLength={80}
                onChange={(e) =>
                  setForm({
                    ...form,
                    label: e.target.value,
                    key: keyTouched ? form.key : keyFrom(e.target.value),
                  })
                }
                error={err?.field('label')}
              />
              <TextInput
                label="Key"
                hint="Used in the API, CSV and segment rules"
                value={form.key}
                required
                maxLength={40}
                onChange={(e) => {
                  setKeyTouched(true);
                  setForm({ ...form, key: e.target.value });
                }}
                error={err?.field('key')}
              />
              <SelectInput
                label="Type"
                value={form.type}
                onChange={(e) => setForm({ ...form, type: e.target.value })}
                options={customFieldTypes.map((t) => ({ value: t, label: typeLabels[t]! }))}
              />
              {choice && (
                <TextInput
                  label="Options"
                  hint="Separated by commas"
                  value={form.options}
                  onChange={(e) => setForm({ ...form, options: e.target.value })}
                  error={err?.field('options')}
                />
              )}
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input
                  type="checkbox"
                  checked={form.required}
                  onChange={(e) => setForm({ ...form, required: e.target.checked })}
                />
                Required (a value cannot be cleared)
              </label>
              {err && !err.errors.length && <Alert>{err.detail}</Alert>}
              <Button type="submit" busy={create.isPending}>
                Add field
              </Button>
            </form>
          </Card>
        )}
      </div>
    </>
  );
}

/** Customers or companies: whose fields the page lists and adds. */
function EntitySwitch({
  value,
  onChange,
}: {
  value: 'customer' | 'company';
  onChange: (v: 'customer' | 'company') => void;
}) {
  return (
    <div
      role="tablist"
      aria-label="Fields of"
      className="inline-flex rounded-lg bg-slate-100 p-1 ring-1 ring-slate-200"
    >
      {(['customer', 'company'] as const).map((e) => (
        <button
          key={e}
          type="button"
          role="tab"
          aria-selected={value === e}
          onClick={() => onChange(e)}
          className={
            value === e
              ? 'rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-900 shadow-sm'
              : 'rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:text-slate-900'
          }
        >
          {e === 'customer' ? 'Customers' : 'Companies'}
        </button>
      ))}
    </div>
  );
}
