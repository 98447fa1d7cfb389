// No endpoint reads or writes another workspace's rows. Every /api/v1 route is listed below with how
// it is called while signed in to workspace A, using workspace B's ids; a route missing from the
// table fails the test, so a new endpoint cannot slip through untested.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/platform/db.ts';
import { type Client, json, memberOf, ownerOf, startTestApp, type TestApp } from './harness.ts';

let t: TestApp;
let a: Awaited<ReturnType<typeof ownerOf>>;
let b: Awaited<ReturnType<typeof ownerOf>>;
const B: Record<string, string> = {};

const order = (id: string) => ({
  externalId: id,
  number: id,
  currency: 'USD',
  totalMinor: 1000,
  lines: [{ title: 'Secret B product', quantity: 1, unitPriceMinor: 1000 }],
  customer: { email: 'b-customer@b.example' },
  placedAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
});

beforeAll(async () => {
  t = await startTestApp();
  a = await ownerOf(t, 'Workspace A', 'owner-a@a.example');
  b = await ownerOf(t, 'Workspace B', 'owner-b@b.example');
  // B's data, every kind
  const sales = await memberOf(t, b.client, 'sales', 'sales-b@b.example');
  B.memberId = sales.userId;
  B.invitationId = json<{ id: string }>(
    await b.client.post('/api/v1/invitations', { email: 'invitee-b@b.example', role: 'support' }),
  ).id;
  await b.client.post('/api/v1/orders/batch', { items: [order('B-ORDER-1')] });
  B.orderId = json<{ data: { id: string; customerId: string }[] }>(await b.client.get('/api/v1/orders'))
    .data[0]!.id;
  B.customerId = json<{ data: { id: string }[] }>(await b.client.get('/api/v1/customers')).data[0]!.id;
  await b.client.post('/api/v1/products/batch', {
    items: [{ externalId: 'B-PRODUCT-1', title: 'Secret B product', updatedAt: '2026-01-01T00:00:00Z' }],
  });
  B.productId = json<{ data: { id: string }[] }>(await b.client.get('/api/v1/products')).data[0]!.id;
  B.integrationId = json<{ id: string }>(
    await b.client.post('/api/v1/integrations', {
      kind: 'shopify',
      address: 'b-shop.myshopify.com',
      secret: 'b-secret-123456',
    }),
  ).id;
  B.importId = json<{ id: string }>(
    await b.client.post('/api/v1/imports', { kind: 'orders', filename: 'b-secret.csv' }),
  ).id;
  B.segmentId = json<{ id: string }>(
    await b.client.post('/api/v1/segments', { name: 'Secret B segment', query: 'amount_spent > 1' }),
  ).id;
  B.noteId = json<{ id: string }>(
    await b.client.post(`/api/v1/customers/${B.customerId}/notes`, { body: 'Secret B note' }),
  ).id;
  B.fieldId = json<{ id: string }>(
    await b.client.post('/api/v1/custom-fields', {
      key: 'secret_b_field',
      label: 'Secret B field',
      type: 'text',
    }),
  ).id;
  await b.client.post(`/api/v1/customers/${B.customerId}/tags`, { add: ['secret-b-tag'] });
  B.viewId = json<{ id: string }>(
    await b.client.post('/api/v1/views', {
      name: 'Secret B view',
      shared: true,
      params: { tag: 'secret-b-tag' },
    }),
  ).id;
  B.companyId = json<{ id: string }>(
    await b.client.post('/api/v1/companies', { name: 'Secret B company', domain: 'secret-b.example' }),
  ).id;
  await b.client.post(`/api/v1/companies/${B.companyId}/contacts`, { customerId: B.customerId });
  B.customer2Id = json<{ results: { id: string }[] }>(
    await b.client.post('/api/v1/customers/batch', {
      items: [{ externalId: 'b-second', email: 'b-second@b.example', updatedAt: '2026-01-01T00:00:00Z' }],
    }),
  ).results[0]!.id;
  B.relationId = json<{ id: string }>(
    await b.client.post(`/api/v1/customers/${B.customerId}/relations`, {
      relatedCustomerId: B.customer2Id,
      kind: 'household',
    }),
  ).id;
  // B's own scoring rules (saving enqueues B's rescore: the queue exists once a worker has started)
  await t.rt.jobs.boss.createQueue('segments.refresh-workspace');
  const scoring = await b.client.put('/api/v1/customer-scoring', {
    loyalMinOrders: 7,
    atRiskFactor: 2.5,
    churnedFactor: 6,
    version: 1,
  });
  expect(scoring.statusCode).toBe(200);
  B.sessionId = json<{ data: { id: string }[] }>(await b.client.get('/api/v1/me/sessions')).data[0]!.id;
  B.workspaceId = b.workspaceId;
  // A's own customer, for the merge call
  await a.client.post('/api/v1/orders/batch', {
    items: [{ ...order('A-ORDER-1'), customer: { email: 'a-customer@a.example' } }],
  });
  B.aCustomerId = json<{ data: { id: string }[] }>(await a.client.get('/api/v1/customers')).data[0]!.id;
});
afterAll(() => t?.close());

/** Anything of B's that must never appear in an answer to A. */
const markers = (): string[] =>
  [
    B.workspaceId,
    B.memberId,
    B.invitationId,
    B.orderId,
    B.customerId,
    B.integrationId,
    B.importId,
    B.sessionId,
    B.segmentId,
    'Secret B segment',
    B.noteId,
    B.fieldId,
    B.companyId,
    B.customer2Id,
    B.relationId,
    'Secret B company',
    'Secret B note',
    'Secret B view',
    'secret_b_field',
    'secret-b-tag',
    'b.example',
    'B-ORDER-1',
    'Secret B product',
    'b-shop',
    'Workspace B',
  ].filter((m): m is string => !!m);

type Call = {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  payload?: string;
};
type Case =
  | { kind: 'public' | 'personal'; why: string }
  | { kind: 'read'; call: () => Call }
  | { kind: 'foreign'; call: () => Call }
  | { kind: 'own-write'; call: () => Call };

// How each route is exercised as A. 'foreign': names B's record and must answer 4xx.
// 'read' and 'own-write': may succeed, but must not reveal or touch anything of B's.
const cases: Record<string, Case> = {
  'GET /api/v1/setup': { kind: 'public', why: 'first-run status, no data' },
  'POST /api/v1/setup': { kind: 'public', why: 'refused once set up (setup_done)' },
  'GET /api/v1/invitations/lookup': { kind: 'public', why: 'by secret token only' },
  'POST /api/v1/invitations/accept': { kind: 'public', why: 'by secret token only' },
  'POST /api/v1/auth/sign-in': { kind: 'public', why: 'credentials' },
  'POST /api/v1/auth/two-factor': { kind: 'public', why: 'own pending session' },
  'POST /api/v1/auth/sign-out': { kind: 'personal', why: 'own session' },
  'POST /api/v1/auth/password-reset': { kind: 'public', why: 'always 202' },
  'POST /api/v1/auth/password-reset/confirm': { kind: 'public', why: 'by secret token only' },
  'POST /api/v1/webhooks/shopify': {
    kind: 'public',
    why: 'signed by the shop; isolation covered in webhooks.test.ts',
  },
  'POST /api/v1/webhooks/woocommerce': {
    kind: 'public',
    why: 'signed by the store; covered in webhooks.test.ts',
  },
  'POST /api/v1/track': {
    kind: 'public',
    why: 'by workspace tracking key; covered in commerce.routes.test.ts',
  },
  'GET /api/v1/me': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/me' }) },
  'PATCH /api/v1/me': { kind: 'personal', why: 'own profile' },
  'POST /api/v1/me/workspace': {
    kind: 'foreign',
    call: () => ({ method: 'POST', url: '/api/v1/me/workspace', body: { workspaceId: B.workspaceId } }),
  },
  'POST /api/v1/me/password': { kind: 'personal', why: 'own password' },
  'GET /api/v1/me/sessions': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/me/sessions' }) },
  'DELETE /api/v1/me/sessions': { kind: 'personal', why: 'own other sessions' },
  'DELETE /api/v1/me/sessions/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/me/sessions/${B.sessionId}` }),
  },
  'POST /api/v1/me/two-factor/setup': { kind: 'personal', why: 'own account' },
  'POST /api/v1/me/two-factor/enable': { kind: 'personal', why: 'own account' },
  'POST /api/v1/me/two-factor/disable': { kind: 'personal', why: 'own account' },
  'POST /api/v1/me/two-factor/recovery-codes': { kind: 'personal', why: 'own account' },
  'POST /api/v1/workspaces': { kind: 'personal', why: 'creates a new workspace of its own' },
  'GET /api/v1/workspace': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/workspace' }) },
  'PATCH /api/v1/workspace': {
    kind: 'own-write',
    call: () => ({ method: 'PATCH', url: '/api/v1/workspace', body: { name: 'A renamed', version: 1 } }),
  },
  'GET /api/v1/members': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/members' }) },
  'PATCH /api/v1/members/{userId}': {
    kind: 'foreign',
    call: () => ({ method: 'PATCH', url: `/api/v1/members/${B.memberId}`, body: { role: 'admin' } }),
  },
  'DELETE /api/v1/members/{userId}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/members/${B.memberId}` }),
  },
  'GET /api/v1/invitations': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/invitations' }) },
  'POST /api/v1/invitations': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/invitations',
      body: { email: 'someone@a.example', role: 'sales' },
    }),
  },
  'DELETE /api/v1/invitations/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/invitations/${B.invitationId}` }),
  },
  'GET /api/v1/audit-log': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/audit-log?limit=200' }),
  },
  'GET /api/v1/mail-outbox': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/mail-outbox?limit=200' }),
  },
  'POST /api/v1/customers/batch': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/customers/batch',
      body: { items: [{ externalId: 'x', email: 'a-other@a.example', updatedAt: '2026-02-01T00:00:00Z' }] },
    }),
  },
  'POST /api/v1/products/batch': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/products/batch',
      body: { items: [{ externalId: 'p', title: 'A thing', updatedAt: '2026-01-01T00:00:00Z' }] },
    }),
  },
  'POST /api/v1/orders/batch': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/orders/batch',
      body: {
        items: [
          {
            ...order('A-ORDER-2'),
            lines: [{ title: 'A lamp', quantity: 1, unitPriceMinor: 1000 }],
            customer: { email: 'a-other@a.example' },
          },
        ],
      },
    }),
  },
  'POST /api/v1/refunds/batch': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/refunds/batch',
      body: {
        items: [
          {
            externalId: 'r',
            orderExternalId: 'B-ORDER-1',
            amountMinor: 100,
            currency: 'USD',
            createdAt: '2026-01-02T00:00:00Z',
          },
        ],
      },
    }),
  },
  'POST /api/v1/checkouts/batch': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/checkouts/batch',
      body: {
        items: [
          {
            externalId: 'c',
            currency: 'USD',
            totalMinor: 1,
            createdAt: '2026-01-01T00:00:00Z',
            updatedAt: '2026-01-01T00:00:00Z',
            customer: { email: 'a-other@a.example' },
          },
        ],
      },
    }),
  },
  'GET /api/v1/customers': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/customers?q=customer' }),
  },
  'GET /api/v1/customers/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/customers/${B.customerId}` }),
  },
  'POST /api/v1/customers/{id}/merge': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: `/api/v1/customers/${B.aCustomerId}/merge`,
      body: { mergeId: B.customerId },
    }),
  },
  'PATCH /api/v1/customers/{id}': {
    kind: 'foreign',
    call: () => ({
      method: 'PATCH',
      url: `/api/v1/customers/${B.customerId}`,
      body: { version: 1, firstName: 'x' },
    }),
  },
  'GET /api/v1/views': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/views' }) },
  'POST /api/v1/views': {
    kind: 'own-write',
    call: () => ({ method: 'POST', url: '/api/v1/views', body: { name: 'A view', params: { tag: 'x' } } }),
  },
  'DELETE /api/v1/views/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/views/${B.viewId}` }),
  },
  'POST /api/v1/customers/bulk': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/customers/bulk',
      body: { ids: [B.customerId], action: 'delete' },
    }),
  },
  'POST /api/v1/customers/export': {
    kind: 'read',
    call: () => ({ method: 'POST', url: '/api/v1/customers/export', body: { ids: [B.customerId] } }),
  },
  'GET /api/v1/customers/{id}/360': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/customers/${B.customerId}/360` }),
  },
  'POST /api/v1/customers/{id}/tags': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: `/api/v1/customers/${B.customerId}/tags`,
      body: { remove: ['secret-b-tag'] },
    }),
  },
  'GET /api/v1/customers/{id}/timeline': {
    kind: 'read',
    call: () => ({ method: 'GET', url: `/api/v1/customers/${B.customerId}/timeline` }),
  },
  'GET /api/v1/customers/{id}/notes': {
    kind: 'read',
    call: () => ({ method: 'GET', url: `/api/v1/customers/${B.customerId}/notes` }),
  },
  'POST /api/v1/customers/{id}/notes': {
    kind: 'foreign',
    call: () => ({ method: 'POST', url: `/api/v1/customers/${B.customerId}/notes`, body: { body: 'x' } }),
  },
  'PATCH /api/v1/customers/{id}/notes/{noteId}': {
    kind: 'foreign',
    call: () => ({
      method: 'PATCH',
      url: `/api/v1/customers/${B.customerId}/notes/${B.noteId}`,
      body: { version: 1, body: 'Taken' },
    }),
  },
  'DELETE /api/v1/customers/{id}/notes/{noteId}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/customers/${B.customerId}/notes/${B.noteId}` }),
  },
  'GET /api/v1/customer-scoring': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/customer-scoring' }),
  },
  'PUT /api/v1/customer-scoring': {
    kind: 'own-write',
    call: () => ({
      method: 'PUT',
      url: '/api/v1/customer-scoring',
      body: { loyalMinOrders: 4, atRiskFactor: 2, churnedFactor: 4, version: 1 },
    }),
  },
  'POST /api/v1/customer-scoring/preview': {
    kind: 'read',
    call: () => ({
      method: 'POST',
      url: '/api/v1/customer-scoring/preview',
      body: { loyalMinOrders: 2, atRiskFactor: 1.2, churnedFactor: 2 },
    }),
  },
  'GET /api/v1/tags': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/tags' }) },
  'PUT /api/v1/tags': {
    kind: 'own-write',
    call: () => ({ method: 'PUT', url: '/api/v1/tags', body: { name: 'secret-b-tag', colour: 'red' } }),
  },
  // the customers import lists the workspace's custom fields: none of B's may show
  // (before A defines a field of its own with the key of B's, below)
  'GET /api/v1/imports/fields/{kind}': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/imports/fields/customers' }),
  },
  'GET /api/v1/custom-fields': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/custom-fields' }),
  },
  'POST /api/v1/custom-fields': {
    kind: 'own-write',
    call: () => ({
      method: 'POST',
      url: '/api/v1/custom-fields',
      body: { key: 'secret_b_field', label: 'Mine', type: 'text' },
    }),
  },
  'PATCH /api/v1/custom-fields/{id}': {
    kind: 'foreign',
    call: () => ({
      method: 'PATCH',
      url: `/api/v1/custom-fields/${B.fieldId}`,
      body: { version: 1, label: 'Taken' },
    }),
  },
  'DELETE /api/v1/custom-fields/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/custom-fields/${B.fieldId}` }),
  },
  'GET /api/v1/companies': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/companies?q=secret' }),
  },
  'POST /api/v1/companies': {
    kind: 'own-write',
    call: () => ({ method: 'POST', url: '/api/v1/companies', body: { name: 'A company' } }),
  },
  'GET /api/v1/companies/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/companies/${B.companyId}` }),
  },
  'PATCH /api/v1/companies/{id}': {
    kind: 'foreign',
    call: () => ({
      method: 'PATCH',
      url: `/api/v1/companies/${B.companyId}`,
      body: { version: 1, name: 'Taken' },
    }),
  },
  'DELETE /api/v1/companies/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/companies/${B.companyId}` }),
  },
  'POST /api/v1/companies/{id}/contacts': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: `/api/v1/companies/${B.companyId}/contacts`,
      body: { customerId: B.customer2Id },
    }),
  },
  'DELETE /api/v1/companies/{id}/contacts/{customerId}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/companies/${B.companyId}/contacts/${B.customerId}` }),
  },
  'GET /api/v1/customers/{id}/relations': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/customers/${B.customerId}/relations` }),
  },
  'POST /api/v1/customers/{id}/relations': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: `/api/v1/customers/${B.customerId}/relations`,
      body: { relatedCustomerId: B.aCustomerId, kind: 'other' },
    }),
  },
  'DELETE /api/v1/customers/{id}/relations/{relationId}': {
    kind: 'foreign',
    call: () => ({
      method: 'DELETE',
      url: `/api/v1/customers/${B.customerId}/relations/${B.relationId}`,
    }),
  },
  'GET /api/v1/orders': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/orders' }) },
  'GET /api/v1/orders/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/orders/${B.orderId}` }),
  },
  'GET /api/v1/products': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/products' }) },
  'GET /api/v1/products/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/products/${B.productId}` }),
  },
  'GET /api/v1/integrations': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/integrations' }) },
  'POST /api/v1/integrations': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: '/api/v1/integrations',
      body: { kind: 'shopify', address: 'b-shop.myshopify.com', secret: 'stolen-secret-1' },
    }),
  },
  'DELETE /api/v1/integrations/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/integrations/${B.integrationId}` }),
  },
  'GET /api/v1/tracking': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/tracking' }) },
  'GET /api/v1/imports': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/imports' }) },
  'POST /api/v1/imports': {
    kind: 'own-write',
    call: () => ({ method: 'POST', url: '/api/v1/imports', body: { kind: 'orders', filename: 'a.csv' } }),
  },
  'GET /api/v1/imports/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/imports/${B.importId}` }),
  },
  'POST /api/v1/imports/{id}/start': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: `/api/v1/imports/${B.importId}/start`,
      body: { mapping: {}, dryRun: true },
    }),
  },
  'GET /api/v1/imports/{id}/errors.csv': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/imports/${B.importId}/errors.csv` }),
  },
  'PUT /api/v1/imports/{id}/file': {
    kind: 'foreign',
    call: () => ({
      method: 'PUT',
      url: `/api/v1/imports/${B.importId}/file`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: 'a,b\n1,2\n',
    }),
  },
  'POST /api/v1/segments/preview': {
    kind: 'read',
    call: () => ({
      method: 'POST',
      url: '/api/v1/segments/preview',
      body: { query: 'number_of_orders >= 0' },
    }),
  },
  'POST /api/v1/segments/export': {
    kind: 'read',
    call: () => ({
      method: 'POST',
      url: '/api/v1/segments/export',
      body: { query: 'number_of_orders >= 0' },
    }),
  },
  'GET /api/v1/segments': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/segments' }) },
  'POST /api/v1/segments': {
    kind: 'own-write',
    call: () => ({ method: 'POST', url: '/api/v1/segments', body: { name: 'A list', kind: 'static' } }),
  },
  'GET /api/v1/segments/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/segments/${B.segmentId}` }),
  },
  'PATCH /api/v1/segments/{id}': {
    kind: 'foreign',
    call: () => ({
      method: 'PATCH',
      url: `/api/v1/segments/${B.segmentId}`,
      body: { version: 1, name: 'Taken' },
    }),
  },
  'DELETE /api/v1/segments/{id}': {
    kind: 'foreign',
    call: () => ({ method: 'DELETE', url: `/api/v1/segments/${B.segmentId}` }),
  },
  'POST /api/v1/segments/{id}/refresh': {
    kind: 'foreign',
    call: () => ({ method: 'POST', url: `/api/v1/segments/${B.segmentId}/refresh` }),
  },
  'GET /api/v1/segments/{id}/members': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/segments/${B.segmentId}/members` }),
  },
  'POST /api/v1/segments/{id}/members': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: `/api/v1/segments/${B.segmentId}/members`,
      body: { add: [B.aCustomerId], remove: [B.customerId] },
    }),
  },
  'GET /api/v1/segments/{id}/history': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/segments/${B.segmentId}/history` }),
  },
  'GET /api/v1/segments/{id}/export': {
    kind: 'foreign',
    call: () => ({ method: 'GET', url: `/api/v1/segments/${B.segmentId}/export` }),
  },
  'POST /api/v1/segments/{id}/tags': {
    kind: 'foreign',
    call: () => ({
      method: 'POST',
      url: `/api/v1/segments/${B.segmentId}/tags`,
      body: { action: 'add', tag: 'x' },
    }),
  },
  'GET /api/v1/segments/rfm': { kind: 'read', call: () => ({ method: 'GET', url: '/api/v1/segments/rfm' }) },
  'GET /api/v1/segments/rfm/customers': {
    kind: 'read',
    call: () => ({ method: 'GET', url: '/api/v1/segments/rfm/customers?group=new' }),
  },
};

async function send(client: Client, c: Call) {
  return client.request({
    method: c.method as 'GET',
    url: c.url,
    headers: c.headers,
    payload: c.payload ?? (c.body as object | undefined),
  });
}

async function snapshotB() {
  const tables = [
    'memberships',
    'invitations',
    'orders',
    'customers',
    'customer_identities',
    'integrations',
    'imports',
    'import_files',
    'refunds',
    'checkouts',
    'products',
    'segments',
    'segment_members',
    'segment_membership_events',
    'customer_notes',
    'custom_field_defs',
    'tag_definitions',
    'timeline_items',
    'saved_views',
    'companies',
    'customer_relations',
    'customer_scoring',
  ];
  const out: Record<string, unknown> = {};
  for (const table of tables) {
    out[table] = await rows(
      t.database.db,
      sql`SELECT * FROM ${sql.raw(table)} WHERE workspace_id = ${B.workspaceId} ORDER BY 1, 2`,
    );
  }
  out.workspace = await rows(
    t.database.db,
    sql`SELECT name, version FROM workspaces WHERE id = ${B.workspaceId}`,
  );
  out.sessions = await rows(
    t.database.db,
    sql`SELECT id, revoked_at FROM sessions WHERE id = ${B.sessionId}`,
  );
  return JSON.stringify(out);
}

describe('workspace isolation', () => {
  it('has a case for every API route', () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes.filter((r) => !cases[r])).toEqual([]);
    expect(Object.keys(cases).filter((c) => !routes.includes(c))).toEqual([]);
  });

  it("never shows A anything of B's, and never lets A change B", async () => {
    const before = await snapshotB();
    const leaks: string[] = [];
    for (const [route, c] of Object.entries(cases)) {
      if (!('call' in c)) continue;
      const call = c.call();
      const res = await send(a.client, call);
      // what A itself sent may come back (an error naming the address it typed); nothing else of B's may
      const sent = JSON.stringify(call.body ?? '') + call.url;
      if (c.kind === 'foreign' && res.statusCode < 400)
        leaks.push(`${route} answered ${res.statusCode} for B's record`);
      if (res.statusCode >= 500) leaks.push(`${route} failed with ${res.statusCode}: ${res.body}`);
      const seen = markers().filter((m) => res.body.includes(m) && !sent.includes(m));
      if (seen.length) leaks.push(`${route} revealed ${seen.join(', ')}`);
    }
    expect(leaks).toEqual([]);
    expect(await snapshotB()).toBe(before);
    // A's save changed A's rules only; B still reads its own
    const rulesOf = async (c: Client) =>
      json<{ loyalMinOrders: number }>(await c.get('/api/v1/customer-scoring')).loyalMinOrders;
    expect(await rulesOf(a.client)).toBe(4);
    expect(await rulesOf(b.client)).toBe(7);
  });

  it('keeps the same person apart in two workspaces', async () => {
    // the same email in A and B is two customers: identity resolution never crosses workspaces
    const res = await a.client.post('/api/v1/customers/batch', {
      items: [
        {
          externalId: 'same-person',
          email: 'b-customer@b.example',
          firstName: 'Seen by A',
          updatedAt: '2026-03-01T00:00:00Z',
        },
      ],
    });
    const id = json<{ results: { id: string; status: string }[] }>(res).results[0]!;
    expect(id.status).toBe('created');
    expect(id.id).not.toBe(B.customerId);
    const theirs = json<{ firstName: string | null }>(
      await b.client.get(`/api/v1/customers/${B.customerId}`),
    );
    expect(theirs.firstName).toBeNull();
  });
});
