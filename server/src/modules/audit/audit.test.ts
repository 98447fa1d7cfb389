// The audit log and the mail outbox through HTTP: filters, cursor pagination, workspace isolation.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, json, memberOf, ownerOf, startTestApp, type TestApp } from '../../../test/harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

type Entry = { id: string; action: string; recordType: string; actorEmail: string | null; at: string };
type Page<T> = { data: T[]; nextCursor: string | null };
type Mail = { id: string; toEmail: string; kind: string };

/** Follows nextCursor to the end; answers every item and how many pages it took. */
async function all<T extends { id: string }>(c: Client, url: string) {
  const items: T[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res = await c.get(`${url}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.statusCode).toBe(200);
    const page = json<Page<T>>(res);
    items.push(...page.data);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

const invite = async (c: Client, n: number, prefix: string) => {
  for (let i = 0; i < n; i++) {
    const res = await c.post('/api/v1/invitations', { email: `${prefix}-${i}@example.com`, role: 'sales' });
    expect(res.statusCode).toBe(201);
  }
};

describe('audit log', () => {
  it('filters by action prefix, record type, actor and time', async () => {
    const owner = await ownerOf(t);
    const admin = await memberOf(t, owner.client, 'admin');
    await invite(owner.client, 2, `f-${Date.now()}`);
    await invite(admin.client, 1, `g-${Date.now()}`);
    const ws = json<{ version: number }>(await owner.client.get('/api/v1/workspace'));
    expect(
      (await owner.client.patch('/api/v1/workspace', { name: 'Filtered', version: ws.version })).statusCode,
    ).toBe(200);
    const list = async (q: string) =>
      json<Page<Entry>>(await owner.client.get(`/api/v1/audit-log?${q}`)).data;

    const everything = await list('limit=200');
    expect(everything.length).toBeGreaterThanOrEqual(8);
    const invitations = await list('action=invitation.');
    expect(invitations.length).toBeGreaterThanOrEqual(4); // admin's own invitation, accepted, + 3
    expect(invitations.every((e) => e.action.startsWith('invitation.'))).toBe(true);
    expect((await list('action=invitation.created')).length).toBe(4);
    // the prefix is literal: LIKE wildcards in it match nothing special
    expect(await list('action=%25')).toEqual([]);
    expect(await list('action=invitation_')).toEqual([]);

    const ws2 = await list('recordType=workspace');
    expect(ws2.map((e) => e.action).sort()).toEqual(['workspace.created', 'workspace.updated']);

    const byAdmin = await list(`actor=${encodeURIComponent(admin.email)}`);
    expect(byAdmin.length).toBeGreaterThan(0);
    expect(byAdmin.every((e) => e.actorEmail === admin.email)).toBe(true);
    expect(byAdmin.map((e) => e.action)).toContain('invitation.created');
    const combined = await list(`actor=${encodeURIComponent(admin.email)}&action=invitation.created`);
    expect(combined).toHaveLength(1);

    // time window: a future "from" finds nothing, a past "to" finds nothing, a window around now finds all
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect(await list(`from=${future}`)).toEqual([]);
    expect(await list(`to=${past}`)).toEqual([]);
    expect((await list(`from=${past}&to=${future}&limit=200`)).length).toBe(everything.length);
    const stamped = await t.database.db.execute(
      sql`UPDATE audit_log SET at = now() - interval '2 days' WHERE action = 'workspace.created' AND workspace_id = ${owner.workspaceId}`,
    );
    expect(stamped).toBeDefined();
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    expect((await list(`to=${yesterday}`)).map((e) => e.action)).toEqual(['workspace.created']);
    expect((await list(`from=${yesterday}&limit=200`)).length).toBe(everything.length - 1);

    const badDate = await owner.client.get('/api/v1/audit-log?from=yesterday');
    expect(badDate.statusCode).toBe(400);
  });

  it('pages with a cursor: newest first, no duplicates, no gaps, null at the end', async () => {
    const owner = await ownerOf(t);
    await invite(owner.client, 12, `p-${Date.now()}`);
    const full = json<Page<Entry>>(await owner.client.get('/api/v1/audit-log?limit=200'));
    expect(full.nextCursor).toBeNull();
    expect(full.data.length).toBeGreaterThanOrEqual(14);
    const paged = await all<Entry>(owner.client, '/api/v1/audit-log?limit=5');
    expect(paged.pages).toBe(Math.ceil(full.data.length / 5));
    expect(paged.items.map((e) => e.id)).toEqual(full.data.map((e) => e.id));
    expect(new Set(paged.items.map((e) => e.id)).size).toBe(paged.items.length);
    const ats = paged.items.map((e) => e.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    // the cursor composes with a filter
    const filtered = await all<Entry>(owner.client, '/api/v1/audit-log?limit=5&action=invitation.created');
    expect(filtered.items).toHaveLength(12);
    expect(filtered.pages).toBe(3);
  });

  it('refuses a forged cursor and a bad limit', async () => {
    const owner = await ownerOf(t);
    for (const cursor of ['not-a-cursor', Buffer.from('{"id":"nope"}').toString('base64url'), 'e30']) {
      const res = await owner.client.get(`/api/v1/audit-log?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(json<{ code: string; errors: { path: string }[] }>(res)).toMatchObject({
        code: 'validation_failed',
        errors: [{ path: 'querystring.cursor' }],
      });
    }
    expect((await owner.client.get('/api/v1/audit-log?limit=0')).statusCode).toBe(400);
    expect((await owner.client.get('/api/v1/audit-log?limit=201')).statusCode).toBe(400);
    expect((await owner.client.get('/api/v1/mail-outbox?cursor=not-a-cursor')).statusCode).toBe(400);
  });

  it("shows only the workspace's own entries", async () => {
    const a = await ownerOf(t, 'Alpha');
    const b = await ownerOf(t, 'Beta');
    await invite(b.client, 1, `iso-${Date.now()}`);
    const entries = (await all<Entry & { recordId: string }>(a.client, '/api/v1/audit-log?limit=200')).items;
    expect(entries.map((e) => e.action).sort()).toEqual(['member.added', 'workspace.created']);
    expect(entries.every((e) => e.actorEmail === a.email)).toBe(true);
  });
});

describe('mail outbox', () => {
  it("lists this workspace's mail and account mail to its members only, paginated", async () => {
    const a = await ownerOf(t, 'Outbox A');
    const b = await ownerOf(t, 'Outbox B');
    const tag = Date.now();
    await invite(a.client, 7, `oa-${tag}`);
    await invite(b.client, 2, `ob-${tag}`);
    // account mail: a reset for a member of A, one for B's owner, one for nobody
    expect((await a.client.post('/api/v1/auth/password-reset', { email: a.email })).statusCode).toBe(202);
    expect((await a.client.post('/api/v1/auth/password-reset', { email: b.email })).statusCode).toBe(202);

    const seenByA = await all<Mail>(a.client, '/api/v1/mail-outbox?limit=3');
    expect(seenByA.pages).toBe(3);
    expect(seenByA.items).toHaveLength(8);
    expect(new Set(seenByA.items.map((m) => m.id)).size).toBe(8);
    expect(
      seenByA.items
        .filter((m) => m.kind === 'invitation')
        .map((m) => m.toEmail)
        .sort(),
    ).toEqual(Array.from({ length: 7 }, (_, i) => `oa-${tag}-${i}@example.com`).sort());
    expect(seenByA.items.filter((m) => m.kind === 'password_reset').map((m) => m.toEmail)).toEqual([a.email]);
    const idsA = seenByA.items.map((m) => m.id);
    expect([...idsA].sort().reverse()).toEqual(idsA);

    const seenByB = (await all<Mail>(b.client, '/api/v1/mail-outbox?limit=200')).items;
    expect(seenByB.map((m) => m.toEmail).sort()).toEqual(
      [`ob-${tag}-0@example.com`, `ob-${tag}-1@example.com`, b.email].sort(),
    );
  });

  it("never shows a teammate's password-reset link, only its addressee's own", async () => {
    const a = await ownerOf(t, 'Outbox Links');
    const admin = await memberOf(t, a.client, 'admin');
    // the admin asks for a reset of the owner's account, hoping to read the link in the Outbox
    expect((await admin.client.post('/api/v1/auth/password-reset', { email: a.email })).statusCode).toBe(202);
    expect((await admin.client.post('/api/v1/auth/password-reset', { email: admin.email })).statusCode).toBe(
      202,
    );
    type Full = Mail & { text: string };
    const seenByAdmin = (await all<Full>(admin.client, '/api/v1/mail-outbox?limit=200')).items;
    const ownersReset = seenByAdmin.find((m) => m.kind === 'password_reset' && m.toEmail === a.email)!;
    expect(ownersReset.text).not.toContain('token=');
    expect(ownersReset.text).toMatch(/only they can read it/);
    const ownReset = seenByAdmin.find((m) => m.kind === 'password_reset' && m.toEmail === admin.email)!;
    expect(ownReset.text).toContain('/reset-password?token=');
    const seenByOwner = (await all<Full>(a.client, '/api/v1/mail-outbox?limit=200')).items;
    expect(seenByOwner.find((m) => m.toEmail === a.email && m.kind === 'password_reset')!.text).toContain(
      'token=',
    );
    expect(
      seenByOwner.find((m) => m.toEmail === admin.email && m.kind === 'password_reset')!.text,
    ).not.toContain('token=');
  });
});
