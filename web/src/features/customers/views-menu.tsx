// Saved views of the customer list: pick one to apply its search, filters and sort; save the current.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { SavedView } from '../../../../contracts/customers.ts';
import { api, errorMessage } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import { Alert, Button, Dialog, FormActions, TextInput } from '../../components/ui.tsx';

export function ViewsMenu({
  current,
  onApply,
}: {
  current: Record<string, string>;
  onApply: (params: Record<string, string>) => void;
}) {
  const me = useMe();
  const qc = useQueryClient();
  const views = useQuery({ queryKey: ['views'], queryFn: () => api<{ data: SavedView[] }>('/views') });
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const canShare = ['owner', 'admin', 'manager'].includes(me.workspace?.role ?? '');
  const save = useMutation({
    mutationFn: () =>
      api('/views', {
        body: { name, shared, params: Object.fromEntries(Object.entries(current).filter(([, v]) => v)) },
      }),
    onSuccess: () => {
      setOpen(false);
      setName('');
      void qc.invalidateQueries({ queryKey: ['views'] });
    },
  });
  return (
    <>
      <label className="text-sm">
        <span className="sr-only">Saved view</span>
        <select
          aria-label="Saved view"
          value=""
          onChange={(e) => {
            const v = views.data?.data.find((x) => x.id === e.target.value);
            if (v) onApply(v.params);
          }}
          className="rounded-lg border-0 bg-white px-3 py-2 text-sm ring-1 ring-slate-300"
        >
          <option value="">Views…</option>
          {views.data?.data.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
              {v.shared ? ' (shared)' : ''}
            </option>
          ))}
        </select>
      </label>
      <Button variant="ghost" onClick={() => setOpen(true)}>
        Save view
      </Button>
      <Dialog open={open} title="Save this view" onClose={() => setOpen(false)}>
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <TextInput
            label="View name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={80}
          />
          {canShare && (
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
              Share with everyone in the workspace
            </label>
          )}
          {save.error && <Alert>{errorMessage(save.error)}</Alert>}
          <FormActions onCancel={() => setOpen(false)} busy={save.isPending}>
            Save view
          </FormActions>
        </form>
      </Dialog>
    </>
  );
}
