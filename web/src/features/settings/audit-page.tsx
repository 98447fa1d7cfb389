import { useState } from 'react';
import { LoadMore, useCursorList } from '../../app/cursor-list.tsx';
import { useMe } from '../../app/session.ts';
import { Button, Card, dateTime, EmptyState, PageHeader, Spinner, TextInput } from '../../components/ui.tsx';

type Entry = {
  id: string;
  actorEmail: string | null;
  action: string;
  recordType: string;
  recordId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  userAgent: string | null;
  at: string;
};

function changedKeys(before: unknown, after: unknown) {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])]
    .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
    .map((k) => ({ key: k, before: b[k], after: a[k] }));
}

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export function AuditPage() {
  const me = useMe();
  const tz = me.workspace?.timeZone;
  const [draft, setDraft] = useState({ action: '', actor: '', recordType: '', from: '', to: '' });
  const [filters, setFilters] = useState(draft);
  const [open, setOpen] = useState<string | null>(null);
  const q = useCursorList<Entry>('audit', '/audit-log', {
    action: filters.action,
    actor: filters.actor,
    recordType: filters.recordType,
    from: filters.from ? new Date(filters.from).toISOString() : undefined,
    to: filters.to ? new Date(filters.to).toISOString() : undefined,
  });
  const entries = q.items;
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change in this workspace: who, what, before and after, when and from where."
      />
      <Card className="mb-6">
        <form
          className="grid gap-4 sm:grid-cols-2 lg:grid-cols-5"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters(draft);
          }}
        >
          <TextInput
            label="Action"
            placeholder="member."
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
          <TextInput
            label="Who"
            placeholder="email"
            value={draft.actor}
            onChange={(e) => setDraft({ ...draft, actor: e.target.value })}
          />
          <TextInput
            label="Record type"
            placeholder="workspace"
            value={draft.recordType}
            onChange={(e) => setDraft({ ...draft, recordType: e.target.value })}
          />
          <TextInput
            label="From"
            type="datetime-local"
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
          <TextInput
            label="To"
            type="datetime-local"
            value={draft.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
          <div className="sm:col-span-2 lg:col-span-5">
            <Button type="submit">Filter</Button>
          </div>
        </form>
      </Card>
      <Card>
        {q.isPending ? (
          <Spinner />
        ) : entries.length === 0 ? (
          <EmptyState title="Nothing matches">Try fewer filters.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {entries.map((e) => (
              <li key={e.id} className="py-3">
                <button
                  type="button"
                  aria-expanded={open === e.id}
                  onClick={() => setOpen(open === e.id ? null : e.id)}
                  className="flex w-full flex-wrap items-baseline gap-x-3 gap-y-1 text-left"
                >
                  <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-semibold text-slate-800">
                    {e.action}
                  </code>
                  <span className="text-sm text-slate-800">{e.actorEmail ?? 'system'}</span>
                  <span className="ml-auto text-xs text-slate-600">{dateTime(e.at, tz)}</span>
                </button>
                {open === e.id && (
                  <div className="mt-3 space-y-2 rounded-lg bg-slate-50 p-3 text-sm">
                    <p className="text-slate-600">
                      {e.recordType} {e.recordId ?? ''} · IP {e.ip ?? '—'} · {e.userAgent ?? 'unknown client'}
                    </p>
                    <table className="w-full text-left">
                      <thead>
                        <tr className="text-slate-600">
                          <th className="py-1 pr-3 font-medium">Field</th>
                          <th className="py-1 pr-3 font-medium">Before</th>
                          <th className="py-1 font-medium">After</th>
                        </tr>
                      </thead>
                      <tbody>
                        {changedKeys(e.before, e.after).map((c) => (
                          <tr key={c.key} className="align-top">
                            <td className="py-1 pr-3 font-medium">{c.key}</td>
                            <td className="py-1 pr-3 break-all text-red-800">{show(c.before)}</td>
                            <td className="py-1 break-all text-emerald-800">{show(c.after)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
        <LoadMore list={q} />
      </Card>
    </>
  );
}
