import { Fragment, useState } from 'react';
import { LoadMore, useCursorList } from '../../app/cursor-list.tsx';
import { useMe } from '../../app/session.ts';
import { Alert, Badge, Card, dateTime, EmptyState, PageHeader, Spinner } from '../../components/ui.tsx';

type Message = {
  id: string;
  toEmail: string;
  subject: string;
  text: string;
  kind: string;
  status: 'held' | 'queued' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
};
const tone = { held: 'amber', queued: 'blue', sent: 'green', failed: 'red' } as const;

/** Message text with its links clickable (and nothing else interpreted). */
function Linked({ text }: { text: string }) {
  // split keeps the links at odd positions; a part's position is its stable key
  const parts = text.split(/(https?:\/\/\S+)/g).map((p, n) => ({ p, key: `${n}:${p.length}` }));
  return (
    <>
      {parts.map(({ p, key }) =>
        /^https?:\/\//.test(p) ? (
          <a key={key} href={p} className="break-all text-brand-700 underline">
            {p}
          </a>
        ) : (
          <Fragment key={key}>{p}</Fragment>
        ),
      )}
    </>
  );
}

export function OutboxPage() {
  const me = useMe();
  const [open, setOpen] = useState<string | null>(null);
  const q = useCursorList<Message>('outbox', '/mail-outbox');
  const list = q.items;
  return (
    <>
      <PageHeader
        title="Outbox"
        description="Every email Patron sent or holds for this workspace: invitations, password resets and more."
      />
      {list.some((m) => m.status === 'held') && (
        <div className="mb-4">
          <Alert tone="amber">
            Outgoing mail is not configured (SMTP_URL), so messages are held here instead of being sent.
            Nothing is lost: you can read and forward them.
          </Alert>
        </div>
      )}
      <Card>
        {q.isPending ? (
          <Spinner />
        ) : list.length === 0 ? (
          <EmptyState title="No mail yet">Invitations and password resets will appear here.</EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {list.map((m) => (
              <li key={m.id} className="py-3">
                <button
                  type="button"
                  aria-expanded={open === m.id}
                  onClick={() => setOpen(open === m.id ? null : m.id)}
                  className="flex w-full flex-wrap items-center gap-x-3 gap-y-1 text-left"
                >
                  <span className="min-w-0 flex-1">
                    <span className="block truncate font-medium text-slate-900">{m.subject}</span>
                    <span className="block truncate text-sm text-slate-600">to {m.toEmail}</span>
                  </span>
                  <Badge tone={tone[m.status]}>{m.status}</Badge>
                  <span className="text-xs text-slate-600">
                    {dateTime(m.createdAt, me.workspace?.timeZone)}
                  </span>
                </button>
                {open === m.id && (
                  <div className="mt-3 rounded-lg bg-slate-50 p-4 text-sm whitespace-pre-wrap text-slate-800">
                    <Linked text={m.text} />
                    {m.lastError && <p className="mt-2 text-red-700">Last error: {m.lastError}</p>}
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
