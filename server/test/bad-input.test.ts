// Bad input on every endpoint: a clear problem+json answer, and nothing changed.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/platform/db.ts';
import { json, ownerOf, startTestApp, type TestApp } from './harness.ts';

let t: TestApp;
let owner: Awaited<ReturnType<typeof ownerOf>>;
type Op = { method: string; path: string; body: boolean; params: string[]; query: string[] };
let ops: Op[] = [];

// Endpoints whose bodies are not JSON by design (raw files, signed webhooks, beacons): covered in their own tests.
const rawBody = new Set([
  'PUT /api/v1/imports/{id}/file',
  'POST /api/v1/webhooks/shopify',
  'POST /api/v1/webhooks/woocommerce',
  'POST /api/v1/track',
]);

beforeAll(async () => {
  t = await startTestApp();
  owner = await ownerOf(t, 'Bad Input Store');
  const doc = t.app.swagger() as {
    paths: Record<
      string,
      Record<string, { requestBody?: unknown; parameters?: { in: string; name: string }[] }>
    >;
  };
  ops = Object.entries(doc.paths).flatMap(([path, m]) =>
    Object.entries(m).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      body: !!op.requestBody,
      params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    })),
  );
});
afterAll(() => t?.close());

const fill = (op: Op, value = '01a20000-0000-7000-8000-000000000000') =>
  op.params.reduce((p, name) => p.replace(`{${name}}`, name === 'kind' ? 'orders' : value), op.path);

async function state() {
  const tables = [
    'users',
    'workspaces',
    'memberships',
    'invitations',
    'audit_log',
    'orders',
    'customers',
    'products',
    'imports',
    'integrations',
    'mail_outbox',
  ];
  const out: Record<string, string> = {};
  for (const table of tables)
    out[table] = (
      await rows<{ n: string }>(t.database.db, sql`SELECT count(*)::text AS n FROM ${sql.raw(table)}`)
    )[0]!.n;
  return out;
}

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
  where: string,
) {
  expect(res.statusCode, `${where}: ${res.body}`).toBe(status);
  expect(String(res.headers['content-type']), where).toContain('application/problem+json');
  const p = JSON.parse(res.body);
  expect(p, where).toMatchObject({ status, code });
  expect(typeof p.type === 'string' && typeof p.title === 'string', where).toBe(true);
  expect(res.body, where).not.toMatch(/at \w+ \(|node_modules|SELECT |INSERT /);
}

describe('bad input', () => {
  it('answers malformed JSON, wrong types, missing fields, oversize and wrong media types with problem+json, changing nothing', async () => {
    const before = await state();
    const jsonOps = ops.filter((o) => o.body && !rawBody.has(`${o.method} ${o.path}`));
    expect(jsonOps.length).toBeGreaterThan(25);
    for (const op of jsonOps) {
      const where = `${op.method} ${op.path}`;
      const url = fill(op);
      const send = (payload: string, contentType = 'application/json') =>
        owner.client.request({
          method: op.method as 'POST',
          url,
          payload,
          headers: { 'content-type': contentType },
        });
      expectProblem(await send('{"broken": '), 400, 'malformed_json', `${where} malformed`);
      const wrongType = await send('[1, 2, 3]');
      expectProblem(wrongType, 400, 'validation_failed', `${where} wrong type`);
      expect(json<{ errors: unknown[] }>(wrongType).errors.length, where).toBeGreaterThan(0);
      expectProblem(
        await send(JSON.stringify({ padding: 'x'.repeat(1_100_000) })),
        413,
        'payload_too_large',
        `${where} oversize`,
      );
      const media = await send('hello', 'text/plain');
      expect([400, 415], `${where} media: ${media.body}`).toContain(media.statusCode);
      expect(String(media.headers['content-type'])).toContain('application/problem+json');
    }
    expect(await state()).toEqual(before);
  });

  it('names the missing and mistyped fields', async () => {
    const res = await owner.client.post('/api/v1/invitations', { email: 42 });
    expectProblem(res, 400, 'validation_failed', 'invite');
    const paths = json<{ errors: { path: string }[] }>(res).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.email', 'body.role']));
    const ws = await owner.client.patch('/api/v1/workspace', { timeZone: 'Mars/Olympus', version: 1 });
    expect(json<{ errors: { path: string }[] }>(ws).errors.map((e) => e.path)).toContain('body.timeZone');
  });

  it('refuses path ids that are not ids, and query values out of range', async () => {
    for (const op of ops.filter((o) => o.params.some((p) => p !== 'kind'))) {
      const res = await owner.client.request({
        method: op.method as 'GET',
        url: fill(op, 'not-a-uuid'),
        ...(op.body ? { payload: {} } : {}),
      });
      expect(res.statusCode, `${op.method} ${op.path}: ${res.body}`).toBe(400);
    }
    for (const url of [
      '/api/v1/audit-log?limit=abc',
      '/api/v1/audit-log?limit=100000',
      '/api/v1/orders?cursor=garbage',
      '/api/v1/mail-outbox?limit=0',
      '/api/v1/orders?from=yesterday',
    ]) {
      expectProblem(await owner.client.get(url), 400, 'validation_failed', url);
    }
  });

  it('stores hostile strings verbatim and refuses NUL bytes', async () => {
    const hostile = [
      "'; DROP TABLE users; --",
      '<script>alert(1)</script>',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, meant literally
      '{{7*7}} ${7*7}',
      'Ünïcødé 🛒 名前',
    ];
    for (const name of hostile) {
      expect((await owner.client.patch('/api/v1/me', { name })).statusCode).toBe(200);
      expect(json<{ user: { name: string } }>(await owner.client.get('/api/v1/me')).user.name).toBe(name);
      const { version } = json<{ version: number }>(await owner.client.get('/api/v1/workspace'));
      expect((await owner.client.patch('/api/v1/workspace', { name, version })).statusCode).toBe(200);
      expect(json<{ name: string }>(await owner.client.get('/api/v1/workspace')).name).toBe(name);
    }
    const before = await state();
    expectProblem(
      await owner.client.patch('/api/v1/me', { name: 'a\u0000b' }),
      400,
      'validation_failed',
      'NUL in name',
    );
    expectProblem(
      await owner.client.post('/api/v1/orders/batch', {
        items: [
          {
            externalId: 'x\u0000',
            number: '1',
            currency: 'USD',
            totalMinor: 1,
            placedAt: '2026-01-01T00:00:00Z',
            updatedAt: '2026-01-01T00:00:00Z',
          },
        ],
      }),
      400,
      'validation_failed',
      'NUL in batch',
    );
    const deep = await owner.client.post('/api/v1/orders/batch', {
      items: [
        {
          externalId: 'fine',
          number: '1',
          currency: 'USD',
          totalMinor: 1,
          lines: [
            { title: 'ok', quantity: 1, unitPriceMinor: 1 },
            { title: 'bad\u0000', quantity: 1, unitPriceMinor: 1 },
          ],
          placedAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
        },
      ],
    });
    expect(deep.statusCode).toBe(400);
    expect(json<{ errors: { path: string }[] }>(deep).errors[0]!.path).toBe('body.items.0.lines.1.title');
    expect(await state()).toEqual(before);
  });

  it('answers unknown routes with problem+json, sends security headers, and no CORS', async () => {
    expectProblem(await owner.client.get('/api/v1/nothing-here'), 404, 'not_found', 'unknown route');
    const res = await owner.client.request({
      method: 'GET',
      url: '/api/v1/me',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
