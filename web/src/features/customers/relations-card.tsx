// Related contacts on the customer page: household, business associates, gift recipients, read from
// this customer's side ("Gift recipient" here is "Gives gifts to them" on the other's page).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { type RelationKind, relationKinds, relationLabels } from '../../../../contracts/companies.ts';
import type { Customer360 } from '../../../../contracts/customers.ts';
import { api, errorMessage } from '../../app/api.ts';
import { useCan } from '../../app/session.ts';
import { Alert, Badge, Button, Card } from '../../components/ui.tsx';
import { CustomerPicker } from '../companies/customer-picker.tsx';

const kindChoice: Record<RelationKind, string> = {
  household: 'Same household',
  business_associate: 'Business associate',
  gift_recipient: 'Their gift recipient',
  other: 'Other',
};

export function RelationsCard({ d }: { d: Customer360 }) {
  const can = useCan();
  const qc = useQueryClient();
  const id = d.customer.id;
  const [adding, setAdding] = useState(false);
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(null);
  const [kind, setKind] = useState<RelationKind>('household');
  const [note, setNote] = useState('');
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ['customer'] });
    setTimeout(() => void qc.invalidateQueries({ queryKey: ['timeline', id] }), 1500);
  };
  const add = useMutation({
    mutationFn: () =>
      api(`/customers/${id}/relations`, {
        body: { relatedCustomerId: picked!.id, kind, note: note.trim() || null },
      }),
    onSuccess: () => {
      setPicked(null);
      setNote('');
      setAdding(false);
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (relationId: string) => api(`/customers/${id}/relations/${relationId}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  return (
    <Card
      title="Related contacts"
      actions={
        can('customers.write') && !adding ? (
          <Button variant="ghost" onClick={() => setAdding(true)}>
            Add
          </Button>
        ) : undefined
      }
    >
      {d.relations.length === 0 ? (
        !adding && <p className="text-sm text-slate-600">No related contacts yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Related contacts">
          {d.relations.map((r) => (
            <li key={r.id} className="flex items-start gap-3 py-2 text-sm">
              <div className="min-w-0 flex-1">
                <Link
                  to="/customers/$id"
                  params={{ id: r.customer.id }}
                  className="font-medium text-brand-700 hover:underline"
                >
                  {r.customer.name}
                </Link>
                <div className="mt-0.5">
                  <Badge
                    tone={r.kind === 'gift_recipient' ? 'amber' : r.kind === 'household' ? 'green' : 'gray'}
                  >
                    {r.label}
                  </Badge>
                </div>
                {r.note && <p className="mt-1 text-xs text-slate-600">{r.note}</p>}
              </div>
              {can('customers.write') && (
                <button
                  type="button"
                  aria-label={`Remove ${r.customer.name}`}
                  className="text-xs font-medium text-red-700 hover:underline"
                  onClick={() => remove.mutate(r.id)}
                >
                  Remove
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {adding && (
        <form
          className="mt-3 space-y-3 border-t border-slate-100 pt-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (picked) add.mutate();
          }}
        >
          {picked ? (
            <p className="flex items-center justify-between gap-2 rounded-lg bg-slate-50 px-3 py-2 text-sm ring-1 ring-slate-200">
              <span className="font-medium text-slate-900">{picked.name}</span>
              <button
                type="button"
                className="text-xs text-brand-700 hover:underline"
                onClick={() => setPicked(null)}
              >
                Change
              </button>
            </p>
          ) : (
            <CustomerPicker
              label="Find a related contact"
              exclude={[id, ...d.relations.map((r) => r.customer.id)]}
              onPick={setPicked}
            />
          )}
          <label className="block text-sm">
            <span className="mb-1 block font-medium text-slate-800">How they are related</span>
            <select
              aria-label="How they are related"
              value={kind}
              onChange={(e) => setKind(e.target.value as RelationKind)}
              className="block w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300"
            >
              {relationKinds.map((k) => (
                <option key={k} value={k}>
                  {kindChoice[k]}
                </option>
              ))}
            </select>
            {picked && kind !== 'other' && (
              <span className="mt-1 block text-xs text-slate-600">
                On {picked.name}’s page: “{relationLabels[kind].incoming}”
              </span>
            )}
          </label>
          <label className="block text-sm">
            <span className="mb-1 block font-medium text-slate-800">Note (optional)</span>
            <input
              aria-label="Note"
              value={note}
              maxLength={500}
              onChange={(e) => setNote(e.target.value)}
              className="block w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300"
            />
          </label>
          {add.error && <Alert>{errorMessage(add.error)}</Alert>}
          <div className="flex justify-end gap-2">
            <Button
              variant="secondary"
              onClick={() => {
                setAdding(false);
                setPicked(null);
              }}
            >
              Cancel
            </Button>
            <Button type="submit" busy={add.isPending} disabled={!picked}>
              Add related contact
            </Button>
          </div>
        </form>
      )}
      {remove.error && <Alert>{errorMessage(remove.error)}</Alert>}
    </Card>
  );
}
