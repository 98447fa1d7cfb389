import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api } from '../../app/api.ts';
import { useCan, useMe } from '../../app/session.ts';
import { Card, PageHeader } from '../../components/ui.tsx';

type Step = { done: boolean; title: string; text: string; to: string; action: string };

export function HomePage() {
  const me = useMe();
  const can = useCan();
  const members = useQuery({
    queryKey: ['members'],
    queryFn: () => api<{ data: unknown[] }>('/members'),
    enabled: can('members.read'),
  });
  const invitations = useQuery({
    queryKey: ['invitations'],
    queryFn: () => api<{ data: { status: string }[] }>('/invitations'),
    enabled: can('members.read'),
  });
  const orders = useQuery({
    queryKey: ['orders', 'count-probe'],
    queryFn: () => api<{ data: unknown[] }>('/orders?limit=1'),
    enabled: can('orders.read'),
  });
  const integrations = useQuery({
    queryKey: ['integrations'],
    queryFn: () => api<{ data: unknown[] }>('/integrations'),
    enabled: can('integrations.manage'),
  });
  if (!me.workspace) {
    return (
      <PageHeader
        title={`Welcome, ${me.user.name}`}
        description="You are not a member of any workspace any more. Ask an admin for an invitation, or create a workspace from the menu."
      />
    );
  }
  const steps: Step[] = [
    {
      done: (orders.data?.data.length ?? 0) > 0 || (integrations.data?.data.length ?? 0) > 0,
      title: 'Bring in your store data',
      text: 'Connect Shopify or WooCommerce, or import a CSV of orders.',
      to: '/integrations',
      action: 'Connect a store',
    },
    {
      done:
        (members.data?.data.length ?? 0) > 1 ||
        (invitations.data?.data.some((i) => i.status === 'pending') ?? false),
      title: 'Invite your team',
      text: 'Sales, support and marketing each get a role that fits.',
      to: '/settings/members',
      action: 'Invite a teammate',
    },
    {
      done: me.workspace.timeZone !== 'UTC',
      title: "Set your store's time zone",
      text: 'Reports and sends follow it.',
      to: '/settings/workspace',
      action: 'Open settings',
    },
    {
      done: me.user.twoFactorEnabled,
      title: 'Turn on two-factor',
      text: 'Protect customer data with a code from your phone.',
      to: '/account',
      action: 'Set it up',
    },
  ];
  const visible = steps.filter(
    (s) =>
      !(s.to === '/settings/members' && !can('members.invite')) &&
      !(s.to === '/integrations' && !can('integrations.manage')) &&
      !(s.to === '/settings/workspace' && !can('workspace.update')),
  );
  const left = visible.filter((s) => !s.done).length;
  return (
    <>
      <PageHeader
        title={`Welcome, ${me.user.name.split(' ')[0]}`}
        description={`${me.workspace.name} · ${left === 0 ? 'all set up' : `${left} step${left === 1 ? '' : 's'} to finish setting up`}`}
      />
      <Card title="Get started">
        <ol className="divide-y divide-slate-100">
          {visible.map((s) => (
            <li key={s.title} className="flex flex-wrap items-center gap-4 py-4">
              <span
                aria-hidden
                className={`flex size-8 shrink-0 items-center justify-center rounded-full text-sm font-bold ${s.done ? 'bg-emerald-100 text-emerald-700' : 'bg-slate-100 text-slate-500'}`}
              >
                {s.done ? '✓' : '•'}
              </span>
              <div className="min-w-0 flex-1 basis-52">
                <p className={`font-medium ${s.done ? 'text-slate-500 line-through' : 'text-slate-900'}`}>
                  {s.title}
                  <span className="sr-only">{s.done ? ' (done)' : ' (to do)'}</span>
                </p>
                <p className="text-sm text-slate-600">{s.text}</p>
              </div>
              {!s.done && (
                <Link
                  to={s.to}
                  className="ml-12 rounded-lg px-3 py-2 sm:ml-0 text-sm font-medium text-brand-700 ring-1 ring-brand-100 hover:bg-brand-50"
                >
                  {s.action}
                </Link>
              )}
            </li>
          ))}
        </ol>
      </Card>
    </>
  );
}
