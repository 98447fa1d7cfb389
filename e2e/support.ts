// Browser-test support: a real Patron server on a fresh embedded database, and Chromium.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
export const artifacts = path.join(root, '.e2e-artifacts');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export type Server = { url: string; stop: () => Promise<void>; output: () => string };

/** `patron start` on a fresh data folder, as a newcomer would run it. */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-e2e-'));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin/patron.js'), 'start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PATRON_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready in 60 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<BrowserContext> {
  const executablePath = process.env.PATRON_CHROMIUM ?? '/usr/bin/chromium';
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Screenshots go to .e2e-artifacts/ (not committed); the user guide's are copied to docs/screenshots. */
export async function shoot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Waits for text on the page; on timeout fails with what the page shows instead. */
export async function waitForText(page: Page, text: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await page
        .getByText(text)
        .first()
        .isVisible()
        .catch(() => false)
    )
      return;
    await page.waitForTimeout(250);
  }
  const shown = await page
    .locator('body')
    .innerText()
    .catch(() => '(no page)');
  await shoot(page, `failed-${Date.now()}`);
  throw new Error(`"${text}" did not appear in ${timeoutMs} ms. The page shows:\n${shown.slice(0, 2000)}`);
}

export type Store = {
  server: Server;
  browser: BrowserContext;
  page: Page;
  /** SQL on the store's own database, for checks written independently of the app */
  sql: import('pg').Client;
  /** POSTs JSON to the API as the signed-in owner; answers the status */
  post: (path: string, body: unknown) => Promise<number>;
  close: () => Promise<void>;
};

/**
 * A store on a fresh PostgreSQL database (the server's, or the one CI runs): Patron started on it,
 * its owner set up and signed in in Chromium.
 */
export async function storeWithOwner(owner: {
  workspaceName: string;
  name: string;
  email: string;
  password: string;
}): Promise<Store> {
  const pg = (await import('pg')).default;
  const { randomBytes } = await import('node:crypto');
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const dbName = `patron_e2e_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${dbName}`;
  const server = await startServer({ DATABASE_URL: url.toString() });
  const sql = new pg.Client({ connectionString: url.toString() });
  await sql.connect();
  const browser = await launchBrowser();
  const page = await browser.newPage();
  const res = await fetch(`${server.url}/api/v1/setup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(owner),
  });
  if (res.status !== 201) throw new Error(`setup answered ${res.status}: ${await res.text()}`);
  await page.goto(`${server.url}/sign-in`);
  await page.getByLabel(/email/i).fill(owner.email);
  await page.getByLabel(/password/i).fill(owner.password);
  await page.getByRole('button', { name: /^sign in$/i }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  const post = (p: string, body: unknown) =>
    page.evaluate(
      async ([path, b]) => {
        const r = await fetch(`/api/v1${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
          body: JSON.stringify(b),
        });
        return r.status;
      },
      [p, body] as const,
    );
  return {
    server,
    browser,
    page,
    sql,
    post,
    close: async () => {
      await browser.close();
      await server.stop();
      await sql.end();
      const again = new pg.Client({ connectionString: base });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await again.end();
    },
  };
}

/** Polls SQL until it answers `want` (the worker derives metrics, scores and timelines a moment later). */
export async function waitForSql(
  sql: import('pg').Client,
  query: string,
  want: unknown,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let got: unknown;
  for (;;) {
    got = Object.values((await sql.query(query)).rows[0] ?? {})[0];
    if (got === want) return;
    if (Date.now() > deadline) throw new Error(`${query} answered ${String(got)}, not ${String(want)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
