import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import type { Permission } from '../../../contracts/roles.ts';
import { roleLabels } from '../../../contracts/roles.ts';
import { Button, cx, Dialog, FormActions, TextInput } from '../components/ui.tsx';
import { api, errorMessage } from './api.ts';
import { CommandPalette } from './command-palette.tsx';
import { useCan, useMe } from './session.ts';

type NavItem = { to: string; label: string; icon: ReactNode; permission?: Permission; mobile?: boolean };

const icon = (d: string) => (
  <svg
    aria-hidden
    viewBox="0 0 24 24"
    className="size-5"
    fill="none"
    stroke="currentColor"
    strokeWidth={1.8}
    strokeLinecap="round"
    strokeLinejoin="round"
  >
    <path d={d} />
  </svg>
);

const nav: NavItem[] = [
  { to: '/', label: 'Home', icon: icon('M3 11l9-8 9 8M5 10v10h14V10'), mobile: true },
  {
    to: '/customers',
    label: 'Customers',
    icon: icon(
      'M16 19v-1a4 4 0 00-8 0v1M12 11a3 3 0 100-6 3 3 0 000 6M20 19v-1a3 3 0 00-2-2.8M4 19v-1a3 3 0 012-2.8',
    ),
    permission: 'customers.read',
    mobile: true,
  },
  {
    to: '/companies',
    label: 'Companies',
    icon: icon('M4 21V5a2 2 0 012-2h8a2 2 0 012 2v16M16 9h2a2 2 0 012 2v10M3 21h18M8 7h4M8 11h4M8 15h4'),
    permission: 'customers.read',
  },
  {
    to: '/orders',
    label: 'Orders',
    icon: icon('M6 7h12l-1 13H7L6 7zM9 7V5a3 3 0 016 0v2'),
    permission: 'orders.read',
    mobile: true,
  },
  {
    to: '/products',
    label: 'Products',
    icon: icon('M21 8l-9-5-9 5 9 5 9-5zM3 8v8l9 5 9-5V8'),
    permission: 'orders.read',
  },
  {
    to: '/segments',
    label: 'Segments',
    icon: icon('M4 4h16l-6 8v6l-4 2v-8L4 4z'),
    permission: 'customers.read',
  },
  {
    to: '/imports',
    label: 'Import',
    icon: icon('M12 3v12m0 0l-4-4m4 4l4-4M4 17v3h16v-3'),
    permission: 'orders.write',
  },
  {
    to: '/integrations',
    label: 'Integrations',
    icon: icon('M9 7H5a2 2 0 00-2 2v6a2 2 0 002 2h4m6-10h4a2 2 0 012 2v6a2 2 0 01-2 2h-4M8 12h8'),
    permission: 'integrations.manage',
  },
];
const settingsNav: NavItem[] = [
  {
    to: '/settings/workspace',
    label: 'Workspace',
    icon: icon('M4 21V5a2 2 0 012-2h12a2 2 0 012 2v16M9 7h6M9 11h6M9 15h6'),
  },
  {
    to: '/settings/members',
    label: 'Users & roles',
    icon: icon('M17 20v-2a4 4 0 00-3-3.9M7 20v-2a4 4 0 013-3.9M12 11a4 4 0 100-8 4 4 0 000 8'),
    permission: 'members.read',
  },
  {
    to: '/settings/fields',
    label: 'Custom fields',
    icon: icon('M4 6h16M4 12h10M4 18h6M17 15v6M14 18h6'),
    permission: 'customers.read',
  },
  {
    to: '/settings/scoring',
    label: 'Customer scoring',
    icon: icon('M4 20h16M7 16v-5M12 16V7M17 16v-8'),
    permission: 'customers.read',
  },
  {
    to: '/settings/audit',
    label: 'Audit log',
    icon: icon('M9 5h10M9 12h10M9 19h10M5 5h.01M5 12h.01M5 19h.01'),
    permission: 'audit.read',
  },
  {
    to: '/settings/outbox',
    label: 'Outbox',
    icon: icon('M4 6h16v12H4zM4 7l8 6 8-6'),
    permission: 'mail_outbox.read',
  },
  {
    to: '/account',
    label: 'My account',
    icon: icon('M12 12a4 4 0 100-8 4 4 0 000 8M4 21a8 8 0 0116 0'),
    mobile: true,
  },
];

function NavLink({ item, compact }: { item: NavItem; compact?: boolean }) {
  const path = useRouterState({ select: (s) => s.location.pathname });
  const active = item.to === '/' ? path === '/' : path.startsWith(item.to);
  return (
    <Link
      to={item.to}
      aria-current={active ? 'page' : undefined}
      className={cx(
        compact
          ? 'flex flex-1 flex-col items-center gap-0.5 py-2 text-[11px]'
          : 'flex items-center gap-3 rounded-lg px-3 py-2 text-sm',
        active ? 'bg-brand-50 font-semibold text-brand-700' : 'text-slate-700 hover:bg-slate-100',
      )}
    >
      {item.icon}
      <span>{item.label}</span>
    </Link>
  );
}

function WorkspaceSwitcher() {
  const me = useMe();
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState('');
  const switchTo = useMutation({
    mutationFn: (workspaceId: string) => api('/me/workspace', { body: { workspaceId } }),
    onSuccess: () => qc.invalidateQueries(),
  });
  const create = useMutation({
    mutationFn: () => api('/workspaces', { body: { name } }),
    onSuccess: async () => {
      setCreating(false);
      setName('');
      await qc.invalidateQueries();
    },
  });
  return (
    <div className="space-y-2">
      <label htmlFor="workspace-switcher" className="sr-only">
        Workspace
      </label>
      <select
        id="workspace-switcher"
        value={me.workspace?.id ?? ''}
        onChange={(e) => (e.target.value === '__new' ? setCreating(true) : switchTo.mutate(e.target.value))}
        className="w-full rounded-lg border-0 bg-white px-3 py-2 text-sm font-semibold text-slate-900 ring-1 ring-slate-300"
      >
        {me.workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
        <option value="__new">+ New workspace…</option>
      </select>
      <Dialog open={creating} title="Create a workspace" onClose={() => setCreating(false)}>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <TextInput
            label="Workspace name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={120}
            error={create.error ? errorMessage(create.error) : undefined}
          />
          <FormActions onCancel={() => setCreating(false)} busy={create.isPending}>
            Create workspace
          </FormActions>
        </form>
      </Dialog>
    </div>
  );
}

function SignOutButton({ className }: { className?: string }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return (
    <Button
      variant="ghost"
      className={className}
      onClick={async () => {
        await api('/auth/sign-out', { method: 'POST' });
        qc.clear();
        await navigate({ to: '/sign-in' });
      }}
    >
      Sign out
    </Button>
  );
}

export function Shell() {
  const me = useMe();
  const can = useCan();
  const visible = (items: NavItem[]) => items.filter((i) => !i.permission || can(i.permission));
  return (
    <div className="min-h-dvh lg:flex">
      <aside
        className="hidden w-64 shrink-0 flex-col gap-6 border-r border-slate-200 bg-white px-4 py-5 lg:flex"
        aria-label="Main"
      >
        <Link to="/" className="flex items-center gap-2 px-2 text-lg font-bold tracking-tight text-slate-900">
          <img src="/favicon.svg" alt="" className="size-7" /> Patron
        </Link>
        <WorkspaceSwitcher />
        <button
          type="button"
          onClick={() => window.dispatchEvent(new Event('patron:search'))}
          className="flex items-center gap-2 rounded-lg px-3 py-2 text-sm text-slate-600 ring-1 ring-slate-200 hover:bg-slate-50"
        >
          {icon('M11 18a7 7 0 100-14 7 7 0 000 14M21 21l-4.3-4.3')}
          <span className="flex-1 text-left">Find…</span>
          <kbd className="rounded bg-slate-100 px-1.5 text-xs text-slate-500">Ctrl K</kbd>
        </button>
        <nav aria-label="Sections" className="space-y-1">
          {visible(nav).map((i) => (
            <NavLink key={i.to} item={i} />
          ))}
        </nav>
        <nav aria-label="Settings" className="space-y-1">
          <p className="px-3 text-xs font-semibold tracking-wide text-slate-500 uppercase">Settings</p>
          {visible(settingsNav).map((i) => (
            <NavLink key={i.to} item={i} />
          ))}
        </nav>
        <div className="mt-auto border-t border-slate-200 pt-4">
          <p className="truncate px-2 text-sm font-medium text-slate-900">{me.user.name}</p>
          <p className="truncate px-2 text-xs text-slate-600">
            {me.user.email} · {me.workspace ? roleLabels[me.workspace.role] : 'no workspace'}
          </p>
          <SignOutButton className="mt-2 w-full justify-start" />
        </div>
      </aside>
      <div className="min-w-0 flex-1 pb-20 lg:pb-0">
        <header className="sticky top-0 z-10 flex items-center justify-between gap-3 border-b border-slate-200 bg-white/95 px-4 py-3 backdrop-blur lg:hidden">
          <Link to="/" className="flex items-center gap-2 font-bold">
            <img src="/favicon.svg" alt="" className="size-7" />
            <span className="sr-only sm:not-sr-only">Patron</span>
          </Link>
          <div className="min-w-0 flex-1">
            <WorkspaceSwitcher />
          </div>
          <SignOutButton />
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:px-6 lg:px-10 lg:py-10">
          <Outlet />
        </main>
        <CommandPalette />
        <nav
          aria-label="Sections (phone)"
          className="fixed inset-x-0 bottom-0 z-10 flex border-t border-slate-200 bg-white lg:hidden"
        >
          {visible([...nav, ...settingsNav].filter((i) => i.mobile)).map((i) => (
            <NavLink key={i.to} item={i} compact />
          ))}
          <NavLink
            item={{
              to: '/settings',
              label: 'Settings',
              icon: icon(
                'M12 15a3 3 0 100-6 3 3 0 000 6M19 12a7 7 0 01-.1 1.2l2 1.6-2 3.4-2.4-1a7 7 0 01-2 1.2L14 21h-4l-.5-2.6a7 7 0 01-2-1.2l-2.4 1-2-3.4 2-1.6A7 7 0 015 12',
              ),
            }}
            compact
          />
        </nav>
      </div>
    </div>
  );
}

/** On phones, settings are one tap away from the bottom bar. */
export function SettingsIndex() {
  const can = useCan();
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold">Settings</h1>
      <ul className="divide-y divide-slate-200 overflow-hidden rounded-xl bg-white ring-1 ring-slate-200">
        {[...nav, ...settingsNav]
          .filter((i) => i.to !== '/' && (!i.permission || can(i.permission)))
          .map((i) => (
            <li key={i.to}>
              <Link
                to={i.to}
                className="flex items-center gap-3 px-4 py-3 text-sm text-slate-800 hover:bg-slate-50"
              >
                {i.icon}
                {i.label}
              </Link>
            </li>
          ))}
      </ul>
    </div>
  );
}
