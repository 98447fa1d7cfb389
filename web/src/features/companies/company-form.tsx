// The company's B2B facts in one form: create (name first) and edit (optimistic concurrency).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  type Company,
  type CompanyDetail,
  companySizeLabels,
  companySizes,
  priceTierLabels,
  priceTiers,
} from '../../../../contracts/companies.ts';
import { ApiError, api } from '../../app/api.ts';
import { Alert, Dialog, Field, FormActions, SelectInput, TextInput } from '../../components/ui.tsx';

export function useMembers() {
  return useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: { userId: string; name: string }[] }>('/members'),
  });
}

export function CompanyDialog({
  company,
  onClose,
  onSaved,
}: {
  /** absent: a new company */
  company?: Company;
  onClose: () => void;
  onSaved: (c: CompanyDetail) => void;
}) {
  const qc = useQueryClient();
  const members = useMembers();
  const [form, setForm] = useState({
    name: company?.name ?? '',
    domain: company?.domain ?? '',
    industry: company?.industry ?? '',
    size: company?.size ?? '',
    accountManagerUserId: company?.accountManagerUserId ?? '',
    netTermsDays: company?.netTermsDays === null || !company ? '' : String(company.netTermsDays),
    priceTier: company?.priceTier ?? '',
    description: company?.description ?? '',
  });
  const save = useMutation({
    mutationFn: () => {
      const blank = (v: string) => (v.trim() === '' ? null : v.trim());
      const body = {
        name: form.name.trim(),
        domain: blank(form.domain),
        industry: blank(form.industry),
        size: blank(form.size),
        accountManagerUserId: blank(form.accountManagerUserId),
        netTermsDays: form.netTermsDays.trim() === '' ? null : Number(form.netTermsDays),
        priceTier: blank(form.priceTier),
        description: blank(form.description),
      };
      return company
        ? api<CompanyDetail>(`/companies/${company.id}`, {
            method: 'PATCH',
            body: { version: company.version, ...body },
          })
        : api<CompanyDetail>('/companies', { body });
    },
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['companies'] });
      void qc.invalidateQueries({ queryKey: ['company', c.id] });
      onSaved(c);
    },
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  return (
    <Dialog open title={company ? `Edit ${company.name}` : 'New company'} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <TextInput
          label="Name"
          required
          maxLength={200}
          value={form.name}
          onChange={set('name')}
          error={err?.field('name')}
        />
        <div className="grid gap-3 sm:grid-cols-2">
          <TextInput
            label="Domain"
            placeholder="example.com"
            value={form.domain}
            onChange={set('domain')}
            error={err?.field('domain')}
          />
          <TextInput
            label="Industry"
            maxLength={120}
            value={form.industry}
            onChange={set('industry')}
            error={err?.field('industry')}
          />
          <SelectInput
            label="Size"
            value={form.size}
            onChange={set('size')}
            error={err?.field('size')}
            options={[
              { value: '', label: 'Not known' },
              ...companySizes.map((s) => ({ value: s, label: companySizeLabels[s] })),
            ]}
          />
          <SelectInput
            label="Account manager"
            value={form.accountManagerUserId}
            onChange={set('accountManagerUserId')}
            error={err?.field('accountManagerUserId')}
            options={[
              { value: '', label: 'Nobody' },
              ...(members.data?.data ?? []).map((m) => ({ value: m.userId, label: m.name })),
            ]}
          />
          <TextInput
            label="Net payment terms (days)"
            type="number"
            min={0}
            max={365}
            step={1}
            placeholder="e.g. 30"
            value={form.netTermsDays}
            onChange={set('netTermsDays')}
            error={err?.field('netTermsDays')}
          />
          <SelectInput
            label="Price tier"
            value={form.priceTier}
            onChange={set('priceTier')}
            error={err?.field('priceTier')}
            options={[
              { value: '', label: 'None' },
              ...priceTiers.map((t) => ({ value: t, label: priceTierLabels[t] })),
            ]}
          />
        </div>
        <Field label="Description" error={err?.field('description')}>
          {(id, describedBy) => (
            <textarea
              id={id}
              aria-describedby={describedBy}
              value={form.description}
              maxLength={5000}
              onChange={set('description')}
              className="block min-h-20 w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
            />
          )}
        </Field>
        {err && (err.status === 409 || !err.errors.length) && (
          <Alert>
            {err.status === 409
              ? 'Someone else changed this company meanwhile. Reload to see their change.'
              : err.detail}
          </Alert>
        )}
        <FormActions onCancel={onClose} busy={save.isPending}>
          {company ? 'Save' : 'Create company'}
        </FormActions>
      </form>
    </Dialog>
  );
}
