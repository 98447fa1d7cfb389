import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, type ReactNode, useState } from 'react';
import { roleLabels } from '../../../../contracts/roles.ts';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { meQuery } from '../../app/session.ts';
import { Alert, Button, Spinner, TextInput } from '../../components/ui.tsx';

function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-dvh items-center justify-center bg-gradient-to-b from-brand-50 to-slate-50 px-4 py-10">
      <div className="w-full max-w-md">
        <div className="mb-6 flex items-center justify-center gap-2 text-xl font-bold tracking-tight">
          <img src="/favicon.svg" alt="" className="size-8" /> Patron
        </div>
        <div className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">
          <h1 className="text-xl font-semibold text-slate-900">{title}</h1>
          {subtitle && <p className="mt-1 text-sm text-slate-600">{subtitle}</p>}
          <div className="mt-6">{children}</div>
        </div>
      </div>
    </main>
  );
}

const fieldError = (err: unknown, name: string) => (err instanceof ApiError ? err.field(name) : undefined);
const formError = (err: unknown) =>
  err instanceof ApiError && err.errors.length ? undefined : err ? errorMessage(err) : undefined;

function useSignedIn() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    qc.clear();
    await qc.fetchQuery(meQuery);
    await navigate({ to: '/' });
  };
}

export function SetupPage() {
  const signedIn = useSignedIn();
  const [form, setForm] = useState({ workspaceName: '', name: '', email: '', password: '' });
  const m = useMutation({ mutationFn: () => api('/setup', { body: form }), onSuccess: signedIn });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  return (
    <AuthLayout
      title="Welcome to Patron"
      subtitle="Set up your store's workspace and your owner account. It takes a minute."
    >
      <form
        className="space-y-4"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        {formError(m.error) && <Alert>{formError(m.error)}</Alert>}
        <TextInput
          label="Workspace name"
          hint="Usually your store's name."
          value={form.workspaceName}
          onChange={set('workspaceName')}
          required
          maxLength={120}
          error={fieldError(m.error, 'workspaceName')}
        />
        <TextInput
          label="Your name"
          autoComplete="name"
          value={form.name}
          onChange={set('name')}
          required
          maxLength={120}
          error={fieldError(m.error, 'name')}
        />
        <TextInput
          label="Email"
          type="email"
          autoComplete="email"
          value={form.email}
          onChange={set('email')}
          required
          error={fieldError(m.error, 'email')}
        />
        <TextInput
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
          value={form.password}
          onChange={set('password')}
          required
          minLength={10}
          error={fieldError(m.error, 'password')}
        />
        <Button type="submit" className="w-full" busy={m.isPending}>
          Create workspace
        </Button>
      </form>
    </AuthLayout>
  );
}

export function SignInPage() {
  const signedIn = useSignedIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const signIn = useMutation({
    mutationFn: () => api<{ twoFactorRequired: boolean }>('/auth/sign-in', { body: { email, password } }),
    onSuccess: (r) => (r.twoFactorRequired ? setNeedCode(true) : signedIn()),
  });
  const verify = useMutation({
    mutationFn: () => api('/auth/two-factor', { body: { code } }),
    onSuccess: signedIn,
  });
  if (needCode) {
    return (
      <AuthLayout
        title="Two-factor authentication"
        subtitle="Enter the 6-digit code from your authenticator app, or one of your recovery codes."
      >
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            verify.mutate();
          }}
        >
          {verify.error && <Alert>{errorMessage(verify.error)}</Alert>}
          <TextInput
            label="Code"
            inputMode="text"
            autoComplete="one-time-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
            minLength={6}
            autoFocus
          />
          <Button type="submit" className="w-full" busy={verify.isPending}>
            Verify
          </Button>
        </form>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Sign in" subtitle="Welcome back.">
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          signIn.mutate();
        }}
      >
        {signIn.error && <Alert>{errorMessage(signIn.error)}</Alert>}
        <TextInput
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <TextInput
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <Button type="submit" className="w-full" busy={signIn.isPending}>
          Sign in
        </Button>
        <p className="text-center text-sm">
          <Link to="/forgot-password" className="font-medium text-brand-700 hover:underline">
            Forgot your password?
          </Link>
        </p>
      </form>
    </AuthLayout>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const m = useMutation({ mutationFn: () => api('/auth/password-reset', { body: { email } }) });
  return (
    <AuthLayout title="Reset your password" subtitle="We'll email you a link to choose a new one.">
      {m.isSuccess ? (
        <Alert tone="green">
          If an account exists for {email}, a reset link is on its way. It works for one hour.
        </Alert>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            m.mutate();
          }}
        >
          {m.error && <Alert>{errorMessage(m.error)}</Alert>}
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
          <Button type="submit" className="w-full" busy={m.isPending}>
            Send reset link
          </Button>
        </form>
      )}
      <p className="mt-4 text-center text-sm">
        <Link to="/sign-in" className="font-medium text-brand-700 hover:underline">
          Back to sign in
        </Link>
      </p>
    </AuthLayout>
  );
}

export function ResetPasswordPage() {
  const { token } = useSearch({ strict: false }) as { token?: string };
  const [password, setPassword] = useState('');
  const m = useMutation({
    mutationFn: () => api('/auth/password-reset/confirm', { body: { token, password } }),
  });
  return (
    <AuthLayout title="Choose a new password">
      {m.isSuccess ? (
        <div className="space-y-4">
          <Alert tone="green">Your password is changed, and every session was signed out.</Alert>
          <Link
            to="/sign-in"
            className="block text-center text-sm font-medium text-brand-700 hover:underline"
          >
            Sign in
          </Link>
        </div>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            m.mutate();
          }}
        >
          {formError(m.error) && <Alert>{formError(m.error)}</Alert>}
          <TextInput
            label="New password"
            type="password"
            autoComplete="new-password"
            hint="At least 10 characters."
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={10}
            error={fieldError(m.error, 'password')}
          />
          <Button type="submit" className="w-full" busy={m.isPending} disabled={!token}>
            Set new password
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}

type Lookup = { workspaceName: string; email: string; role: keyof typeof roleLabels; accountExists: boolean };

export function AcceptInvitationPage() {
  const { token } = useSearch({ strict: false }) as { token?: string };
  const signedIn = useSignedIn();
  const lookup = useQuery({
    queryKey: ['invitation', token],
    queryFn: () => api<Lookup>(`/invitations/lookup?token=${encodeURIComponent(token ?? '')}`),
    retry: false,
    enabled: !!token,
  });
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const accept = useMutation({
    mutationFn: () =>
      api('/invitations/accept', {
        body: { token, password, ...(lookup.data?.accountExists ? {} : { name }) },
      }),
    onSuccess: signedIn,
  });
  if (!token || lookup.isError) {
    return (
      <AuthLayout title="Invitation">
        <Alert>{lookup.error ? errorMessage(lookup.error) : 'This link has no invitation in it.'}</Alert>
      </AuthLayout>
    );
  }
  if (!lookup.data) return <Spinner />;
  const inv = lookup.data;
  return (
    <AuthLayout
      title={`Join ${inv.workspaceName}`}
      subtitle={
        <>
          You were invited as <strong>{roleLabels[inv.role]}</strong> with {inv.email}.
        </>
      }
    >
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          accept.mutate();
        }}
      >
        {formError(accept.error) && <Alert>{formError(accept.error)}</Alert>}
        {!inv.accountExists && (
          <TextInput
            label="Your name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            error={fieldError(accept.error, 'name')}
          />
        )}
        <TextInput
          label={inv.accountExists ? 'Your password' : 'Choose a password'}
          type="password"
          autoComplete={inv.accountExists ? 'current-password' : 'new-password'}
          hint={
            inv.accountExists ? `You already have an account as ${inv.email}.` : 'At least 10 characters.'
          }
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
          error={fieldError(accept.error, 'password')}
        />
        <Button type="submit" className="w-full" busy={accept.isPending}>
          Accept invitation
        </Button>
      </form>
    </AuthLayout>
  );
}
