// Accounts through HTTP: sign-in, sessions, passwords and resets, brute-force limits, two-factor.
import { sql } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Client,
  json,
  latestMailLinkToken,
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

const totp = (secret: string) =>
  new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  }).generate();
const signIn = (email: string, password = PASSWORD) => {
  const c = new Client(t.app);
  return c.post('/api/v1/auth/sign-in', { email, password }).then((res) => ({ c, res }));
};
/** A request with a given cookie, as a stolen or kept cookie would be sent. */
const meWith = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
const code = (res: { body: string }) => json<{ code: string }>(res as never).code;
type SessionItem = { id: string; current: boolean; ip: string | null; userAgent: string | null };
const sessionsOf = async (c: Client) =>
  json<{ data: SessionItem[] }>(await c.get('/api/v1/me/sessions')).data;
const auditActions = async (c: Client, prefix: string) =>
  json<{ data: { action: string; actorEmail: string }[] }>(
    await c.get(`/api/v1/audit-log?action=${encodeURIComponent(prefix)}`),
  ).data;
const outboxCount = async (to?: string) =>
  (
    await rows<{ n: string }>(
      t.database.db,
      to
        ? sql`SELECT count(*)::text AS n FROM mail_outbox WHERE to_email = ${to}`
        : sql`SELECT count(*)::text AS n FROM mail_outbox`,
    )
  )[0]!.n;

describe('sign-in and sessions', () => {
  it('signs in with the right password only, answering the same for an unknown email', async () => {
    const { email } = await ownerOf(t);
    const anon = new Client(t.app);
    const before = await anon.get('/api/v1/me');
    expect(before.statusCode).toBe(401);
    expect(code(before)).toBe('unauthenticated');
    const ok = await signIn(email);
    expect(ok.res.statusCode).toBe(200);
    expect(json(ok.res)).toEqual({ twoFactorRequired: false });
    const cookie = ok.res.cookies.find((c) => c.name === 'patron_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.value.length).toBeGreaterThanOrEqual(32);
    const me = json<{ user: { email: string }; workspace: { role: string } }>(await ok.c.get('/api/v1/me'));
    expect(me.user.email).toBe(email);
    expect(me.workspace.role).toBe('owner');
    // the email is matched case-insensitively
    expect((await signIn(email.toUpperCase())).res.statusCode).toBe(200);

    const wrong = await signIn(email, 'not the password');
    const unknown = await signIn('nobody@example.com', 'not the password');
    expect(wrong.res.statusCode).toBe(401);
    expect(unknown.res.statusCode).toBe(401);
    expect(wrong.res.cookies.find((c) => c.name === 'patron_session')).toBeUndefined();
    expect(code(wrong.res)).toBe('invalid_credentials');
    expect(wrong.res.headers['content-type']).toContain('application/problem+json');
    const strip = (r: { body: string }) => {
      const { requestId: _r, ...rest } = json<Record<string, unknown>>(r as never);
      return rest;
    };
    expect(strip(wrong.res)).toEqual(strip(unknown.res));
    expect((await wrong.c.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('signs out: the old cookie no longer works', async () => {
    const { email } = await ownerOf(t);
    const one = await signIn(email);
    const kept = one.c.cookie;
    expect((await meWith(kept)).statusCode).toBe(200);
    const out = await one.c.post('/api/v1/auth/sign-out');
    expect(out.statusCode).toBe(200);
    const cleared = out.cookies.find((c) => c.name === 'patron_session');
    expect(cleared?.value).toBe('');
    expect((await meWith(kept)).statusCode).toBe(401);
  });

  it('lists sessions, revokes another one, then all others', async () => {
    const { email } = await ownerOf(t);
    const one = await signIn(email);
    const two = await signIn(email);
    const list = await sessionsOf(one.c);
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const twoId = (await sessionsOf(two.c)).find((s) => s.current)!.id;
    expect(list.find((s) => s.id === twoId)?.current).toBe(false);
    expect((await one.c.delete(`/api/v1/me/sessions/${twoId}`)).statusCode).toBe(200);
    expect((await two.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await one.c.get('/api/v1/me')).statusCode).toBe(200);
    expect((await sessionsOf(one.c)).map((s) => s.id)).not.toContain(twoId);
    // revoking it again, or a session of someone else, is not found
    expect((await one.c.delete(`/api/v1/me/sessions/${twoId}`)).statusCode).toBe(404);
    const stranger = await ownerOf(t);
    const strangerSession = (await sessionsOf(stranger.client)).find((s) => s.current)!.id;
    const foreign = await one.c.delete(`/api/v1/me/sessions/${strangerSession}`);
    expect(foreign.statusCode).toBe(404);
    expect((await stranger.client.get('/api/v1/me')).statusCode).toBe(200);

    const three = await signIn(email);
    const four = await signIn(email);
    expect((await one.c.delete('/api/v1/me/sessions')).statusCode).toBe(200);
    expect((await three.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await four.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await one.c.get('/api/v1/me')).statusCode).toBe(200);
    expect((await sessionsOf(one.c)).map((s) => s.current)).toEqual([true]);
  });

  it('changes the password: the current one is checked, other sessions end, it is audited', async () => {
    const { email, client } = await ownerOf(t);
    const other = await signIn(email);
    const wrong = await client.post('/api/v1/me/password', {
      currentPassword: 'nope nope nope',
      newPassword: 'a brand new password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(code(wrong)).toBe('invalid_credentials');
    // the refused change changed nothing
    expect((await other.c.get('/api/v1/me')).statusCode).toBe(200);
    expect((await auditActions(client, 'user.password')).length).toBe(0);
    const short = await client.post('/api/v1/me/password', {
      currentPassword: PASSWORD,
      newPassword: 'short',
    });
    expect(short.statusCode).toBe(400);
    expect(code(short)).toBe('validation_failed');

    const ok = await client.post(
      '/api/v1/me/password',
      { currentPassword: PASSWORD, newPassword: 'a brand new password' },
      { 'user-agent': 'accounts-test/1.0' },
    );
    expect(ok.statusCode).toBe(200);
    expect((await other.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await client.get('/api/v1/me')).statusCode).toBe(200);
    expect((await signIn(email, 'a brand new password')).res.statusCode).toBe(200);
    expect((await signIn(email)).res.statusCode).toBe(401);

    const audit = json<{ data: { action: string; actorEmail: string; userAgent: string; ip: string }[] }>(
      await client.get('/api/v1/audit-log?action=user.password_changed'),
    ).data;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorEmail: email,
      userAgent: 'accounts-test/1.0',
      ip: expect.any(String),
    });
  });

  it('resets a forgotten password by an emailed link, once', async () => {
    const { email, client } = await ownerOf(t);
    const session = await signIn(email);
    const before = await outboxCount();
    const ghost = await new Client(t.app).post('/api/v1/auth/password-reset', { email: 'ghost@example.com' });
    expect(ghost.statusCode).toBe(202);
    expect(await outboxCount()).toBe(before);

    const known = await new Client(t.app).post('/api/v1/auth/password-reset', { email });
    expect(known.statusCode).toBe(202);
    expect(json(known)).toEqual(json(ghost));
    expect(await outboxCount(email)).toBe('1');
    const [mail] = await rows<{ kind: string; workspace_id: string | null }>(
      t.database.db,
      sql`SELECT kind, workspace_id FROM mail_outbox WHERE to_email = ${email}`,
    );
    expect(mail).toEqual({ kind: 'password_reset', workspace_id: null });
    const token = await latestMailLinkToken(t, email);

    const anon = new Client(t.app);
    const bogus = await anon.post('/api/v1/auth/password-reset/confirm', {
      token: 'not-a-real-token-at-all',
      password: 'reset password 123',
    });
    expect(bogus.statusCode).toBe(422);
    expect(code(bogus)).toBe('invalid_token');
    expect((await session.c.get('/api/v1/me')).statusCode).toBe(200);

    expect(
      (await anon.post('/api/v1/auth/password-reset/confirm', { token, password: 'reset password 123' }))
        .statusCode,
    ).toBe(200);
    const again = await anon.post('/api/v1/auth/password-reset/confirm', {
      token,
      password: 'another password 1',
    });
    expect(again.statusCode).toBe(422);
    expect(code(again)).toBe('invalid_token');
    // every session ended, the first new password holds, the old one does not
    expect((await session.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await client.get('/api/v1/me')).statusCode).toBe(401);
    expect((await signIn(email, 'another password 1')).res.statusCode).toBe(401);
    const fresh = await signIn(email, 'reset password 123');
    expect(fresh.res.statusCode).toBe(200);
    expect((await auditActions(fresh.c, 'user.password_reset')).map((e) => e.action)).toEqual([
      'user.password_reset',
    ]);
  });

  it('stops guessing after 10 failures for an account, even with the right password', async () => {
    const { email } = await ownerOf(t);
    const bystander = await ownerOf(t);
    for (let i = 0; i < 10; i++) {
      const res = (await signIn(email, `wrong guess ${i}`)).res;
      expect(res.statusCode).toBe(401);
    }
    const blocked = await signIn(email);
    expect(blocked.res.statusCode).toBe(429);
    expect(code(blocked.res)).toBe('rate_limited');
    expect(Number(blocked.res.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.res.cookies.find((c) => c.name === 'patron_session')).toBeUndefined();
    // another account from the same address is not locked out
    expect((await signIn(bystander.email)).res.statusCode).toBe(200);
  });
});

describe('two-factor', () => {
  it('turns on with a code, then sign-in needs a code or a single-use recovery code', async () => {
    const { email, client } = await ownerOf(t);
    const noPassword = await client.post('/api/v1/me/two-factor/setup', { password: 'wrong' });
    expect(noPassword.statusCode).toBe(401);
    expect(code(noPassword)).toBe('invalid_credentials');
    const setup = json<{ secret: string; otpauthUrl: string; qrSvg: string }>(
      await client.post('/api/v1/me/two-factor/setup', { password: PASSWORD }),
    );
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.qrSvg).toContain('<svg');
    const badEnable = await client.post('/api/v1/me/two-factor/enable', { code: '000000' });
    expect(badEnable.statusCode).toBe(422);
    expect(code(badEnable)).toBe('invalid_code');
    // not on yet: signing in still needs no code
    expect(json<{ twoFactorRequired: boolean }>((await signIn(email)).res).twoFactorRequired).toBe(false);

    const enabled = json<{ recoveryCodes: string[] }>(
      await client.post('/api/v1/me/two-factor/enable', { code: totp(setup.secret) }),
    );
    expect(enabled.recoveryCodes).toHaveLength(10);
    expect(new Set(enabled.recoveryCodes).size).toBe(10);
    expect(
      json<{ user: { twoFactorEnabled: boolean } }>(await client.get('/api/v1/me')).user.twoFactorEnabled,
    ).toBe(true);

    const pending = await signIn(email);
    expect(json<{ twoFactorRequired: boolean }>(pending.res).twoFactorRequired).toBe(true);
    const half = await pending.c.get('/api/v1/me');
    expect(half.statusCode).toBe(401);
    expect(code(half)).toBe('two_factor_required');
    expect((await pending.c.get('/api/v1/workspace')).statusCode).toBe(401);
    const wrongCode = await pending.c.post('/api/v1/auth/two-factor', { code: '123456' });
    expect(wrongCode.statusCode).toBe(422);
    expect(code(wrongCode)).toBe('invalid_code');
    expect((await pending.c.get('/api/v1/me')).statusCode).toBe(401);
    const pendingCookie = pending.c.cookie;
    expect((await pending.c.post('/api/v1/auth/two-factor', { code: totp(setup.secret) })).statusCode).toBe(
      200,
    );
    expect((await pending.c.get('/api/v1/me')).statusCode).toBe(200);
    // the half-signed-in cookie was replaced by a new one and is dead
    expect(pending.c.cookie).not.toBe(pendingCookie);
    expect((await meWith(pendingCookie)).statusCode).toBe(401);

    // a code without signing in first is refused
    expect(
      (await new Client(t.app).post('/api/v1/auth/two-factor', { code: totp(setup.secret) })).statusCode,
    ).toBe(401);

    const withRecovery = await signIn(email);
    expect(
      (await withRecovery.c.post('/api/v1/auth/two-factor', { code: enabled.recoveryCodes[0]! })).statusCode,
    ).toBe(200);
    expect((await withRecovery.c.get('/api/v1/me')).statusCode).toBe(200);
    const reuse = await signIn(email);
    const reused = await reuse.c.post('/api/v1/auth/two-factor', { code: enabled.recoveryCodes[0]! });
    expect(reused.statusCode).toBe(422);
    expect(code(reused)).toBe('invalid_code');
    expect((await reuse.c.get('/api/v1/me')).statusCode).toBe(401);

    // turning it off needs the password
    const badDisable = await client.post('/api/v1/me/two-factor/disable', { password: 'not the password' });
    expect(badDisable.statusCode).toBe(401);
    expect(json<{ twoFactorRequired: boolean }>((await signIn(email)).res).twoFactorRequired).toBe(true);
    expect((await client.post('/api/v1/me/two-factor/disable', { password: PASSWORD })).statusCode).toBe(200);
    const after = await signIn(email);
    expect(json<{ twoFactorRequired: boolean }>(after.res).twoFactorRequired).toBe(false);
    expect((await after.c.get('/api/v1/me')).statusCode).toBe(200);

    const audit = await auditActions(client, 'user.two_factor');
    expect(audit.map((e) => e.action).sort()).toEqual([
      'user.two_factor_disabled',
      'user.two_factor_enabled',
    ]);
    expect(audit.every((e) => e.actorEmail === email)).toBe(true);
  });
});
