import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, memberOf, ownerOf, startTestApp, type TestApp } from './harness.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('harness', () => {
  it('signs in an owner and an invited member', async () => {
    const owner = await ownerOf(t);
    const me = json<{ workspace: { role: string } }>(await owner.client.get('/api/v1/me'));
    expect(me.workspace.role).toBe('owner');
    const sales = await memberOf(t, owner.client, 'sales');
    const res = await sales.client.get('/api/v1/me');
    expect(json<{ workspace: { role: string } }>(res).workspace.role).toBe('sales');
    const forbidden = await sales.client.post('/api/v1/invitations', {
      email: 'x@example.com',
      role: 'support',
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toContain('application/problem+json');
  });
});
