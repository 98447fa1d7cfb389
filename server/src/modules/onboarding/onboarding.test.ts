// First-run set-up through HTTP: only on an empty installation, exactly once even when raced.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, json, PASSWORD, startTestApp, type TestApp } from '../../../test/harness.ts';
import { rows } from '../../platform/db.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const body = (n: number) => ({
  workspaceName: `Shop ${n}`,
  name: `Founder ${n}`,
  email: `founder-${n}@example.com`,
  password: PASSWORD,
});
const count = async (table: 'workspaces' | 'users' | 'memberships') =>
  (
    await rows<{ n: string }>(t.database.db, sql`SELECT count(*)::text AS n FROM ${sql.identifier(table)}`)
  )[0]!.n;

// The steps share one empty database, so they run in order in one test.
describe('first-run set-up', () => {
  it('runs once on an empty installation, even when two arrive together', async () => {
    const anon = new Client(t.app);
    expect(json(await anon.get('/api/v1/setup'))).toEqual({ needsSetup: true });

    const bad = await anon.post('/api/v1/setup', { ...body(0), password: 'short' });
    expect(bad.statusCode).toBe(400);
    expect(json<{ errors: { path: string }[] }>(bad).errors.map((e) => e.path)).toContain('body.password');
    expect(await count('workspaces')).toBe('0');

    const clients = [1, 2, 3].map(() => new Client(t.app));
    const answers = await Promise.all(clients.map((c, i) => c.post('/api/v1/setup', body(i + 1))));
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(2);
    for (const r of answers.filter((a) => a.statusCode === 409))
      expect(json<{ code: string }>(r).code).toBe('setup_done');
    expect(await count('workspaces')).toBe('1');
    expect(await count('users')).toBe('1');
    expect(await count('memberships')).toBe('1');

    const winner = statuses.indexOf(201);
    const cookie = answers[winner]!.cookies.find((c) => c.name === 'patron_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const me = json<{ user: { email: string; name: string }; workspace: { name: string; role: string } }>(
      await clients[winner]!.get('/api/v1/me'),
    );
    expect(me).toMatchObject({
      user: { email: `founder-${winner + 1}@example.com`, name: `Founder ${winner + 1}` },
      workspace: { name: `Shop ${winner + 1}`, role: 'owner' },
    });
    for (const [i, c] of clients.entries())
      if (i !== winner) expect((await c.get('/api/v1/me')).statusCode).toBe(401);

    expect(json(await anon.get('/api/v1/setup'))).toEqual({ needsSetup: false });
    const again = await anon.post('/api/v1/setup', body(9));
    expect(again.statusCode).toBe(409);
    expect(json<{ code: string }>(again).code).toBe('setup_done');
    expect(await count('users')).toBe('1');

    // the owner can sign in again with the chosen password; the set-up is audited
    const owner = new Client(t.app);
    expect(
      (
        await owner.post('/api/v1/auth/sign-in', {
          email: `founder-${winner + 1}@example.com`,
          password: PASSWORD,
        })
      ).statusCode,
    ).toBe(200);
    const audit = json<{ data: { action: string; actorEmail: string }[] }>(
      await owner.get('/api/v1/audit-log'),
    );
    expect(audit.data.map((e) => e.action).sort()).toEqual(['member.added', 'workspace.created']);
  });
});
