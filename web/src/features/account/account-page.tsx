import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import {
  Alert,
  Badge,
  Button,
  Card,
  dateTime,
  PageHeader,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

type Session = {
  id: string;
  current: boolean;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
  lastSeenAt: string;
};

function Profile() {
  const me = useMe();
  const qc = useQueryClient();
  const [name, setName] = useState(me.user.name);
  const m = useMutation({
    mutationFn: () => api('/me', { method: 'PATCH', body: { name } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['me'] }),
  });
  return (
    <Card title="Profile" description={me.user.email}>
      <form
        className="flex max-w-xl flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <div className="min-w-60 flex-1">
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={120}
            error={m.error ? errorMessage(m.error) : undefined}
          />
        </div>
        <Button type="submit" busy={m.isPending}>
          Save
        </Button>
        {m.isSuccess && (
          <span role="status" className="text-sm text-emerald-700">
            Saved.
          </span>
        )}
      </form>
    </Card>
  );
}

function Password() {
  const [form, setForm] = useState({ currentPassword: '', newPassword: '' });
  const m = useMutation({
    mutationFn: () => api('/me/password', { body: form }),
    onSuccess: () => setForm({ currentPassword: '', newPassword: '' }),
  });
  const err = m.error instanceof ApiError ? m.error : undefined;
  return (
    <Card title="Password" description="Changing it signs you out everywhere else.">
      <form
        className="grid max-w-xl gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        {m.isSuccess && <Alert tone="green">Password changed; your other sessions were signed out.</Alert>}
        <TextInput
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={form.currentPassword}
          onChange={(e) => setForm({ ...form, currentPassword: e.target.value })}
          required
          error={err?.field('currentPassword')}
        />
        <TextInput
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
          value={form.newPassword}
          onChange={(e) => setForm({ ...form, newPassword: e.target.value })}
          required
          minLength={10}
          error={err?.field('newPassword')}
        />
        {m.error && !err?.errors.length && <Alert>{errorMessage(m.error)}</Alert>}
        <div>
          <Button type="submit" busy={m.isPending}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="space-y-3">
      <Alert tone="amber">
        Save these recovery codes somewhere safe. Each works once if you lose your phone; they will not be
        shown again.
      </Alert>
      <ul className="grid grid-cols-2 gap-2 rounded-lg bg-slate-50 p-4 font-mono text-sm sm:grid-cols-5">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <Button variant="secondary" onClick={() => navigator.clipboard?.writeText(codes.join('\n'))}>
        Copy codes
      </Button>
    </div>
  );
}

function TwoFactor() {
  const me = useMe();
  const qc = useQueryClient();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const setup = useMutation({
    mutationFn: () =>
      api<{ secret: string; otpauthUrl: string; qrSvg: string }>('/me/two-factor/setup', {
        body: { password },
      }),
  });
  const enable = useMutation({
    mutationFn: () => api<{ recoveryCodes: string[] }>('/me/two-factor/enable', { body: { code } }),
    onSuccess: (r) => {
      setCodes(r.recoveryCodes);
      setPassword('');
      void qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const disable = useMutation({
    mutationFn: () => api('/me/two-factor/disable', { body: { password } }),
    onSuccess: () => {
      setPassword('');
      setup.reset();
      void qc.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const regenerate = useMutation({
    mutationFn: () =>
      api<{ recoveryCodes: string[] }>('/me/two-factor/recovery-codes', { body: { password } }),
    onSuccess: (r) => setCodes(r.recoveryCodes),
  });
  const on = me.user.twoFactorEnabled;
  return (
    <Card
      title="Two-factor authentication"
      description="A code from an authenticator app on your phone, on top of your password."
      actions={<Badge tone={on ? 'green' : 'gray'}>{on ? 'On' : 'Off'}</Badge>}
    >
      <div className="max-w-xl space-y-4">
        {codes && <RecoveryCodes codes={codes} />}
        {on ? (
          <form className="space-y-3" onSubmit={(e) => e.preventDefault()}>
            <TextInput
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={
                disable.error || regenerate.error
                  ? errorMessage(disable.error ?? regenerate.error)
                  : undefined
              }
            />
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" busy={regenerate.isPending} onClick={() => regenerate.mutate()}>
                New recovery codes
              </Button>
              <Button variant="danger" busy={disable.isPending} onClick={() => disable.mutate()}>
                Turn off two-factor
              </Button>
            </div>
          </form>
        ) : setup.data ? (
          <form
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              enable.mutate();
            }}
          >
            <p className="text-sm text-slate-700">
              Scan this code with your authenticator app (or enter the key), then type the 6-digit code it
              shows.
            </p>
            <img
              src={`data:image/svg+xml;utf8,${encodeURIComponent(setup.data.qrSvg)}`}
              alt="QR code for your authenticator app"
              className="size-44 rounded-lg ring-1 ring-slate-200"
            />
            <p className="text-sm">
              Key: <code className="rounded bg-slate-100 px-1.5 py-0.5 break-all">{setup.data.secret}</code>
            </p>
            <TextInput
              label="6-digit code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              required
              error={enable.error ? errorMessage(enable.error) : undefined}
            />
            <Button type="submit" busy={enable.isPending}>
              Turn on two-factor
            </Button>
          </form>
        ) : (
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              setup.mutate();
            }}
          >
            <TextInput
              label="Password"
              type="password"
              autoComplete="current-password"
              hint="Confirm it's you to start."
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              error={setup.error ? errorMessage(setup.error) : undefined}
            />
            <Button type="submit" busy={setup.isPending}>
              Set up two-factor
            </Button>
          </form>
        )}
      </div>
    </Card>
  );
}

function Sessions() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['sessions'], queryFn: () => api<{ data: Session[] }>('/me/sessions') });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/me/sessions/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sessions'] }),
  });
  const others = useMutation({
    mutationFn: () => api('/me/sessions', { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['sessions'] }),
  });
  return (
    <Card
      title="Sessions"
      description="Where you are signed in."
      actions={
        <Button variant="secondary" busy={others.isPending} onClick={() => others.mutate()}>
          Sign out everywhere else
        </Button>
      }
    >
      {!q.data ? (
        <Spinner />
      ) : (
        <ul className="divide-y divide-slate-100">
          {q.data.data.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-3 py-3">
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium text-slate-900">
                  {s.userAgent ?? 'Unknown browser'}
                </p>
                <p className="text-sm text-slate-600">
                  {s.ip ?? 'unknown address'} · signed in {dateTime(s.createdAt)} · last seen{' '}
                  {dateTime(s.lastSeenAt)}
                </p>
              </div>
              {s.current ? (
                <Badge tone="green">This session</Badge>
              ) : (
                <Button
                  variant="ghost"
                  busy={revoke.isPending && revoke.variables === s.id}
                  onClick={() => revoke.mutate(s.id)}
                >
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export function AccountPage() {
  return (
    <>
      <PageHeader title="My account" />
      <div className="space-y-6">
        <Profile />
        <Password />
        <TwoFactor />
        <Sessions />
      </div>
    </>
  );
}
