// The `patron` command on the embedded database: creating a workspace, refusing bad input, and
// refusing to open a data folder another Patron process holds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, killAll, type Proc, patronBin, run, start, waitForHttp } from './fixtures/processes.ts';

const PASSWORD = 'correct horse battery';
const embedded = { DATABASE_URL: undefined };

// embedded only: the server pass of the suite skips it (it would run the same thing twice)
describe.skipIf(!!process.env.TEST_DATABASE_URL)('patron command (embedded database)', () => {
  let root: string;
  let dataDir: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-cli-'));
    dataDir = path.join(root, 'data');
  });
  afterAll(async () => {
    await killAll();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const createWorkspace = (dir: string, args: string[]) =>
    run([patronBin, 'admin', 'create-workspace', ...args], { ...embedded, PATRON_DATA_DIR: dir });

  it('creates a workspace and prints its id and slug as JSON', async () => {
    const res = await createWorkspace(dataDir, [
      '--name',
      'Corner Shop',
      '--owner-email',
      'owner@example.com',
      '--owner-password',
      PASSWORD,
    ]);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim());
    expect(Object.keys(out).sort()).toEqual(['slug', 'workspaceId']);
    expect(out.workspaceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.slug).toMatch(/^corner-shop/);
    expect(fs.existsSync(path.join(dataDir, 'patron.lock'))).toBe(false); // released
  });

  it('prints a working password-reset link for an account, and refuses an unknown one', async () => {
    const env = { ...embedded, PATRON_DATA_DIR: dataDir, PUBLIC_URL: 'https://crm.example.com' };
    const res = await run([patronBin, 'admin', 'password-reset-link', '--email', 'owner@example.com'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toMatch(/^https:\/\/crm\.example\.com\/reset-password\?token=[\w-]{20,}$/);
    const unknown = await run(
      [patronBin, 'admin', 'password-reset-link', '--email', 'nobody@example.com'],
      env,
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no account with the email nobody@example.com/);
    const missing = await run([patronBin, 'admin', 'password-reset-link'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--email/);
  }, 90_000); // three processes, each opening the embedded database

  it.each([
    ['a missing --name', ['--owner-email', 'a@example.com', '--owner-password', PASSWORD], /--name/],
    [
      'a bad email',
      ['--name', 'X', '--owner-email', 'not-an-email', '--owner-password', PASSWORD],
      /--owner-email/,
    ],
    [
      'a short password',
      ['--name', 'X', '--owner-email', 'a@example.com', '--owner-password', 'short'],
      /--owner-password/,
    ],
    ['an unknown option', ['--name', 'X', '--bogus', 'y'], /bogus/],
  ])('refuses %s with exit code 2 and creates nothing', async (_what, args, message) => {
    const dir = path.join(root, `untouched-${Math.random().toString(36).slice(2)}`);
    const res = await createWorkspace(dir, args);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/^patron: /);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(res.stdout).toBe('');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses an unknown command with exit code 2', async () => {
    const res = await run([patronBin, 'frobnicate'], {
      ...embedded,
      PATRON_DATA_DIR: path.join(root, 'none'),
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Unknown command "frobnicate"');
  });

  it('says a separate worker needs DATABASE_URL (exit code 2)', async () => {
    const res = await run([patronBin, 'worker'], { ...embedded, PATRON_DATA_DIR: path.join(root, 'none') });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^patron: A separate worker needs a PostgreSQL server \(DATABASE_URL\)/);
    expect(fs.existsSync(path.join(root, 'none'))).toBe(false);
  });

  describe('while a server holds the data folder', () => {
    let server: Proc;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      server = start([patronBin, 'start'], {
        ...embedded,
        PATRON_DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
      });
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 60_000, server);
    }, 90_000);

    it('refuses `migrate` and `admin create-workspace` with exit code 2, and the server keeps working', async () => {
      const [migrate, create] = await Promise.all([
        run([patronBin, 'migrate'], { ...embedded, PATRON_DATA_DIR: dataDir }),
        createWorkspace(dataDir, [
          '--name',
          'Second',
          '--owner-email',
          'second@example.com',
          '--owner-password',
          PASSWORD,
        ]),
      ]);
      for (const res of [migrate, create]) {
        expect(res.code, res.stderr).toBe(2);
        expect(res.stderr).toContain('is in use by another Patron process');
        expect(res.stderr).toContain(`pid ${server.child.pid}`);
      }
      expect(fs.existsSync(path.join(dataDir, 'patron.lock'))).toBe(true); // still the server's

      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const signIn = await fetch(`http://127.0.0.1:${port}/api/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'owner@example.com', password: PASSWORD }),
      });
      expect(signIn.status, await signIn.clone().text()).toBe(200);
      const refused = await fetch(`http://127.0.0.1:${port}/api/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'second@example.com', password: PASSWORD }),
      });
      expect(refused.status).toBe(401); // the refused create-workspace made nothing
    });

    it('stops on SIGTERM with exit code 0 and releases the folder', async () => {
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
      expect(fs.existsSync(path.join(dataDir, 'patron.lock'))).toBe(false);
      const migrate = await run([patronBin, 'migrate'], { ...embedded, PATRON_DATA_DIR: dataDir });
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(migrate.stdout).toContain('migrations applied');
    }, 60_000);
  });
});
