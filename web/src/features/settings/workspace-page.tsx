import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { useCan } from '../../app/session.ts';
import { Alert, Button, Card, PageHeader, SelectInput, Spinner, TextInput } from '../../components/ui.tsx';

type Workspace = {
  id: string;
  name: string;
  slug: string;
  timeZone: string;
  currency: string;
  version: number;
  createdAt: string;
  updatedAt: string;
};
const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];
const currencies = [
  'USD',
  'EUR',
  'GBP',
  'CAD',
  'AUD',
  'JPY',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'INR',
  'BRL',
  'MXN',
];

export function WorkspacePage() {
  const can = useCan();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['workspace'], queryFn: () => api<Workspace>('/workspace') });
  const [form, setForm] = useState({ name: '', timeZone: 'UTC', currency: 'USD' });
  useEffect(() => {
    if (q.data) setForm({ name: q.data.name, timeZone: q.data.timeZone, currency: q.data.currency });
  }, [q.data]);
  const save = useMutation({
    mutationFn: () =>
      api<Workspace>('/workspace', { method: 'PATCH', body: { ...form, version: q.data?.version } }),
    onSuccess: (w) => {
      qc.setQueryData(['workspace'], w);
      void qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
  if (!q.data) return <Spinner />;
  const editable = can('workspace.update');
  const conflict = save.error instanceof ApiError && save.error.code === 'version_conflict';
  return (
    <>
      <PageHeader
        title="Workspace settings"
        description="Your store's name, time zone and currency. Dates in Patron are shown in this time zone."
      />
      <Card>
        <form
          className="grid max-w-xl gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          {conflict && (
            <Alert tone="amber">
              Someone else changed these settings while you were editing.{' '}
              <button
                type="button"
                className="font-semibold underline"
                onClick={() => q.refetch().then(() => save.reset())}
              >
                Load their version
              </button>
            </Alert>
          )}
          {save.error && !conflict && <Alert>{errorMessage(save.error)}</Alert>}
          {save.isSuccess && <Alert tone="green">Saved.</Alert>}
          <TextInput
            label="Workspace name"
            value={form.name}
            disabled={!editable}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            required
            maxLength={120}
          />
          <SelectInput
            label="Time zone"
            value={form.timeZone}
            disabled={!editable}
            onChange={(e) => setForm({ ...form, timeZone: e.target.value })}
            options={zones.map((z) => ({ value: z, label: z }))}
          />
          <SelectInput
            label="Currency"
            value={form.currency}
            disabled={!editable}
            onChange={(e) => setForm({ ...form, currency: e.target.value })}
            options={currencies.map((c) => ({ value: c, label: c }))}
          />
          <p className="text-sm text-slate-600">
            Address in links and the CLI:{' '}
            <code className="rounded bg-slate-100 px-1.5 py-0.5">{q.data.slug}</code>
          </p>
          {editable ? (
            <div>
              <Button type="submit" busy={save.isPending}>
                Save
              </Button>
            </div>
          ) : (
            <p className="text-sm text-slate-600">Only owners and admins can change these settings.</p>
          )}
        </form>
      </Card>
    </>
  );
}
