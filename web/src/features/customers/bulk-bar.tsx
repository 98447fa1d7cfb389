// Actions on the customers chosen in the list: tag, untag, assign an owner, export CSV, delete.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, downloadPost, errorMessage } from '../../app/api.ts';
import { useCan } from '../../app/session.ts';
import { Alert, Button, Dialog, FormActions, SelectInput, TextInput } from '../../components/ui.tsx';

type Action = 'tag' | 'untag' | 'assign_owner' | 'delete';
const titles: Record<Action, string> = {
  tag: 'Tag the chosen customers',
  untag: 'Remove a tag from the chosen customers',
  assign_owner: 'Assign an owner',
  delete: 'Delete the chosen customers?',
};

export function BulkBar({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const can = useCan();
  const qc = useQueryClient();
  const [action, setAction] = useState<Action | null>(null);
  const [tag, setTag] = useState('');
  const [owner, setOwner] = useState('');
  const [notice, setNotice] = useState<string>();
  const members = useQuery({
    queryKey: ['members'],
    enabled: action === 'assign_owner',
    queryFn: () => api<{ data: { userId: string; name: string }[] }>('/members'),
  });
  const run = useMutation({
    // the API takes up to 1,000 at once: a larger choice (all loaded) goes in parts
    mutationFn: async () => {
      let changed = 0;
      for (let i = 0; i < ids.length; i += 1000) {
        const r = await api<{ changed: number }>('/customers/bulk', {
          body: {
            ids: ids.slice(i, i + 1000),
            action,
            ...(action === 'tag' || action === 'untag' ? { tag } : {}),
            ...(action === 'assign_owner' ? { ownerUserId: owner || null } : {}),
          },
        });
        changed += r.changed;
      }
      return { changed };
    },
    onSuccess: (r) => {
      setNotice(`${r.changed} ${r.changed === 1 ? 'customer' : 'customers'} changed.`);
      setAction(null);
      setTag('');
      void qc.invalidateQueries({ queryKey: ['customers'] });
      onDone();
    },
  });
  const exportCsv = async () => {
    if (ids.length > 10_000) {
      setNotice('Export up to 10,000 customers at a time; choose fewer.');
      return;
    }
    if (!(await downloadPost('/customers/export', { ids }, 'customers.csv'))) setNotice('The export failed.');
  };
  if (ids.length === 0) return notice ? <Alert tone="green">{notice}</Alert> : null;
  const write = can('customers.write');
  return (
    <>
      <div
        role="toolbar"
        aria-label="Chosen customers"
        className="flex flex-wrap items-center gap-2 rounded-xl bg-brand-50 px-4 py-2 text-sm ring-1 ring-brand-100"
      >
        <span className="font-medium text-brand-700">{ids.length.toLocaleString()} chosen</span>
        {notice && <span className="text-slate-700">{notice}</span>}
        {write && (
          <>
            <Button variant="secondary" onClick={() => setAction('tag')}>
              Tag
            </Button>
            <Button variant="secondary" onClick={() => setAction('untag')}>
              Untag
            </Button>
            <Button variant="secondary" onClick={() => setAction('assign_owner')}>
              Assign owner
            </Button>
          </>
        )}
        <Button variant="secondary" onClick={exportCsv}>
          Export CSV
        </Button>
        {write && (
          <Button variant="ghost" className="text-red-700" onClick={() => setAction('delete')}>
            Delete
          </Button>
        )}
        <Button variant="ghost" className="ml-auto" onClick={onDone}>
          Clear
        </Button>
      </div>
      <Dialog open={action !== null} title={action ? titles[action] : ''} onClose={() => setAction(null)}>
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            run.mutate();
          }}
        >
          {(action === 'tag' || action === 'untag') && (
            <TextInput
              label="Tag"
              value={tag}
              onChange={(e) => setTag(e.target.value)}
              required
              maxLength={100}
            />
          )}
          {action === 'assign_owner' && (
            <SelectInput
              label="Owner"
              value={owner}
              onChange={(e) => setOwner(e.target.value)}
              options={[
                { value: '', label: 'Nobody' },
                ...(members.data?.data ?? []).map((m) => ({ value: m.userId, label: m.name })),
              ]}
            />
          )}
          {action === 'delete' && (
            <p className="text-sm text-slate-700">
              {ids.length} {ids.length === 1 ? 'customer leaves' : 'customers leave'} the list, segments and
              search. Their orders stay. This cannot be undone here.
            </p>
          )}
          {run.error && <Alert>{errorMessage(run.error)}</Alert>}
          <FormActions
            onCancel={() => setAction(null)}
            variant={action === 'delete' ? 'danger' : 'primary'}
            busy={run.isPending}
          >
            {action === 'delete' ? `Delete ${ids.length}` : 'Apply'}
          </FormActions>
        </form>
      </Dialog>
    </>
  );
}
