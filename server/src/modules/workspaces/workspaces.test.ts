// Workspaces through HTTP: settings with optimistic concurrency, the permission matrix, owners,
// invitations, switching workspaces, idempotency and CSRF.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Role, roles } from '../../../../contracts/roles.ts';
import {
  Client,
  json,
  latestInvitationToken,
  memberOf,
  ownerOf,
  PASSWORD,
  startTestApp,
  type TestApp,
} from '../../../test/harness.ts';
import { rows } from '../../platform/db.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

type Ws = { name: string; version: number; timeZone: string };

type Audit = {
  action: string;
  recordType: string;
  recordId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  actorEmail: string;
  ip: string | null;
  userAgent: string | null;
};
const auditOf = async (c: Client, query: string) =>
  json<{ data: Audit[] }>(await c.get(`/api/v1/audit-log?${query}`)).data;
const code = (res: { body: string }) => json<{ code: string }>(res as never).code;

describe('workspace settings', () => {
  it('updates with the version read (body or If-Match); a stale or missing version changes nothing', async () => {
    const { client, email } = await ownerOf(t);
    const read = await client.get('/api/v1/workspace');
    const ws = json<Ws>(read);
    expect(read.headers.etag).toBe(`"${ws.version}"`);
    const ua = { 'user-agent': 'workspaces-test/2.0' };
    const ok = await client.patch('/api/v1/workspace', { name: 'Renamed', version: ws.version }, ua);
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe(`"${ws.version + 1}"`);
    const stale = await client.patch('/api/v1/workspace', { name: 'Stale', version: ws.version });
    expect(stale.statusCode).toBe(409);
    expect(code(stale)).toBe('version_conflict');
    const staleHeader = await client.patch(
      '/api/v1/workspace',
      { name: 'Stale header' },
      { 'if-match': `"${ws.version}"` },
    );
    expect(staleHeader.statusCode).toBe(409);
    const missing = await client.patch('/api/v1/workspace', { name: 'No version' });
    expect(missing.statusCode).toBe(428);
    expect(code(missing)).toBe('precondition_required');
    expect(json<Ws>(await client.get('/api/v1/workspace'))).toMatchObject({
      name: 'Renamed',
      version: ws.version + 1,
    });
    expect(
      (
        await client.patch(
          '/api/v1/workspace',
          { timeZone: 'Europe/Berlin' },
          { 'if-match': `"${ws.version + 1}"`, ...ua },
        )
      ).statusCode,
    ).toBe(200);
    expect(json<Ws>(await client.get('/api/v1/workspace'))).toMatchObject({
      name: 'Renamed',
      timeZone: 'Europe/Berlin',
      version: ws.version + 2,
    });
    const audit = await auditOf(client, 'action=workspace.updated');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      recordType: 'workspace',
      before: { timeZone: 'UTC', name: 'Renamed' },
      after: { timeZone: 'Europe/Berlin', name: 'Renamed' },
      actorEmail: email,
      ip: expect.any(String),
      userAgent: 'workspaces-test/2.0',
    });
    expect(audit[1]).toMatchObject({ before: { name: 'Acme' }, after: { name: 'Renamed' } });
  });

  it('refuses an unknown time zone with the field named, changing nothing', async () => {
    const { client } = await ownerOf(t);
    const ws = json<Ws>(await client.get('/api/v1/workspace'));
    const bad = await client.patch('/api/v1/workspace', {
      timeZone: 'Mars/Olympus_Mons',
      version: ws.version,
    });
    expect(bad.statusCode).toBe(400);
    const body = json<{ code: string; errors: { path: string }[] }>(bad);
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((e) => e.path)).toContain('body.timeZone');
    expect(json<Ws>(await client.get('/api/v1/workspace'))).toEqual(ws);
    expect(await auditOf(client, 'action=workspace.updated')).toEqual([]);
  });
});

describe('roles', () => {
  it('enforces the permission matrix in the API for every role', async () => {
    const owner = await ownerOf(t);
    const mismatches: string[] = [];
    for (const role of roles) {
      const m = role === 'owner' ? { client: owner.client } : await memberOf(t, owner.client, role);
      const target = await memberOf(t, owner.client, 'read-only');
      const checks: [string, boolean, () => Promise<{ statusCode: number; body: string }>][] = [
        [
          'workspace.update',
          can(role, 'workspace.update'),
          async () =>
            m.client.patch('/api/v1/workspace', {
              name: `by ${role}`,
              version: json<Ws>(await m.client.get('/api/v1/workspace')).version,
            }),
        ],
        [
          'members.invite',
          can(role, 'members.invite'),
          () =>
            m.client.post('/api/v1/invitations', { email: `from-${role}@example.com`, role: 'read-only' }),
        ],
        [
          'members.update_role',
          can(role, 'members.update_role'),
          () => m.client.patch(`/api/v1/members/${target.userId}`, { role: 'support' }),
        ],
        [
          'members.remove',
          can(role, 'members.remove'),
          () => m.client.delete(`/api/v1/members/${target.userId}`),
        ],
        ['audit.read', can(role, 'audit.read'), () => m.client.get('/api/v1/audit-log')],
        ['mail_outbox.read', can(role, 'mail_outbox.read'), () => m.client.get('/api/v1/mail-outbox')],
        ['integrations.manage', can(role, 'integrations.manage'), () => m.client.get('/api/v1/integrations')],
      ];
      for (const [perm, allowed, call] of checks) {
        const res = await call();
        const refused = res.statusCode === 403 && code(res) === 'forbidden';
        if (allowed ? res.statusCode >= 400 : !refused) mismatches.push(`${role} ${perm}: ${res.statusCode}`);
      }
      // what was refused changed nothing
      const members = json<{ data: { userId: string; role: string }[] }>(
        await owner.client.get('/api/v1/members'),
      );
      const t2 = members.data.find((x) => x.userId === target.userId);
      if (!can(role, 'members.remove') && !t2) mismatches.push(`${role}: target removed anyway`);
      if (!can(role, 'members.update_role') && t2?.role !== 'read-only')
        mismatches.push(`${role}: target role changed anyway`);
      const invited = await rows<{ n: string }>(
        t.database.db,
        sql`SELECT count(*)::text AS n FROM invitations WHERE email = ${`from-${role}@example.com`}`,
      );
      if (invited[0]!.n !== (can(role, 'members.invite') ? '1' : '0'))
        mismatches.push(`${role}: ${invited[0]!.n} invitations`);
    }
    expect(mismatches).toEqual([]);
    expect(json<Ws>(await owner.client.get('/api/v1/workspace')).name).toBe('by admin');
  });

  it('keeps owners safe: only an owner makes an owner, and the last owner stays', async () => {
    const owner = await ownerOf(t);
    const admin = await memberOf(t, owner.client, 'admin');
    const me = json<{ user: { id: string } }>(await owner.client.get('/api/v1/me')).user.id;
    expect(
      (await admin.client.post('/api/v1/invitations', { email: 'x-owner@example.com', role: 'owner' }))
        .statusCode,
    ).toBe(403);
    expect((await admin.client.patch(`/api/v1/members/${admin.userId}`, { role: 'owner' })).statusCode).toBe(
      403,
    );
    expect((await admin.client.patch(`/api/v1/members/${me}`, { role: 'sales' })).statusCode).toBe(403);
    expect((await admin.client.delete(`/api/v1/members/${me}`)).statusCode).toBe(403);
    const last = await owner.client.patch(`/api/v1/members/${me}`, { role: 'admin' });
    expect(last.statusCode).toBe(422);
    expect(code(last)).toBe('rule_violated');
    const lastRemove = await owner.client.delete(`/api/v1/members/${me}`);
    expect(lastRemove.statusCode).toBe(422);
    expect(code(lastRemove)).toBe('rule_violated');
    const roleOf = async (id: string) =>
      json<{ data: { userId: string; role: string }[] }>(await owner.client.get('/api/v1/members')).data.find(
        (x) => x.userId === id,
      )?.role;
    expect(await roleOf(me)).toBe('owner');
    expect(await roleOf(admin.userId)).toBe('admin');

    expect((await owner.client.patch(`/api/v1/members/${admin.userId}`, { role: 'owner' })).statusCode).toBe(
      200,
    );
    expect((await owner.client.patch(`/api/v1/members/${me}`, { role: 'admin' })).statusCode).toBe(200);
    expect(await roleOf(me)).toBe('admin');
    const audit = await auditOf(admin.client, 'action=member.role_changed');
    expect(audit.map((e) => [e.before?.role, e.after?.role])).toEqual([
      ['owner', 'admin'],
      ['admin', 'owner'],
    ]);
    expect(audit[0]).toMatchObject({ recordId: me, actorEmail: owner.email, ip: expect.any(String) });

    // the new owner removes the former one; a removed member's session loses the workspace
    expect((await admin.client.delete(`/api/v1/members/${me}`)).statusCode).toBe(200);
    expect((await owner.client.get('/api/v1/workspace')).statusCode).toBe(403);
    expect(json<{ workspace: unknown }>(await owner.client.get('/api/v1/me')).workspace).toBeNull();
    const removed = await auditOf(admin.client, 'action=member.removed');
    expect(removed[0]).toMatchObject({ recordId: me, before: { role: 'admin' }, actorEmail: admin.email });
  });
});

describe('invitations', () => {
  it('runs the whole life of an invitation', async () => {
    const owner = await ownerOf(t);
    const email = `new-${Date.now()}@example.com`;
    const created = await owner.client.post('/api/v1/invitations', { email, role: 'support' });
    expect(created.statusCode).toBe(201);
    expect(json(created)).toMatchObject({
      email,
      role: 'support',
      status: 'pending',
      invitedBy: owner.email,
    });
    const mail = json<{ data: { toEmail: string; kind: string; text: string }[] }>(
      await owner.client.get('/api/v1/mail-outbox'),
    ).data.find((m) => m.toEmail === email);
    expect(mail).toMatchObject({
      kind: 'invitation',
      text: expect.stringMatching(/\/accept-invitation\?token=/),
    });
    const token = await latestInvitationToken(t, email);
    const anon = new Client(t.app);
    expect(json(await anon.get(`/api/v1/invitations/lookup?token=${token}`))).toMatchObject({
      email,
      role: 'support',
      accountExists: false,
    });
    expect((await anon.post('/api/v1/invitations/accept', { token })).statusCode).toBe(400);
    expect(
      (await anon.post('/api/v1/invitations/accept', { token, name: 'Sue Support', password: PASSWORD }))
        .statusCode,
    ).toBe(200);
    const me = json<{ user: { email: string; name: string }; workspace: { id: string; role: Role } }>(
      await anon.get('/api/v1/me'),
    );
    expect(me).toMatchObject({
      user: { email, name: 'Sue Support' },
      workspace: { id: owner.workspaceId, role: 'support' },
    });
    const twice = await new Client(t.app).post('/api/v1/invitations/accept', {
      token,
      name: 'Again',
      password: PASSWORD,
    });
    expect(twice.statusCode).toBe(422);
    expect(code(twice)).toBe('invalid_token');
    expect((await anon.get(`/api/v1/invitations/lookup?token=${token}`)).statusCode).toBe(422);
    const members = json<{ data: { email: string }[] }>(await owner.client.get('/api/v1/members')).data;
    expect(members.filter((m) => m.email === email)).toHaveLength(1);
    const audit = await auditOf(owner.client, 'recordType=invitation');
    expect(audit.map((e) => e.action)).toEqual(['invitation.accepted', 'invitation.created']);
    expect(audit[1]).toMatchObject({ actorEmail: owner.email, after: { email, role: 'support' } });
    expect(audit[0]).toMatchObject({ actorEmail: email });
    expect((await auditOf(owner.client, 'action=member.added'))[0]).toMatchObject({
      actorEmail: email,
      after: { email, role: 'support' },
    });
    const dup = await owner.client.post('/api/v1/invitations', { email, role: 'sales' });
    expect(dup.statusCode).toBe(409);
    expect(code(dup)).toBe('conflict');
  });

  it('refuses revoked and expired invitations, and asks an existing account for its password', async () => {
    const owner = await ownerOf(t);
    const inv = json<{ id: string }>(
      await owner.client.post('/api/v1/invitations', { email: 'revoked@example.com', role: 'sales' }),
    );
    const revokedToken = await latestInvitationToken(t, 'revoked@example.com');
    expect((await owner.client.delete(`/api/v1/invitations/${inv.id}`)).statusCode).toBe(200);
    expect((await new Client(t.app).get(`/api/v1/invitations/lookup?token=${revokedToken}`)).statusCode).toBe(
      422,
    );

    await owner.client.post('/api/v1/invitations', { email: 'late@example.com', role: 'sales' });
    const lateToken = await latestInvitationToken(t, 'late@example.com');
    await t.database.db.execute(
      sql`UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = 'late@example.com'`,
    );
    const late = await new Client(t.app).post('/api/v1/invitations/accept', {
      token: lateToken,
      name: 'Late',
      password: PASSWORD,
    });
    expect(late.statusCode).toBe(422);
    expect(code(late)).toBe('invalid_token');
    expect((await new Client(t.app).get(`/api/v1/invitations/lookup?token=${lateToken}`)).statusCode).toBe(
      422,
    );
    const revokedAccept = await new Client(t.app).post('/api/v1/invitations/accept', {
      token: revokedToken,
      name: 'Revoked',
      password: PASSWORD,
    });
    expect(revokedAccept.statusCode).toBe(422);
    expect(code(revokedAccept)).toBe('invalid_token');
    const nobody = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(*)::text AS n FROM users WHERE email IN ('late@example.com', 'revoked@example.com')`,
    );
    expect(nobody[0]!.n).toBe('0');
    expect(
      json<{ data: { action: string }[] }>(
        await owner.client.get('/api/v1/audit-log?action=invitation.revoked'),
      ).data,
    ).toHaveLength(1);

    // someone who already has an account elsewhere
    const elsewhere = await ownerOf(t, 'Other shop');
    await owner.client.post('/api/v1/invitations', { email: elsewhere.email, role: 'marketing' });
    const token = await latestInvitationToken(t, elsewhere.email);
    expect(
      json<{ accountExists: boolean }>(
        await new Client(t.app).get(`/api/v1/invitations/lookup?token=${token}`),
      ).accountExists,
    ).toBe(true);
    expect(
      (await new Client(t.app).post('/api/v1/invitations/accept', { token, password: 'not theirs at all' }))
        .statusCode,
    ).toBe(401);
    expect((await elsewhere.client.post('/api/v1/invitations/accept', { token })).statusCode).toBe(200);
    // now in two workspaces: switch between them, but not into a stranger's
    const me = json<{ workspaces: { id: string }[]; workspace: { id: string } }>(
      await elsewhere.client.get('/api/v1/me'),
    );
    expect(me.workspaces).toHaveLength(2);
    const back = me.workspaces.find((w) => w.id !== me.workspace.id)!.id;
    expect((await elsewhere.client.post('/api/v1/me/workspace', { workspaceId: back })).statusCode).toBe(200);
    expect(json<{ workspace: { id: string } }>(await elsewhere.client.get('/api/v1/me')).workspace.id).toBe(
      back,
    );
    const stranger = await ownerOf(t, 'Stranger');
    expect(
      (await elsewhere.client.post('/api/v1/me/workspace', { workspaceId: stranger.workspaceId })).statusCode,
    ).toBe(404);
  });

  it('creates another workspace, owned by its creator, and switches to it', async () => {
    const owner = await ownerOf(t);
    const res = await owner.client.post('/api/v1/workspaces', { name: 'Second store' });
    expect(res.statusCode).toBe(201);
    const me = json<{ workspace: { name: string; role: string } }>(await owner.client.get('/api/v1/me'));
    expect(me.workspace).toMatchObject({ name: 'Second store', role: 'owner' });
    expect(json<{ workspaces: unknown[] }>(await owner.client.get('/api/v1/me')).workspaces).toHaveLength(2);
    const created = json<Ws & { id: string }>(res);
    expect(json<{ id: string }>(await owner.client.get('/api/v1/workspace')).id).toBe(created.id);
    const audit = await auditOf(owner.client, 'action=workspace.created');
    expect(audit[0]).toMatchObject({
      recordId: created.id,
      actorEmail: owner.email,
      after: { name: 'Second store' },
    });
    // the first workspace is untouched and still reachable
    expect(
      (await owner.client.post('/api/v1/me/workspace', { workspaceId: owner.workspaceId })).statusCode,
    ).toBe(200);
    expect(json<{ name: string }>(await owner.client.get('/api/v1/workspace')).name).toBe('Acme');
  });
});

describe('request safety', () => {
  it('replays a POST with the same Idempotency-Key and refuses the key for another body', async () => {
    const owner = await ownerOf(t);
    const key = { 'idempotency-key': `k-${Date.now()}` };
    const first = await owner.client.post(
      '/api/v1/invitations',
      { email: 'once@example.com', role: 'sales' },
      key,
    );
    const second = await owner.client.post(
      '/api/v1/invitations',
      { email: 'once@example.com', role: 'sales' },
      key,
    );
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(json<{ id: string }>(second).id).toBe(json<{ id: string }>(first).id);
    const n = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(*)::text AS n FROM invitations WHERE email = 'once@example.com'`,
    );
    expect(n[0]!.n).toBe('1');
    const other = await owner.client.post(
      '/api/v1/invitations',
      { email: 'twice@example.com', role: 'sales' },
      key,
    );
    expect(other.statusCode).toBe(422);
    expect(json<{ code: string }>(other).code).toBe('idempotency_key_reused');
  });

  it('refuses cookie writes from another site, and takes them from this one or from scripts', async () => {
    const owner = await ownerOf(t);
    const evil = await owner.client.post(
      '/api/v1/invitations',
      { email: 'csrf@example.com', role: 'sales' },
      { origin: 'https://evil.example' },
    );
    expect(evil.statusCode).toBe(403);
    expect(json<{ code: string }>(evil).code).toBe('csrf_rejected');
    expect(
      (
        await owner.client.post(
          '/api/v1/invitations',
          { email: 'csrf@example.com', role: 'sales' },
          { 'sec-fetch-site': 'cross-site' },
        )
      ).statusCode,
    ).toBe(403);
    const n = await rows<{ n: string }>(
      t.database.db,
      sql`SELECT count(*)::text AS n FROM invitations WHERE email = 'csrf@example.com'`,
    );
    expect(n[0]!.n).toBe('0');
    expect(
      (
        await owner.client.post(
          '/api/v1/invitations',
          { email: 'csrf@example.com', role: 'sales' },
          { origin: 'http://localhost:80' },
        )
      ).statusCode,
    ).toBe(201);
    expect(
      (await owner.client.post('/api/v1/invitations', { email: 'csrf2@example.com', role: 'sales' }))
        .statusCode,
    ).toBe(201);
  });
});
