import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  type Permission,
  permissions,
  type Role,
  roleLabels,
  rolePermissions,
  roles,
} from '../../../../contracts/roles.ts';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { useCan, useMe } from '../../app/session.ts';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  dateTime,
  EmptyState,
  FormActions,
  PageHeader,
  SelectInput,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

type Member = {
  userId: string;
  email: string;
  name: string;
  role: Role;
  twoFactorEnabled: boolean;
  version: number;
  joinedAt: string;
};
type Invitation = {
  id: string;
  email: string;
  role: Role;
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  invitedBy: string | null;
  expiresAt: string;
  createdAt: string;
};

const roleOptions = roles.map((r) => ({ value: r, label: roleLabels[r] }));
const statusTone = { pending: 'blue', accepted: 'green', revoked: 'gray', expired: 'amber' } as const;

function InviteDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const me = useMe();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('sales');
  const m = useMutation({
    mutationFn: () => api('/invitations', { body: { email, role } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['invitations'] });
      setEmail('');
      onClose();
    },
  });
  const options = roleOptions.filter((o) => o.value !== 'owner' || me.workspace?.role === 'owner');
  return (
    <Dialog open={open} title="Invite a teammate" onClose={onClose}>
      <form
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        {m.error && !(m.error instanceof ApiError && m.error.field('email')) && (
          <Alert>{errorMessage(m.error)}</Alert>
        )}
        <TextInput
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
          error={m.error instanceof ApiError ? m.error.field('email') : undefined}
        />
        <SelectInput
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          options={options}
        />
        <p className="text-sm text-slate-600">They get an email with a link that works for 7 days.</p>
        <FormActions onCancel={onClose} busy={m.isPending}>
          Send invitation
        </FormActions>
      </form>
    </Dialog>
  );
}

function MemberRow({ m }: { m: Member }) {
  const qc = useQueryClient();
  const can = useCan();
  const me = useMe();
  const [confirm, setConfirm] = useState(false);
  const change = useMutation({
    mutationFn: (role: Role) =>
      api(`/members/${m.userId}`, { method: 'PATCH', body: { role, version: m.version } }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['members'] }),
  });
  const remove = useMutation({
    mutationFn: () => api(`/members/${m.userId}`, { method: 'DELETE' }),
    onSuccess: () => {
      setConfirm(false);
      void qc.invalidateQueries({ queryKey: ['members'] });
    },
  });
  const isMe = m.userId === me.user.id;
  return (
    <li className="flex flex-wrap items-center gap-3 py-3">
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium text-slate-900">
          {m.name} {isMe && <span className="text-sm font-normal text-slate-500">(you)</span>}
        </p>
        <p className="truncate text-sm text-slate-600">{m.email}</p>
      </div>
      {m.twoFactorEnabled && <Badge tone="green">2FA</Badge>}
      {can('members.update_role') ? (
        <div className="w-40">
          <label className="sr-only" htmlFor={`role-${m.userId}`}>
            Role of {m.name}
          </label>
          <select
            id={`role-${m.userId}`}
            value={m.role}
            onChange={(e) => change.mutate(e.target.value as Role)}
            className="w-full rounded-lg border-0 bg-white px-3 py-2 text-sm ring-1 ring-slate-300"
          >
            {roleOptions.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      ) : (
        <Badge tone="blue">{roleLabels[m.role]}</Badge>
      )}
      {can('members.remove') && !isMe && (
        <Button variant="ghost" onClick={() => setConfirm(true)} aria-label={`Remove ${m.name}`}>
          Remove
        </Button>
      )}
      {change.error && <p className="w-full text-sm text-red-700">{errorMessage(change.error)}</p>}
      <Dialog open={confirm} title={`Remove ${m.name}?`} onClose={() => setConfirm(false)}>
        <p className="text-sm text-slate-700">
          They lose access to this workspace at once. Their past work stays in the audit log.
        </p>
        {remove.error && (
          <div className="mt-3">
            <Alert>{errorMessage(remove.error)}</Alert>
          </div>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirm(false)}>
            Cancel
          </Button>
          <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate()}>
            Remove
          </Button>
        </div>
      </Dialog>
    </li>
  );
}

const permissionLabel = (p: Permission) => p.replace('_', ' ').replace('.', ': ');

export function MembersPage() {
  const can = useCan();
  const qc = useQueryClient();
  const [inviting, setInviting] = useState(false);
  const members = useQuery({ queryKey: ['members'], queryFn: () => api<{ data: Member[] }>('/members') });
  const invitations = useQuery({
    queryKey: ['invitations'],
    queryFn: () => api<{ data: Invitation[] }>('/invitations'),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/invitations/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['invitations'] }),
  });
  return (
    <>
      <PageHeader
        title="Users & roles"
        description="Who works in this workspace and what each role may do."
        actions={can('members.invite') && <Button onClick={() => setInviting(true)}>Invite</Button>}
      />
      <div className="space-y-6">
        <Card title="Members">
          {members.data ? (
            <ul className="divide-y divide-slate-100">
              {members.data.data.map((m) => (
                <MemberRow key={m.userId} m={m} />
              ))}
            </ul>
          ) : (
            <Spinner />
          )}
        </Card>
        <Card title="Invitations">
          {!invitations.data ? (
            <Spinner />
          ) : invitations.data.data.length === 0 ? (
            <EmptyState title="No invitations yet">
              Invite teammates by email; they choose their own password.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {invitations.data.data.map((i) => (
                <li key={i.id} className="flex flex-wrap items-center gap-3 py-3">
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium">{i.email}</p>
                    <p className="text-sm text-slate-600">
                      {roleLabels[i.role]} · invited {dateTime(i.createdAt)}
                      {i.invitedBy ? ` by ${i.invitedBy}` : ''} · expires {dateTime(i.expiresAt)}
                    </p>
                  </div>
                  <Badge tone={statusTone[i.status]}>{i.status}</Badge>
                  {i.status === 'pending' && can('members.invite') && (
                    <Button
                      variant="ghost"
                      busy={revoke.isPending && revoke.variables === i.id}
                      onClick={() => revoke.mutate(i.id)}
                    >
                      Revoke
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="What each role can do">
          <div className="-mx-5 overflow-x-auto">
            <table className="min-w-full text-sm">
              <caption className="sr-only">Permissions by role</caption>
              <thead>
                <tr className="text-left text-slate-600">
                  <th scope="col" className="px-5 py-2 font-medium">
                    Permission
                  </th>
                  {roles.map((r) => (
                    <th key={r} scope="col" className="px-2 py-2 text-center font-medium">
                      {roleLabels[r]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {permissions.map((p) => (
                  <tr key={p}>
                    <th
                      scope="row"
                      className="px-5 py-2 text-left font-normal whitespace-nowrap text-slate-800"
                    >
                      {permissionLabel(p)}
                    </th>
                    {roles.map((r) => (
                      <td key={r} className="px-2 py-2 text-center">
                        {rolePermissions[r].includes(p) ? (
                          <span className="text-emerald-600">
                            <span aria-hidden>●</span>
                            <span className="sr-only">yes</span>
                          </span>
                        ) : (
                          <span className="text-slate-300">
                            <span aria-hidden>–</span>
                            <span className="sr-only">no</span>
                          </span>
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      </div>
      <InviteDialog open={inviting} onClose={() => setInviting(false)} />
    </>
  );
}
