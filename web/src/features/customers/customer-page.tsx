// The customer page (360): who they are, what they are worth, how healthy the relationship is and
// why, tags, notes, custom fields and everything that happened, newest first.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import type { Customer360, TimelineItem } from '../../../../contracts/customers.ts';
import { timelineKinds } from '../../../../contracts/customers.ts';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { LoadMore } from '../../app/cursor-list.tsx';
import { useCan, useMe } from '../../app/session.ts';
import {
  Alert,
  Badge,
  Button,
  buttonClass,
  Card,
  cx,
  DetailRow,
  Dialog,
  dateTime,
  EmptyState,
  FormActions,
  money,
  PageHeader,
  Spinner,
  Stat,
  TextInput,
} from '../../components/ui.tsx';
import { CompanyCard } from './company-card.tsx';
import { CustomFieldsCard } from './custom-values.tsx';
import { RelationsCard } from './relations-card.tsx';

type Customer = Customer360['customer'];

export const stageLabels: Record<string, string> = {
  lead: 'Lead',
  prospect: 'Prospect',
  customer: 'Customer',
  loyal: 'Loyal',
  at_risk: 'At risk',
  churned: 'Churned',
};
export const stageTone = (s: string | null) =>
  s === 'loyal' ? 'green' : s === 'at_risk' ? 'amber' : s === 'churned' ? 'red' : 'blue';
const riskTone = (r: string | null) => (r === 'high' ? 'red' : r === 'medium' ? 'amber' : 'green');
const tagTones: Record<string, string> = {
  gray: 'bg-slate-100 text-slate-800 ring-slate-200',
  red: 'bg-red-50 text-red-800 ring-red-200',
  amber: 'bg-amber-50 text-amber-900 ring-amber-200',
  green: 'bg-emerald-50 text-emerald-800 ring-emerald-200',
  blue: 'bg-sky-50 text-sky-800 ring-sky-200',
  violet: 'bg-violet-50 text-violet-800 ring-violet-200',
  pink: 'bg-pink-50 text-pink-800 ring-pink-200',
};
const kindLabels: Record<string, string> = {
  order: 'Orders',
  refund: 'Refunds',
  browse: 'Browsing',
  cart: 'Carts',
  note: 'Notes',
  tag: 'Tags',
  account: 'Account',
};
const kindDot: Record<string, string> = {
  order: 'bg-brand-600',
  refund: 'bg-red-500',
  browse: 'bg-slate-400',
  cart: 'bg-amber-500',
  note: 'bg-violet-500',
  tag: 'bg-emerald-500',
  account: 'bg-sky-500',
};

export const displayName = (c: Pick<Customer, 'firstName' | 'lastName' | 'email' | 'phone'>) =>
  [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || c.phone || 'Unnamed customer';

function useCustomer(id: string) {
  return useQuery({ queryKey: ['customer', id], queryFn: () => api<Customer360>(`/customers/${id}/360`) });
}

export function CustomerPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const q = useCustomer(id);
  const can = useCan();
  const [editing, setEditing] = useState(false);
  if (q.error)
    return (
      <EmptyState title="Customer not found">
        <Link to="/customers" className="underline">
          Back to customers
        </Link>
      </EmptyState>
    );
  if (!q.data) return <Spinner />;
  const d = q.data;
  const c = d.customer;
  const cur = c.currency;
  return (
    <>
      <PageHeader
        title={displayName(c)}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {c.lifecycleStage && (
              <Badge tone={stageTone(c.lifecycleStage)}>{stageLabels[c.lifecycleStage]}</Badge>
            )}
            {c.tier && (
              <Badge tone={c.tier === 'gold' ? 'amber' : 'gray'}>
                {c.tier[0]!.toUpperCase() + c.tier.slice(1)} tier
              </Badge>
            )}
            {c.churnRisk && <Badge tone={riskTone(c.churnRisk)}>Churn risk: {c.churnRisk}</Badge>}
            {c.company && <span>{c.company}</span>}
          </span>
        }
        actions={
          <>
            {c.email && (
              <a href={`mailto:${c.email}`} className={buttonClass('secondary')}>
                Email
              </a>
            )}
            {c.phone && (
              <a href={`tel:${c.phone}`} className={buttonClass('secondary')}>
                Call
              </a>
            )}
            {can('customers.write') && (
              <Button variant="secondary" onClick={() => setEditing(true)}>
                Edit
              </Button>
            )}
          </>
        }
      />
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-5">
        <Stat
          label="Lifetime value"
          value={money(c.totalSpentMinor, cur)}
          hint={c.refundedMinor ? `${money(c.refundedMinor, cur)} refunded` : 'net of refunds'}
        />
        <Stat label="Average order" value={c.ordersCount ? money(c.aovMinor, cur) : '—'} />
        <Stat
          label="Orders"
          value={String(c.ordersCount)}
          hint={c.avgDaysBetweenOrders ? `every ${Math.round(c.avgDaysBetweenOrders)} days` : undefined}
        />
        <Stat
          label="Since last order"
          value={d.daysSinceLastOrder === null ? '—' : `${d.daysSinceLastOrder} days`}
        />
        <HealthStat score={c.healthScore} reasons={d.healthReasons} />
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="min-w-0 space-y-6">
          <ContactCard d={d} />
          <CompanyCard d={d} />
          <RelationsCard d={d} />
          <TagsCard d={d} />
          <FieldsCard d={d} />
          <OrdersCard d={d} />
        </div>
        <div className="min-w-0 space-y-6">
          <NotesCard d={d} />
          <TimelineCard id={id} first={d.timeline} />
        </div>
      </div>
      {editing && <EditDialog d={d} onClose={() => setEditing(false)} />}
    </>
  );
}

function HealthStat({ score, reasons }: { score: number | null; reasons: Customer360['healthReasons'] }) {
  const tone =
    score === null
      ? 'text-slate-500'
      : score >= 70
        ? 'text-emerald-700'
        : score >= 40
          ? 'text-amber-700'
          : 'text-red-700';
  return (
    <details className="group rounded-xl bg-white px-4 py-3 shadow-sm ring-1 ring-slate-200">
      <summary className="cursor-pointer list-none">
        <p className="text-xs font-medium uppercase tracking-wide text-slate-600">Health score</p>
        <p className={cx('mt-1 text-xl font-semibold tabular-nums', tone)} data-testid="health-score">
          {score ?? '—'}
          <span className="text-sm font-normal text-slate-500"> / 100</span>
        </p>
        <p className="text-xs text-brand-700 group-open:hidden">Why?</p>
      </summary>
      <ul className="mt-2 space-y-1 text-xs text-slate-700">
        {reasons.map((r) => (
          <li key={r.factor} className="flex justify-between gap-2">
            <span>{r.text}</span>
            <span className="tabular-nums text-slate-500">
              {r.points}/{r.max}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}

function ContactCard({ d }: { d: Customer360 }) {
  const c = d.customer;
  const me = useMe();
  return (
    <Card title="Contact">
      <dl className="divide-y divide-slate-100">
        <DetailRow label="Email">{c.email ?? '—'}</DetailRow>
        <DetailRow label="Phone">{c.phone ?? '—'}</DetailRow>
        <DetailRow label="Company">{d.company?.name ?? c.company ?? '—'}</DetailRow>
        <DetailRow label="Location">{[c.city, c.country].filter(Boolean).join(', ') || '—'}</DetailRow>
        <DetailRow label="Email marketing">{c.emailConsent ?? 'not recorded'}</DetailRow>
        <DetailRow label="SMS marketing">{c.smsConsent ?? 'not recorded'}</DetailRow>
        <DetailRow label="Owner">
          <OwnerControl d={d} />
        </DetailRow>
        <DetailRow label="Customer since">
          {dateTime(c.firstOrderAt ?? c.createdAt, me.workspace?.timeZone)}
        </DetailRow>
        {c.externalIds.map((x) => (
          <DetailRow key={`${x.kind}:${x.value}`} label={x.kind}>
            <span className="font-mono text-xs">{x.value}</span>
          </DetailRow>
        ))}
      </dl>
      {d.addresses.length > 0 && (
        <div className="mt-3 border-t border-slate-100 pt-3 text-sm text-slate-700">
          <p className="mb-1 font-medium text-slate-900">Addresses</p>
          {d.addresses.map((a, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: addresses carry no ids
            <p key={i}>
              {['address1', 'city', 'zip', 'country']
                .map((k) => a[k])
                .filter(Boolean)
                .join(', ')}
            </p>
          ))}
        </div>
      )}
    </Card>
  );
}

/** The customer's owner: a teammate chosen from the workspace's members, or unassigned. */
function OwnerControl({ d }: { d: Customer360 }) {
  const can = useCan();
  const refresh = useRefresh(d.customer.id);
  const members = useQuery({
    queryKey: ['members'],
    enabled: can('customers.write'),
    queryFn: () => api<{ data: { userId: string; name: string }[] }>('/members'),
  });
  const assign = useMutation({
    mutationFn: (ownerUserId: string | null) =>
      api(`/customers/${d.customer.id}`, {
        method: 'PATCH',
        body: { version: d.customer.version, ownerUserId },
      }),
    onSuccess: refresh,
  });
  if (!can('customers.write')) return <>{d.owner?.name ?? 'Unassigned'}</>;
  const list = members.data?.data ?? [];
  const options = [...(d.owner && !list.some((m) => m.userId === d.owner?.userId) ? [d.owner] : []), ...list];
  const err = assign.error instanceof ApiError ? assign.error : undefined;
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <select
        aria-label="Owner"
        value={d.owner?.userId ?? ''}
        disabled={assign.isPending || members.isPending}
        onChange={(e) => assign.mutate(e.target.value || null)}
        className="m-px max-w-48 rounded-md border-0 bg-white py-1 pr-8 pl-2 text-right text-sm text-slate-900 ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
      >
        <option value="">Unassigned</option>
        {options.map((m) => (
          <option key={m.userId} value={m.userId}>
            {m.name}
          </option>
        ))}
      </select>
      {err && (
        <span className="text-xs whitespace-normal text-red-700" role="alert">
          {err.status === 409 ? 'Someone else changed this customer; reload to see it.' : err.detail}
        </span>
      )}
    </span>
  );
}

function useRefresh(id: string) {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: ['customer', id] });
    void qc.invalidateQueries({ queryKey: ['timeline', id] });
    // the outbox writes the timeline a moment later
    setTimeout(() => void qc.invalidateQueries({ queryKey: ['timeline', id] }), 1500);
  };
}

function TagsCard({ d }: { d: Customer360 }) {
  const id = d.customer.id;
  const can = useCan();
  const refresh = useRefresh(id);
  const [tag, setTag] = useState('');
  const change = useMutation({
    mutationFn: (body: { add?: string[]; remove?: string[] }) => api(`/customers/${id}/tags`, { body }),
    onSuccess: () => {
      setTag('');
      refresh();
    },
  });
  return (
    <Card title="Tags">
      <ul className="flex flex-wrap gap-2" aria-label="Tags">
        {d.tags.length === 0 && <li className="text-sm text-slate-600">No tags yet.</li>}
        {d.tags.map((t) => (
          <li
            key={t.name}
            className={cx(
              'inline-flex items-center gap-1 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset',
              tagTones[t.colour],
            )}
          >
            {t.name}
            {can('customers.write') && (
              <button
                type="button"
                aria-label={`Remove tag ${t.name}`}
                className="-mr-1 rounded-full px-1 hover:bg-black/10"
                onClick={() => change.mutate({ remove: [t.name] })}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {can('customers.write') && (
        <form
          className="mt-3 flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (tag.trim()) change.mutate({ add: [tag.trim()] });
          }}
        >
          <label className="min-w-0 flex-1">
            <span className="sr-only">New tag</span>
            <input
              aria-label="New tag"
              value={tag}
              maxLength={100}
              onChange={(e) => setTag(e.target.value)}
              placeholder="Add a tag"
              className="block w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
            />
          </label>
          <Button type="submit" variant="secondary" busy={change.isPending} disabled={!tag.trim()}>
            Add tag
          </Button>
        </form>
      )}
      {change.error && <p className="mt-2 text-sm text-red-700">{errorMessage(change.error)}</p>}
    </Card>
  );
}

function FieldsCard({ d }: { d: Customer360 }) {
  const refresh = useRefresh(d.customer.id);
  return (
    <CustomFieldsCard
      fields={d.fields}
      values={d.customer.custom}
      currency={d.customer.currency}
      none="None defined."
      onSave={(custom) =>
        api(`/customers/${d.customer.id}`, {
          method: 'PATCH',
          body: { version: d.customer.version, custom },
        }).then(refresh)
      }
    />
  );
}

function OrdersCard({ d }: { d: Customer360 }) {
  const me = useMe();
  return (
    <Card title="Recent orders">
      {d.recentOrders.length === 0 ? (
        <p className="text-sm text-slate-600">No orders yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {d.recentOrders.map((o) => (
            <li key={o.id} className="flex items-center justify-between gap-3 py-2 text-sm">
              <Link
                to="/orders/$id"
                params={{ id: o.id }}
                className="font-medium text-brand-700 hover:underline"
              >
                {o.number.startsWith('#') ? o.number : `#${o.number}`}
              </Link>
              <span className="text-xs text-slate-600">{dateTime(o.placedAt, me.workspace?.timeZone)}</span>
              <span className="tabular-nums">{money(o.totalMinor, o.currency)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function NotesCard({ d }: { d: Customer360 }) {
  const id = d.customer.id;
  const can = useCan();
  const me = useMe();
  const refresh = useRefresh(id);
  const [body, setBody] = useState('');
  const [pinned, setPinned] = useState(false);
  const add = useMutation({
    mutationFn: () => api(`/customers/${id}/notes`, { body: { body, pinned } }),
    onSuccess: () => {
      setBody('');
      setPinned(false);
      refresh();
    },
  });
  const update = useMutation({
    mutationFn: (n: { id: string; version: number; pinned: boolean }) =>
      api(`/customers/${id}/notes/${n.id}`, {
        method: 'PATCH',
        body: { version: n.version, pinned: n.pinned },
      }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (noteId: string) => api(`/customers/${id}/notes/${noteId}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  return (
    <Card title="Notes">
      {can('customers.write') && (
        <form
          className="mb-4 space-y-2"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <label className="block">
            <span className="sr-only">New note</span>
            <textarea
              aria-label="New note"
              value={body}
              onChange={(e) => setBody(e.target.value)}
              maxLength={10_000}
              placeholder="Add a note — mention a teammate with @their-email"
              className="block min-h-20 w-full rounded-lg border-0 px-3 py-2 text-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600"
            />
          </label>
          <div className="flex items-center justify-between gap-2">
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" checked={pinned} onChange={(e) => setPinned(e.target.checked)} />
              Pin to the top
            </label>
            <Button type="submit" busy={add.isPending} disabled={!body.trim()}>
              Add note
            </Button>
          </div>
          {add.error && <p className="text-sm text-red-700">{errorMessage(add.error)}</p>}
        </form>
      )}
      {d.notes.length === 0 ? (
        <p className="text-sm text-slate-600">No notes yet.</p>
      ) : (
        <ul className="space-y-3" aria-label="Notes">
          {d.notes.map((n) => (
            <li
              key={n.id}
              className={cx(
                'rounded-lg p-3 text-sm ring-1',
                n.pinned ? 'bg-amber-50 ring-amber-200' : 'bg-slate-50 ring-slate-200',
              )}
            >
              <p className="whitespace-pre-wrap break-words text-slate-900">{n.body}</p>
              <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600">
                {n.pinned && <span className="font-medium text-amber-800">Pinned</span>}
                <span>
                  {n.author?.name ?? 'Someone'} · {dateTime(n.createdAt, me.workspace?.timeZone)}
                </span>
                {n.mentions.length > 0 && <span>mentions {n.mentions.map((m) => m.name).join(', ')}</span>}
                {can('customers.write') && (
                  <span className="ml-auto flex gap-2">
                    <button
                      type="button"
                      className="font-medium text-brand-700 hover:underline"
                      onClick={() => update.mutate({ id: n.id, version: n.version, pinned: !n.pinned })}
                    >
                      {n.pinned ? 'Unpin' : 'Pin'}
                    </button>
                    <button
                      type="button"
                      className="font-medium text-red-700 hover:underline"
                      onClick={() => remove.mutate(n.id)}
                    >
                      Delete
                    </button>
                  </span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function TimelineCard({ id, first }: { id: string; first: Customer360['timeline'] }) {
  const me = useMe();
  const [kind, setKind] = useState<string>('');
  const list = useInfiniteQuery({
    queryKey: ['timeline', id, kind],
    initialPageParam: '',
    queryFn: ({ pageParam }) => {
      const s = new URLSearchParams({ limit: '30' });
      if (kind) s.set('kind', kind);
      if (pageParam) s.set('cursor', pageParam);
      return api<{ data: TimelineItem[]; nextCursor: string | null }>(`/customers/${id}/timeline?${s}`);
    },
    initialData: kind ? undefined : { pages: [first], pageParams: [''] },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card
      title="Timeline"
      actions={
        <select
          aria-label="Show"
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          className="rounded-lg border-0 px-3 py-1.5 text-sm ring-1 ring-slate-300"
        >
          <option value="">Everything</option>
          {timelineKinds.map((k) => (
            <option key={k} value={k}>
              {kindLabels[k]}
            </option>
          ))}
        </select>
      }
    >
      {list.isPending ? (
        <Spinner />
      ) : items.length === 0 ? (
        <p className="text-sm text-slate-600">Nothing yet.</p>
      ) : (
        <ol className="relative space-y-4 border-l border-slate-200 pl-5" aria-label="Timeline">
          {items.map((t) => (
            <li key={t.id} className="relative">
              <span
                className={cx(
                  'absolute -left-[25px] top-1.5 size-2.5 rounded-full ring-4 ring-white',
                  kindDot[t.kind],
                )}
              />
              <p className="text-sm text-slate-900">
                <RecordLink refType={t.refType} refId={t.refId}>
                  {t.title}
                </RecordLink>
              </p>
              {typeof t.detail.excerpt === 'string' && t.detail.excerpt && (
                <p className="truncate text-xs text-slate-600">{t.detail.excerpt}</p>
              )}
              <p className="text-xs text-slate-500">
                {kindLabels[t.kind]} · {dateTime(t.at, me.workspace?.timeZone)}
              </p>
            </li>
          ))}
        </ol>
      )}
      <LoadMore list={list} />
    </Card>
  );
}

function EditDialog({ d, onClose }: { d: Customer360; onClose: () => void }) {
  const c = d.customer;
  const refresh = useRefresh(c.id);
  const [form, setForm] = useState({
    firstName: c.firstName ?? '',
    lastName: c.lastName ?? '',
    phone: c.phone ?? '',
    company: c.company ?? '',
    city: c.city ?? '',
    country: c.country ?? '',
  });
  const save = useMutation({
    mutationFn: () =>
      api(`/customers/${c.id}`, {
        method: 'PATCH',
        body: {
          version: c.version,
          ...Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.trim() === '' ? null : v.trim()])),
        },
      }),
    onSuccess: () => {
      refresh();
      onClose();
    },
  });
  const err = save.error instanceof ApiError ? save.error : undefined;
  const field = (k: keyof typeof form, label: string) => (
    <TextInput
      label={label}
      value={form[k]}
      onChange={(e) => setForm({ ...form, [k]: e.target.value })}
      error={err?.field(k)}
    />
  );
  return (
    <Dialog open title={`Edit ${displayName(c)}`} onClose={onClose}>
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="grid grid-cols-2 gap-3">
          {field('firstName', 'First name')}
          {field('lastName', 'Last name')}
        </div>
        {field('phone', 'Phone')}
        {field('company', 'Company')}
        <div className="grid grid-cols-2 gap-3">
          {field('city', 'City')}
          {field('country', 'Country')}
        </div>
        {err && (
          <Alert>
            {err.status === 409
              ? 'Someone else changed this customer meanwhile. Reload to see their change.'
              : err.detail}
          </Alert>
        )}
        <FormActions onCancel={onClose} busy={save.isPending}>
          Save
        </FormActions>
      </form>
    </Dialog>
  );
}

/** A timeline item's title, linked to the record it is about (an order, a company, another customer). */
function RecordLink({
  refType,
  refId,
  children,
}: {
  refType: string | null;
  refId: string | null;
  children: React.ReactNode;
}) {
  const style = 'hover:underline';
  if (!refId) return <>{children}</>;
  if (refType === 'order')
    return (
      <Link to="/orders/$id" params={{ id: refId }} className={style}>
        {children}
      </Link>
    );
  if (refType === 'company')
    return (
      <Link to="/companies/$id" params={{ id: refId }} className={style}>
        {children}
      </Link>
    );
  if (refType === 'customer')
    return (
      <Link to="/customers/$id" params={{ id: refId }} className={style}>
        {children}
      </Link>
    );
  return <>{children}</>;
}
