// Test harness: a real app on a fresh database — embedded (in memory) by default, or a new
// database on the PostgreSQL server named by TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { createWorkspaceWithOwner } from '../src/modules/onboarding/onboarding.service.ts';
import { loadConfig } from '../src/platform/config.ts';
import { type Database, openDatabase, runMigrations } from '../src/platform/db.ts';
import { type JobDef, startJobs } from '../src/platform/jobs.ts';
import { createLogger } from '../src/platform/logger.ts';
import type { Runtime } from '../src/platform/runtime.ts';

export const onServer = !!process.env.TEST_DATABASE_URL;

/** Creates an empty database on the test server and answers its URL (and a way to drop it). */
export async function freshServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(process.env.TEST_DATABASE_URL!);
  const name = `patron_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export type TestApp = {
  app: FastifyInstance;
  rt: Runtime;
  database: Database;
  close: () => Promise<void>;
};

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const server = onServer ? await freshServerDatabase() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...env,
    ...(server ? { DATABASE_URL: server.url } : {}),
  });
  const log = createLogger(config);
  const database = await openDatabase({ databaseUrl: server?.url, dataDir: 'memory://', poolSize: 5 });
  await runMigrations(database);
  const jobs = await startJobs(database, { supervise: false, log });
  const rt: Runtime = { config, database, jobs, log };
  const app = await buildApp(rt, { serveWeb: false });
  await app.ready();
  return {
    app,
    rt,
    database,
    close: async () => {
      await app.close();
      await jobs.stop();
      await database.close();
      await server?.drop();
    },
  };
}

export type JobsUnderTest = JobDef<never>[];

/** A signed-in client: keeps the session cookie like a browser (or a script) would. */
export class Client {
  cookie = '';
  constructor(readonly app: FastifyInstance) {}

  async request(opts: InjectOptions): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      ...opts,
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...opts.headers },
    });
    const set = res.cookies.find((c) => c.name === 'patron_session');
    if (set) this.cookie = set.value ? `patron_session=${set.value}` : '';
    return res;
  }
  get = (url: string, headers?: Record<string, string>) => this.request({ method: 'GET', url, headers });
  post = (url: string, payload?: unknown, headers?: Record<string, string>) =>
    this.request({ method: 'POST', url, payload: payload as InjectOptions['payload'], headers });
  patch = (url: string, payload?: unknown, headers?: Record<string, string>) =>
    this.request({ method: 'PATCH', url, payload: payload as InjectOptions['payload'], headers });
  put = (url: string, payload?: unknown, headers?: Record<string, string>) =>
    this.request({ method: 'PUT', url, payload: payload as InjectOptions['payload'], headers });
  delete = (url: string, headers?: Record<string, string>) =>
    this.request({ method: 'DELETE', url, headers });
}

export const PASSWORD = 'correct horse battery';

/** A workspace with its owner, and a client signed in as that owner. */
export async function ownerOf(
  t: TestApp,
  name = 'Acme',
  email = `owner-${randomBytes(3).toString('hex')}@example.com`,
) {
  const ws = await createWorkspaceWithOwner(t.database.db, {
    name,
    ownerEmail: email,
    ownerPassword: PASSWORD,
  });
  const client = new Client(t.app);
  const res = await client.post('/api/v1/auth/sign-in', { email, password: PASSWORD });
  if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.body}`);
  return { ...ws, email, client };
}

/** Invites someone with a role and accepts as them; answers their signed-in client. */
export async function memberOf(
  t: TestApp,
  owner: Client,
  role: string,
  email = `${role}-${randomBytes(3).toString('hex')}@example.com`,
) {
  const inv = await owner.post('/api/v1/invitations', { email, role });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.body}`);
  const token = await latestInvitationToken(t, email);
  const client = new Client(t.app);
  const res = await client.post('/api/v1/invitations/accept', {
    token,
    name: `${role} person`,
    password: PASSWORD,
  });
  if (res.statusCode !== 200) throw new Error(`accept failed: ${res.body}`);
  return { email, client, userId: JSON.parse((await client.get('/api/v1/me')).body).user.id as string };
}

/** The link token in the newest mail to an address (mail is held in the outbox without SMTP). */
export async function latestMailLinkToken(t: TestApp, to: string): Promise<string> {
  const found = await t.database.db.execute(
    (await import('drizzle-orm'))
      .sql`SELECT text FROM mail_outbox WHERE to_email = ${to} ORDER BY id DESC LIMIT 1`,
  );
  const text = (found as unknown as { rows: { text: string }[] }).rows[0]?.text ?? '';
  const m = /token=([\w-]+)/.exec(text);
  if (!m) throw new Error(`no link in mail to ${to}`);
  return m[1]!;
}

export const latestInvitationToken = latestMailLinkToken;

export const json = <T = Record<string, unknown>>(res: LightMyRequestResponse): T =>
  JSON.parse(res.body) as T;
