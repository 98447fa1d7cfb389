// Saved segments: the list (pre-built ones included) and a segment's page — size over time, revenue,
// AOV, members, and the actions on all members (export, tag, untag; static lists edited by hand).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import type { Segment, SegmentCustomer, SegmentHistory } from '../../../../contracts/segments.ts';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { LoadMore, useCursorList } from '../../app/cursor-list.tsx';
import { useCan, useMe } from '../../app/session.ts';
import {
  Alert,
  Badge,
  Button,
  buttonClass,
  Card,
  Dialog,
  dateTime,
  EmptyState,
  FormActions,
  money,
  PageHeader,
  SelectInput,
  Spinner,
  Stat,
  TextInput,
} from '../../components/ui.tsx';
import { CustomerItem } from './customer-item.tsx';

const segmentsQuery = {
  queryKey: ['segments'],
  queryFn: () => api<{ items: Segment[] }>('/segments'),
};

export function SegmentListPage() {
  const me = useMe();
  const can = useCan();
  const list = useQuery(segmentsQuery);
  const currency = me.workspace?.currency;
  return (
    <>
      <PageHeader
        title="Segments"
        description="Groups of customers by what they bought, when, and who they are. Dynamic segments stay current as orders and profiles change."
        actions={
          <>
            <Link to="/segments/rfm" className={buttonClass('secondary')}>
              RFM grid
            </Link>
            {can('segments.manage') && (
              <Link to="/segments/new" className={buttonClass('primary')}>
                New segment
              </Link>
            )}
          </>
        }
      />
      {list.isPending ? (
        <Spinner />
      ) : list.error ? (
        <Alert>{errorMessage(list.error)}</Alert>
      ) : list.data.items.length === 0 ? (
        <EmptyState title="No segments yet">Build one from rules, or start from a pre-built one.</EmptyState>
      ) : (
        <Card className="overflow-hidden [&>div]:p-0">
          <table className="w-full text-left text-sm">
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th className="px-4 py-2 font-medium">Segment</th>
                <th className="px-4 py-2 text-right font-medium">Customers</th>
                <th className="hidden px-4 py-2 text-right font-medium sm:table-cell">Revenue</th>
                <th className="hidden px-4 py-2 font-medium md:table-cell">Rules</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {list.data.items.map((s) => (
                <tr key={s.id} className="hover:bg-slate-50">
                  <td className="px-4 py-3">
                    <Link
                      to="/segments/$id"
                      params={{ id: s.id }}
                      className="font-medium text-slate-900 hover:text-brand-700"
                    >
                      {s.name}
                    </Link>
                    <div className="mt-0.5 flex gap-1.5">
                      <Badge tone={s.kind === 'dynamic' ? 'blue' : 'gray'}>
                        {s.kind === 'dynamic' ? 'Dynamic' : 'Static'}
                      </Badge>
                      {s.prebuiltKey && <Badge>Pre-built</Badge>}
                    </div>
                  </td>
                  <td className="px-4 py-3 text-right tabular-nums">{s.memberCount.toLocaleString()}</td>
                  <td className="hidden px-4 py-3 text-right tabular-nums sm:table-cell">
                    {money(s.revenueMinor, currency)}
                  </td>
                  <td className="hidden max-w-md truncate px-4 py-3 font-mono text-xs text-slate-600 md:table-cell">
                    {s.query ?? 'Built by hand'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </>
  );
}

/** Size over time: one bar per day the segment was evaluated (the last 60 days shown). */
function SizeChart({ points: all }: { points: SegmentHistory['points'] }) {
  if (all.length === 0) return <p className="text-sm text-slate-600">No history yet.</p>;
  const points = all.slice(-60);
  const max = Math.max(1, ...points.map((p) => p.members));
  const first = points[0]!;
  const last = points.at(-1)!;
  return (
    <figure>
      <div
        className="flex h-32 items-end gap-1 border-b border-slate-200"
        role="img"
        aria-label={`Size over time: ${first.members.toLocaleString()} on ${first.day}, ${last.members.toLocaleString()} on ${last.day}`}
      >
        {points.map((p) => (
          <div
            key={p.day}
            title={`${p.day}: ${p.members.toLocaleString()}`}
            className="max-w-8 flex-1 rounded-t bg-brand-500"
            style={{ height: `${Math.max(2, (p.members / max) * 100)}%` }}
          />
        ))}
      </div>
      <figcaption className="mt-1 flex justify-between text-xs text-slate-600">
        <span>{first.day}</span>
        <span>
          {last.members.toLocaleString()} on {last.day}
        </span>
      </figcaption>
    </figure>
  );
}

export function SegmentPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const me = useMe();
  const can = useCan();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const seg = useQuery({ queryKey: ['segment', id], queryFn: () => api<Segment>(`/segments/${id}`) });
  const history = useQuery({
    queryKey: ['segment', id, 'history'],
    queryFn: () => api<SegmentHistory>(`/segments/${id}/history`),
  });
  const members = useCursorList<SegmentCustomer & { enteredAt: string }>(
    `segment-members-${id}`,
    `/segments/${id}/members`,
  );
  const [tagOpen, setTagOpen] = useState(false);
  const [deleteOpen, setDeleteOpen] = useState(false);
  const [notice, setNotice] = useState<string>();
  const refreshAll = () => {
    void qc.invalidateQueries({ queryKey: ['segment', id] });
    void qc.invalidateQueries({ queryKey: [`segment-members-${id}`] });
    void qc.invalidateQueries({ queryKey: ['segments'] });
  };
  const refresh = useMutation({
    mutationFn: () => api<Segment>(`/segments/${id}/refresh`, { body: {} }),
    onSuccess: () => {
      setNotice('Members brought up to date.');
      refreshAll();
    },
  });
  const remove = useMutation({
    mutationFn: () => api(`/segments/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['segments'] });
      void navigate({ to: '/segments' });
    },
  });
  const removeMember = useMutation({
    mutationFn: (customerId: string) => api(`/segments/${id}/members`, { body: { remove: [customerId] } }),
    onSuccess: refreshAll,
  });

  if (seg.isPending) return <Spinner />;
  if (seg.error) return <Alert>{errorMessage(seg.error)}</Alert>;
  const s = seg.data;
  // amounts in the members' currency (the store's), else the workspace's
  const currency = members.items[0]?.currency ?? me.workspace?.currency;
  const last = history.data?.points.at(-1);
  const manage = can('segments.manage');
  return (
    <>
      <PageHeader
        title={s.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone={s.kind === 'dynamic' ? 'blue' : 'gray'}>
              {s.kind === 'dynamic' ? 'Dynamic' : 'Static list'}
            </Badge>
            {s.prebuiltKey && <Badge>Pre-built</Badge>}
            <span>Evaluated {dateTime(s.evaluatedAt, me.workspace?.timeZone)}</span>
          </span>
        }
        actions={
          <>
            <a href={`/api/v1/segments/${id}/export`} download className={buttonClass('secondary')}>
              Export CSV
            </a>
            {can('customers.write') && (
              <Button variant="secondary" onClick={() => setTagOpen(true)}>
                Tag members
              </Button>
            )}
            {manage && s.rules && (
              <Button variant="secondary" busy={refresh.isPending} onClick={() => refresh.mutate()}>
                Refresh
              </Button>
            )}
            {manage && (
              <Link to="/segments/$id/edit" params={{ id }} className={buttonClass('secondary')}>
                Edit rules
              </Link>
            )}
            {manage && (
              <Button variant="ghost" onClick={() => setDeleteOpen(true)}>
                Delete
              </Button>
            )}
          </>
        }
      />
      {notice && (
        <div className="mb-4">
          <Alert tone="green">{notice}</Alert>
        </div>
      )}
      {(refresh.error || remove.error) && (
        <div className="mb-4">
          <Alert>{errorMessage(refresh.error ?? remove.error)}</Alert>
        </div>
      )}
      <div className="mb-4 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Customers" value={s.memberCount.toLocaleString()} />
        <Stat label="Revenue" value={money(s.revenueMinor, currency)} hint="lifetime, net of refunds" />
        <Stat label="Average order" value={last ? money(last.aovMinor, currency) : '—'} />
        <Stat
          label="Last 30 days"
          value={history.data ? `+${history.data.entered30d} / −${history.data.exited30d}` : '…'}
          hint="entered / left"
        />
      </div>
      <div className="grid gap-4 lg:grid-cols-[2fr_3fr]">
        <div className="min-w-0 space-y-4">
          <Card title="Size over time">
            {history.data ? <SizeChart points={history.data.points} /> : <Spinner />}
          </Card>
          <Card title="Rules">
            {s.query ? (
              <code className="block whitespace-pre-wrap break-words rounded-lg bg-slate-50 p-3 font-mono text-xs text-slate-800">
                {s.query}
              </code>
            ) : (
              <p className="text-sm text-slate-600">A list built by hand: add customers by email below.</p>
            )}
          </Card>
          {manage && s.kind === 'static' && <AddMembers id={id} onDone={refreshAll} />}
        </div>
        <Card title="Members" className="min-w-0">
          {members.isPending ? (
            <Spinner />
          ) : members.items.length === 0 ? (
            <EmptyState title="Nobody in this segment yet" />
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Members">
              {members.items.map((c) => (
                <CustomerItem
                  key={c.id}
                  c={c}
                  detail={`${c.ordersCount} ${c.ordersCount === 1 ? 'order' : 'orders'}`}
                  action={
                    manage &&
                    s.kind === 'static' && (
                      <Button
                        variant="ghost"
                        aria-label={`Remove ${c.name}`}
                        onClick={() => removeMember.mutate(c.id)}
                      >
                        Remove
                      </Button>
                    )
                  }
                />
              ))}
            </ul>
          )}
          <LoadMore list={members} />
        </Card>
      </div>
      <TagDialog id={id} open={tagOpen} onClose={() => setTagOpen(false)} onDone={setNotice} />
      <Dialog open={deleteOpen} title={`Delete ${s.name}?`} onClose={() => setDeleteOpen(false)}>
        <p className="text-sm text-slate-700">
          The segment and its history go; the customers stay. This cannot be undone.
        </p>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setDeleteOpen(false)}>
            Cancel
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate()}>
            Delete segment
          </Button>
        </div>
      </Dialog>
    </>
  );
}

function TagDialog({
  id,
  open,
  onClose,
  onDone,
}: {
  id: string;
  open: boolean;
  onClose: () => void;
  onDone: (msg: string) => void;
}) {
  const qc = useQueryClient();
  const [tag, setTag] = useState('');
  const [action, setAction] = useState<'add' | 'remove'>('add');
  const m = useMutation({
    mutationFn: () => api<{ changed: number }>(`/segments/${id}/tags`, { body: { action, tag } }),
    onSuccess: (r) => {
      onDone(
        `${action === 'add' ? 'Tagged' : 'Untagged'} ${r.changed.toLocaleString()} ${r.changed === 1 ? 'customer' : 'customers'} “${tag.trim()}”.`,
      );
      void qc.invalidateQueries({ queryKey: [`segment-members-${id}`] });
      setTag('');
      onClose();
    },
  });
  const err = m.error instanceof ApiError ? m.error : undefined;
  return (
    <Dialog open={open} title="Tag every member" onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <SelectInput
          label="Action"
          value={action}
          onChange={(e) => setAction(e.target.value as 'add' | 'remove')}
          options={[
            { value: 'add', label: 'Add the tag' },
            { value: 'remove', label: 'Remove the tag' },
          ]}
        />
        <TextInput
          label="Tag"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
          error={err?.field('tag')}
          required
          maxLength={100}
        />
        {err && !err.field('tag') && <Alert>{err.detail}</Alert>}
        <FormActions onCancel={onClose} busy={m.isPending} disabled={!tag.trim()}>
          Apply to all members
        </FormActions>
      </form>
    </Dialog>
  );
}

function AddMembers({ id, onDone }: { id: string; onDone: () => void }) {
  const [emails, setEmails] = useState('');
  const [result, setResult] = useState<string>();
  const m = useMutation({
    mutationFn: () =>
      api<{ added: number; unknownEmails: string[] }>(`/segments/${id}/members`, {
        body: {
          addEmails: emails
            .split(/[\s,;]+/)
            .map((e) => e.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: (r) => {
      setResult(
        `Added ${r.added}.${r.unknownEmails.length ? ` Not customers here: ${r.unknownEmails.join(', ')}.` : ''}`,
      );
      setEmails('');
      onDone();
    },
  });
  return (
    <Card title="Add customers" description="Paste emails, one per line or separated by commas.">
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <label className="block">
          <span className="sr-only">Emails to add</span>
          <textarea
            aria-label="Emails to add"
            className="block min-h-24 w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
            value={emails}
            onChange={(e) => setEmails(e.target.value)}
          />
        </label>
        {m.error && <Alert>{errorMessage(m.error)}</Alert>}
        {result && <Alert tone="green">{result}</Alert>}
        <Button type="submit" busy={m.isPending} disabled={!emails.trim()}>
          Add to list
        </Button>
      </form>
    </Card>
  );
}
