// Custom field values of one record (a customer or a company): shown as rows, edited in a form whose
// errors name the field, as the API checks them.
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { CustomField } from '../../../../contracts/customers.ts';
import { ApiError } from '../../app/api.ts';
import { useCan } from '../../app/session.ts';
import { Alert, Button, Card, DetailRow, FormActions, money, TextInput } from '../../components/ui.tsx';

export function customValueText(f: CustomField, v: unknown, currency: string | null | undefined): string {
  if (v === undefined || v === null || v === '') return '—';
  if (f.type === 'boolean') return v ? 'Yes' : 'No';
  if (f.type === 'money' && typeof v === 'number') return money(v, currency);
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

export function CustomValuesForm({
  fields,
  values: initial,
  onSave,
  onDone,
}: {
  fields: CustomField[];
  values: Record<string, unknown>;
  onSave: (custom: Record<string, unknown>) => Promise<unknown>;
  onDone: () => void;
}) {
  const [values, setValues] = useState<Record<string, unknown>>(() => ({ ...initial }));
  const save = useMutation({
    mutationFn: () => {
      const custom: Record<string, unknown> = {};
      for (const f of fields) {
        const v = values[f.key];
        custom[f.key] =
          v === '' || v === undefined ? null : f.type === 'number' || f.type === 'money' ? Number(v) : v;
      }
      return onSave(custom);
    },
    onSuccess: onDone,
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const set = (k: string, v: unknown) => setValues((x) => ({ ...x, [k]: v }));
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      {fields.map((f) => {
        const error = err?.errors.find((x) => x.path.replace(/^body\./, '') === `custom.${f.key}`)?.message;
        const v = values[f.key];
        if (f.type === 'boolean')
          return (
            <label key={f.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={v === true} onChange={(e) => set(f.key, e.target.checked)} />
              {f.label}
            </label>
          );
        if (f.type === 'select' || f.type === 'multi_select')
          return (
            <label key={f.id} className="block text-sm">
              <span className="mb-1 block font-medium text-slate-800">{f.label}</span>
              <select
                aria-label={f.label}
                multiple={f.type === 'multi_select'}
                value={
                  (f.type === 'multi_select'
                    ? ((v as string[] | undefined) ?? [])
                    : ((v as string | undefined) ?? '')) as never
                }
                onChange={(e) =>
                  set(
                    f.key,
                    f.type === 'multi_select'
                      ? [...e.target.selectedOptions].map((o) => o.value)
                      : e.target.value,
                  )
                }
                className="block w-full rounded-lg border-0 px-3 py-2 ring-1 ring-slate-300"
              >
                {f.type === 'select' && <option value="">—</option>}
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
              {error && <span className="mt-1 block text-red-700">{error}</span>}
            </label>
          );
        return (
          <TextInput
            key={f.id}
            label={f.type === 'money' ? `${f.label} (in cents)` : f.label}
            type={
              f.type === 'date'
                ? 'date'
                : f.type === 'number' || f.type === 'money'
                  ? 'number'
                  : f.type === 'email'
                    ? 'email'
                    : f.type === 'url'
                      ? 'url'
                      : 'text'
            }
            value={(v as string | number | undefined) ?? ''}
            onChange={(e) => set(f.key, e.target.value)}
            error={error}
          />
        );
      })}
      {err && !err.errors.some((x) => x.path.replace(/^body\./, '').startsWith('custom.')) && (
        <Alert>
          {err.status === 409 ? 'Someone else changed this meanwhile. Reload to see it.' : err.detail}
        </Alert>
      )}
      <FormActions onCancel={onDone} busy={save.isPending}>
        Save fields
      </FormActions>
    </form>
  );
}

/** The custom fields card of a record page: the values, Edit fields for those who may, or a pointer to
 * Settings → Custom fields when none are defined. */
export function CustomFieldsCard({
  fields,
  values,
  currency,
  none,
  onSave,
}: {
  fields: CustomField[];
  values: Record<string, unknown>;
  currency: string | null | undefined;
  none: string;
  onSave: (custom: Record<string, unknown>) => Promise<unknown>;
}) {
  const can = useCan();
  const [editing, setEditing] = useState(false);
  if (fields.length === 0)
    return (
      <Card title="Custom fields">
        <p className="text-sm text-slate-600">
          {none}{' '}
          {can('fields.manage') && (
            <Link to="/settings/fields" className="font-medium text-brand-700 underline">
              Define fields
            </Link>
          )}
        </p>
      </Card>
    );
  return (
    <Card
      title="Custom fields"
      actions={
        can('customers.write') && !editing ? (
          <Button variant="ghost" onClick={() => setEditing(true)}>
            Edit fields
          </Button>
        ) : undefined
      }
    >
      {editing ? (
        <CustomValuesForm fields={fields} values={values} onSave={onSave} onDone={() => setEditing(false)} />
      ) : (
        <dl className="divide-y divide-slate-100">
          {fields.map((f) => (
            <DetailRow key={f.id} label={f.label}>
              {customValueText(f, values[f.key], currency)}
            </DetailRow>
          ))}
        </dl>
      )}
    </Card>
  );
}
