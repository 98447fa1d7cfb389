// Custom field values of one record (a company here; the customer page has its own form): shown as
// rows, edited in a form whose errors name the field, as the API checks them.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { CustomField } from '../../../../contracts/customers.ts';
import { ApiError } from '../../app/api.ts';
import { Alert, Button, money, TextInput } from '../../components/ui.tsx';

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
      <div className="flex justify-end gap-2">
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" busy={save.isPending}>
          Save fields
        </Button>
      </div>
    </form>
  );
}
