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

describe('sign-in and sessions', () => {
  it('signs in with the right password only, answering the same for an unknown email', async () => {
    const { email } = await ownerOf(t);
    const ok = await signIn(email);
    expect(ok.res.statusCode).toBe(200);
    const cookie = ok.res.cookies.find((c) => c.name === 'patron_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(json<{ user: { email: string } }>(await ok.c.get('/api/v1/me')).user.email).toBe(email);
    const wrong = await signIn(email, 'not the password');
    const unknown = await signIn('nobody@example.com', 'not the password');
    expect(wrong.res.statusCode).toBe(401);
    expect(unknown.res.statusCode).toBe(401);
    expect(json<{ code: string; detail: string }>(wrong.res)).toEqual(
      expect.objectContaining({ code: 'invalid_credentials' }),
    );
    expect(json<{ detail: string }>(wrong.res).detail).toBe(json<{ detail: string }>(unknown.res).detail);
    expect((await new Client(t.app).get('/api/v1/me')).statusCode).toBe(401);
  });

  it('signs out, lists sessions and revokes them', async () => {
    const { email } = await ownerOf(t);
    const one = await signIn(email);
    const two = await signIn(email);
    const list = json<{ data: { id: string; current: boolean }[] }>(
      await one.c.get('/api/v1/me/sessions'),
    ).data;
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const other = list.find((s) => !s.current && list.length >= 2)!;
    const twoId = json<{ data: { id: string; current: boolean }[] }>(
      await two.c.get('/api/v1/me/sessions'),
    ).data.find((s) => s.current)!.id;
    expect((await one.c.delete(`/api/v1/me/sessions/${twoId}`)).statusCode).toBe(200);
    expect((await two.c.get('/api/v1/me')).statusCode).toBe(401);
    expect(other).toBeDefined();
    const three = await signIn(email);
    expect((await one.c.delete('/api/v1/me/sessions')).statusCode).toBe(200);
    expect((await three.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await one.c.post('/api/v1/auth/sign-out')).statusCode).toBe(200);
    expect((await one.c.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('changes the password: the current one is checked, other sessions end', async () => {
    const { email, client } = await ownerOf(t);
    const other = await signIn(email);
    const wrong = await client.post('/api/v1/me/password', {
      currentPassword: 'nope nope nope',
      newPassword: 'a brand new password',
    });
    expect(wrong.statusCode).toBe(401);
    expect(
      (
        await client.post('/api/v1/me/password', {
          currentPassword: PASSWORD,
          newPassword: 'a brand new password',
        })
      ).statusCode,
    ).toBe(200);
    expect((await other.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await client.get('/api/v1/me')).statusCode).toBe(200);
    expect((await signIn(email, 'a brand new password')).res.statusCode).toBe(200);
    expect((await signIn(email)).res.statusCode).toBe(401);
  });

  it('resets a forgotten password by an emailed link, once', async () => {
    const { email } = await ownerOf(t);
    const session = await signIn(email);
    const before = (
      await rows<{ n: string }>(t.database.db, sql`SELECT count(*)::text AS n FROM mail_outbox`)
    )[0]!.n;
    expect(
      (await new Client(t.app).post('/api/v1/auth/password-reset', { email: 'ghost@example.com' }))
        .statusCode,
    ).toBe(202);
    expect(
      (await rows<{ n: string }>(t.database.db, sql`SELECT count(*)::text AS n FROM mail_outbox`))[0]!.n,
    ).toBe(before);
    expect((await new Client(t.app).post('/api/v1/auth/password-reset', { email })).statusCode).toBe(202);
    const token = await latestMailLinkToken(t, email);
    const anon = new Client(t.app);
    expect(
      (await anon.post('/api/v1/auth/password-reset/confirm', { token, password: 'reset password 123' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await anon.post('/api/v1/auth/password-reset/confirm', { token, password: 'another password 1' }))
        .statusCode,
    ).toBe(422);
    expect((await session.c.get('/api/v1/me')).statusCode).toBe(401);
    expect((await signIn(email, 'reset password 123')).res.statusCode).toBe(200);
  });

  it('stops guessing after 10 failures for an account, even with the right password', async () => {
    const { email } = await ownerOf(t);
    for (let i = 0; i < 10; i++) expect((await signIn(email, `wrong guess ${i}`)).res.statusCode).toBe(401);
    const blocked = await signIn(email);
    expect(blocked.res.statusCode).toBe(429);
    expect(json<{ code: string }>(blocked.res).code).toBe('rate_limited');
    expect(blocked.res.headers['retry-after']).toBe('900');
  });
});

describe('two-factor', () => {
  it('turns on with a code, then sign-in needs a code or a single-use recovery code', async () => {
    const { email, client } = await ownerOf(t);
    expect((await client.post('/api/v1/me/two-factor/setup', { password: 'wrong' })).statusCode).toBe(401);
    const setup = json<{ secret: string; otpauthUrl: string; qrSvg: string }>(
      await client.post('/api/v1/me/two-factor/setup', { password: PASSWORD }),
    );
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.qrSvg).toContain('<svg');
    expect((await client.post('/api/v1/me/two-factor/enable', { code: '000000' })).statusCode).toBe(422);
    const enabled = json<{ recoveryCodes: string[] }>(
      await client.post('/api/v1/me/two-factor/enable', { code: totp(setup.secret) }),
    );
    expect(enabled.recoveryCodes).toHaveLength(10);

    const pending = await signIn(email);
    expect(json<{ twoFactorRequired: boolean }>(pending.res).twoFactorRequired).toBe(true);
    expect(json<{ code: string }>(await pending.c.get('/api/v1/me')).code).toBe('two_factor_required');
    expect((await pending.c.post('/api/v1/auth/two-factor', { code: '123456' })).statusCode).toBe(422);
    expect((await pending.c.post('/api/v1/auth/two-factor', { code: totp(setup.secret) })).statusCode).toBe(
      200,
    );
    expect((await pending.c.get('/api/v1/me')).statusCode).toBe(200);

    const withRecovery = await signIn(email);
    expect(
      (await withRecovery.c.post('/api/v1/auth/two-factor', { code: enabled.recoveryCodes[0]! })).statusCode,
    ).toBe(200);
    const reuse = await signIn(email);
    expect(
      (await reuse.c.post('/api/v1/auth/two-factor', { code: enabled.recoveryCodes[0]! })).statusCode,
    ).toBe(422);

    const audit = json<{ data: { action: string }[] }>(
      await client.get('/api/v1/audit-log?action=user.two_factor'),
    );
    expect(audit.data.map((e) => e.action)).toContain('user.two_factor_enabled');
    expect((await client.post('/api/v1/me/two-factor/disable', { password: PASSWORD })).statusCode).toBe(200);
    expect(json<{ twoFactorRequired: boolean }>((await signIn(email)).res).twoFactorRequired).toBe(false);
  });
});
