// Several Patron processes on one PostgreSQL server: web processes sharing sessions, workers
// sharing jobs (each done once), a worker killed mid-job, and a graceful stop.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  killAll,
  type Proc,
  patronBin,
  run,
  start,
  testWorkerFixture,
  until,
  waitForHttp,
} from './fixtures/processes.ts';
import { freshServerDatabase } from './harness.ts';

const onServer = !!process.env.TEST_DATABASE_URL;

type ServerDb = { url: string; drop: () => Promise<void>; client: pg.Client; boss: PgBoss };

async function openServerDb(): Promise<ServerDb> {
  const fresh = await freshServerDatabase();
  const client = new pg.Client({ connectionString: fresh.url });
  await client.connect();
  await client.query('CREATE TABLE test_effects (job_key text NOT NULL, worker text NOT NULL)');
  const boss = new PgBoss({ connectionString: fresh.url, supervise: false, schedule: false, migrate: true });
  boss.on('error', () => undefined);
  await boss.start();
  return { ...fresh, client, boss };
}

async function closeServerDb(s: ServerDb | undefined) {
  if (!s) return;
  await s.boss.stop({ graceful: false, timeout: 1000 }).catch(() => undefined);
  await s.client.end().catch(() => undefined);
  await s.drop();
}

const startWorker = (url: string, name: string, env: Record<string, string> = {}): Proc =>
  start(['--import', 'tsx', testWorkerFixture], { DATABASE_URL: url, WORKER_NAME: name, ...env });

async function effectsOf(s: ServerDb, key: string): Promise<number> {
  const r = await s.client.query<{ n: string }>('SELECT count(*) AS n FROM test_effects WHERE job_key = $1', [
    key,
  ]);
  return Number(r.rows[0]!.n);
}

async function jobState(s: ServerDb, id: string) {
  const r = await s.client.query<{ state: string; retry_count: number }>(
    'SELECT state, retry_count FROM pgboss.job WHERE id = $1',
    [id],
  );
  return r.rows[0];
}

describe.skipIf(!onServer)('a worker killed in the middle of a job', () => {
  let s: ServerDb | undefined;
  beforeAll(async () => {
    s = await openServerDb();
  });
  afterAll(async () => {
    await killAll();
    await closeServerDb(s);
  });

  it('leaves the job to be done exactly once after restart (killed before its commit)', async () => {
    const db = s!;
    const first = startWorker(db.url, 'first', { FIXTURE_HANG: '1' });
    await first.waitFor(/^ready$/);
    const key = randomUUID();
    const id = (await db.boss.send('test.effect', { key, hang: true }))!;
    await first.waitFor(new RegExp(`^hanging ${id}$`));
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await effectsOf(db, key)).toBe(0); // its transaction rolled back
    expect((await jobState(db, id))?.state).toBe('active'); // and the queue still thinks it runs

    const second = startWorker(db.url, 'second');
    await second.waitFor(/^ready$/);
    const done = await until(
      async () => {
        const j = await jobState(db, id);
        return j?.state === 'completed' && j;
      },
      30_000,
      'the job to complete after restart',
    );
    expect(done.retry_count).toBeGreaterThanOrEqual(1);
    expect(await effectsOf(db, key)).toBe(1);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('leaves the job to be done exactly once after restart (killed after its commit, before the ack)', async () => {
    const db = s!;
    const first = startWorker(db.url, 'first', { FIXTURE_KILL_AFTER_COMMIT: '1' });
    await first.waitFor(/^ready$/);
    const key = randomUUID();
    const id = (await db.boss.send('test.effect', { key }))!;
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await effectsOf(db, key)).toBe(1); // its transaction committed
    expect((await jobState(db, id))?.state).toBe('active'); // but the queue never heard

    const second = startWorker(db.url, 'second');
    await second.waitFor(/^ready$/);
    const done = await until(
      async () => {
        const j = await jobState(db, id);
        return j?.state === 'completed' && j;
      },
      30_000,
      'the job to complete after restart',
    );
    expect(done.retry_count).toBeGreaterThanOrEqual(1); // it was delivered again…
    expect(await effectsOf(db, key)).toBe(1); // …and did nothing twice
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});

describe.skipIf(!onServer)('several web and worker processes on one server', () => {
  let s: ServerDb | undefined;
  const ports: number[] = [];
  const webs: Proc[] = [];
  const workers: Proc[] = [];

  beforeAll(async () => {
    s = await openServerDb();
    for (let i = 0; i < 2; i++) ports.push(await freePort());
    for (const port of ports) {
      webs.push(
        start([patronBin, 'start', '--no-worker'], {
          DATABASE_URL: s.url,
          PORT: String(port),
          HOST: '127.0.0.1',
        }),
      );
    }
    for (const name of ['w1', 'w2']) workers.push(startWorker(s.url, name));
    await Promise.all([
      ...ports.map((port, i) => waitForHttp(`http://127.0.0.1:${port}/readyz`, 45_000, webs[i])),
      ...workers.map((w) => w.waitFor(/^ready$/, 45_000)),
    ]);
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await closeServerDb(s);
  });

  it('shares sessions: signed in on one web process, recognised by the other', async () => {
    const email = `owner-${randomUUID().slice(0, 8)}@example.com`;
    const password = 'correct horse battery';
    const created = await run(
      [
        patronBin,
        'admin',
        'create-workspace',
        '--name',
        'Multi Shop',
        '--owner-email',
        email,
        '--owner-password',
        password,
      ],
      { DATABASE_URL: s!.url },
    );
    expect(created.code, created.stderr).toBe(0);
    const ws = JSON.parse(created.stdout.trim()) as { workspaceId: string; slug: string };
    expect(ws).toEqual({ workspaceId: expect.any(String), slug: expect.any(String) });

    const signIn = await fetch(`http://127.0.0.1:${ports[0]}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(signIn.status, await signIn.clone().text()).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith('patron_session='));
    expect(cookie).toBeTruthy();
    const me1 = await fetch(`http://127.0.0.1:${ports[0]}/api/v1/me`, { headers: { cookie: cookie! } });
    const me2 = await fetch(`http://127.0.0.1:${ports[1]}/api/v1/me`, { headers: { cookie: cookie! } });
    expect(me2.status).toBe(200);
    const [u1, u2] = (await Promise.all([me1.json(), me2.json()])) as {
      user: { id: string; email: string };
    }[];
    expect(u2!.user.id).toBe(u1!.user.id);
    expect(u2!.user.email).toBe(email);
  });

  it('runs a burst of 500 jobs exactly once between two workers', async () => {
    const db = s!;
    const batch = randomUUID();
    const keys = Array.from({ length: 500 }, (_, i) => `${batch}:${i}`);
    const started = Date.now();
    await db.boss.insert(
      'test.effect',
      keys.map((key) => ({ data: { key } })),
    );
    await until(
      async () => {
        const r = await db.client.query<{ n: string }>(
          "SELECT count(*) AS n FROM pgboss.job WHERE name = 'test.effect' AND state = 'completed' AND data->>'key' LIKE $1",
          [`${batch}:%`],
        );
        return Number(r.rows[0]!.n) === keys.length;
      },
      45_000,
      '500 jobs to complete',
    );
    const elapsed = Date.now() - started;
    const done = await db.client.query<{ job_key: string; worker: string }>(
      'SELECT job_key, worker FROM test_effects WHERE job_key LIKE $1',
      [`${batch}:%`],
    );
    expect(done.rows).toHaveLength(keys.length);
    expect(new Set(done.rows.map((r) => r.job_key)).size).toBe(keys.length);
    const byWorker = new Map<string, number>();
    for (const r of done.rows) byWorker.set(r.worker, (byWorker.get(r.worker) ?? 0) + 1);
    expect([...byWorker.keys()].sort()).toEqual(['w1', 'w2']);
    console.info(`500 jobs in ${elapsed} ms: ${JSON.stringify(Object.fromEntries(byWorker))}`);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const web = webs[1]!;
    const t0 = Date.now();
    web.child.kill('SIGTERM');
    const exit = await Promise.race([
      web.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000)),
    ]);
    expect(exit, web.output()).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeLessThan(10_000);
    // the other web process is unaffected
    expect((await fetch(`http://127.0.0.1:${ports[0]}/readyz`)).status).toBe(200);

    const worker = workers[0]!;
    worker.child.kill('SIGTERM');
    const wexit = await Promise.race([
      worker.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 25_000)),
    ]);
    expect(wexit, worker.output()).toEqual({ code: 0, signal: null });
  }, 40_000);

  it('`patron worker` starts on the server and stops on SIGTERM', async () => {
    const w = start([patronBin, 'worker'], { DATABASE_URL: s!.url, LOG_LEVEL: 'info' });
    await w.waitFor(/worker running/, 30_000);
    w.child.kill('SIGTERM');
    const exit = await Promise.race([
      w.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 25_000)),
    ]);
    expect(exit, w.output()).toEqual({ code: 0, signal: null });
  }, 40_000);
});
