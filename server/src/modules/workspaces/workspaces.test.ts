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

describe('workspace settings', () => {
  it('updates with the version read (body or If-Match); a stale or missing version changes nothing', async () => {
    const { client } = await ownerOf(t);
    const ws = json<Ws>(await client.get('/api/v1/workspace'));
    const ok = await client.patch('/api/v1/workspace', { name: 'Renamed', version: ws.version });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe(`"${ws.version + 1}"`);
    const stale = await client.patch('/api/v1/workspace', { name: 'Stale', version: ws.version });
    expect(stale.statusCode).toBe(409);
    expect(json<{ code: string }>(stale).code).toBe('version_conflict');
    expect((await client.patch('/api/v1/workspace', { name: 'No version' })).statusCode).toBe(428);
    expect(
      (
        await client.patch(
          '/api/v1/workspace',
          { timeZone: 'Europe/Berlin' },
          { 'if-match': `"${ws.version + 1}"` },
        )
      ).statusCode,
    ).toBe(200);
    expect(json<Ws>(await client.get('/api/v1/workspace'))).toMatchObject({
      name: 'Renamed',
      timeZone: 'Europe/Berlin',
      version: ws.version + 2,
    });
    const audit = json<{ data: { action: string; before: Ws; after: Ws; actorEmail: string; ip: string }[] }>(
      await client.get('/api/v1/audit-log?action=workspace.updated'),
    );
    expect(audit.data[0]).toMatchObject({
      before: { timeZone: 'UTC' },
      after: { timeZone: 'Europe/Berlin' },
      ip: expect.any(String),
    });
  });
});

describe('roles', () => {
  it('enforces the permission matrix in the API for every role', async () => {
    const owner = await ownerOf(t);
    const mismatches: string[] = [];
    for (const role of roles.filter((r) => r !== 'owner')) {
      const m = await memberOf(t, owner.client, role);
      const target = await memberOf(t, owner.client, 'read-only');
      const checks: [string, boolean, () => Promise<{ statusCode: number }>][] = [
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
        const status = (await call()).statusCode;
        if (allowed ? status >= 400 : status !== 403) mismatches.push(`${role} ${perm}: ${status}`);
      }
    }
    expect(mismatches).toEqual([]);
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
    const last = await owner.client.patch(`/api/v1/members/${me}`, { role: 'admin' });
    expect(last.statusCode).toBe(422);
    expect(json<{ code: string }>(last).code).toBe('rule_violated');
    expect((await owner.client.delete(`/api/v1/members/${me}`)).statusCode).toBe(422);
    expect((await owner.client.patch(`/api/v1/members/${admin.userId}`, { role: 'owner' })).statusCode).toBe(
      200,
    );
    expect((await owner.client.patch(`/api/v1/members/${me}`, { role: 'admin' })).statusCode).toBe(200);
  });
});

describe('invitations', () => {
  it('runs the whole life of an invitation', async () => {
    const owner = await ownerOf(t);
    const email = `new-${Date.now()}@example.com`;
    const created = await owner.client.post('/api/v1/invitations', { email, role: 'support' });
    expect(created.statusCode).toBe(201);
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
    expect(json<{ workspace: { role: Role } }>(await anon.get('/api/v1/me')).workspace.role).toBe('support');
    expect(
      (
        await new Client(t.app).post('/api/v1/invitations/accept', {
          token,
          name: 'Again',
          password: PASSWORD,
        })
      ).statusCode,
    ).toBe(422);
    expect((await owner.client.post('/api/v1/invitations', { email, role: 'sales' })).statusCode).toBe(409);
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
    expect(
      (
        await new Client(t.app).post('/api/v1/invitations/accept', {
          token: lateToken,
          name: 'Late',
          password: PASSWORD,
        })
      ).statusCode,
    ).toBe(422);

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
