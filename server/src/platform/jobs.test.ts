import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DatabaseKind,
  databaseKinds,
  openTestDatabase,
  silentLog,
  type TestDatabase,
} from '../../test/fixtures/databases.ts';
import { type Db, rows } from './db.ts';
import { type JobDef, type Jobs, runJobOnce, startJobs, startWorker } from './jobs.ts';

describe.each(databaseKinds)('jobs (%s database)', (kind: DatabaseKind) => {
  let t: TestDatabase;
  let db: Db;
  let jobs: Jobs;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    db = t.database.db;
    jobs = await startJobs(t.database, { supervise: false, log: silentLog });
    await db.execute(sql`CREATE TABLE test_effects (job_key text NOT NULL)`);
    await jobs.boss.createQueue('test.send');
  });
  afterAll(async () => {
    await jobs?.stop();
    await t?.close();
  });

  const effects = async (key: string) =>
    Number(
      (await rows<{ n: string }>(db, sql`SELECT count(*) AS n FROM test_effects WHERE job_key = ${key}`))[0]!
        .n,
    );

  let calls = 0;
  const effect: JobDef<{ key: string; fail?: boolean }> = {
    name: 'test.effect',
    handle: async (tx, data) => {
      calls++;
      await tx.execute(sql`INSERT INTO test_effects (job_key) VALUES (${data.key})`);
      if (data.fail) throw new Error('handler failed');
    },
  };

  it('runs the handler once when the same job is delivered twice (a retry)', async () => {
    const id = randomUUID();
    const key = `k-${id}`;
    calls = 0;
    await runJobOnce(db, effect, { id, data: { key }, retryCount: 0 });
    await runJobOnce(db, effect, { id, data: { key }, retryCount: 1 });
    expect(calls).toBe(1);
    expect(await effects(key)).toBe(1);
    const done = await rows<{ queue: string }>(
      db,
      sql`SELECT queue FROM job_completions WHERE job_id = ${id}`,
    );
    expect(done).toEqual([{ queue: 'test.effect' }]);
  });

  it('records nothing when the handler fails, so the retry does the work', async () => {
    const id = randomUUID();
    const key = `k-${id}`;
    await expect(runJobOnce(db, effect, { id, data: { key, fail: true }, retryCount: 0 })).rejects.toThrow(
      'handler failed',
    );
    expect(await effects(key)).toBe(0);
    await runJobOnce(db, effect, { id, data: { key }, retryCount: 1 });
    expect(await effects(key)).toBe(1);
  });

  it('calls afterCommit once the effects are committed', async () => {
    const id = randomUUID();
    const key = `k-${id}`;
    const seen: number[] = [];
    await runJobOnce(
      db,
      { ...effect, afterCommit: async () => void seen.push(await effects(key)) },
      { id, data: { key }, retryCount: 0 },
    );
    expect(seen).toEqual([1]);
  });

  const queued = async (marker: string) =>
    Number(
      (
        await rows<{ n: string }>(
          db,
          sql`SELECT count(*) AS n FROM pgboss.job WHERE name = 'test.send' AND data->>'marker' = ${marker}`,
        )
      )[0]!.n,
    );

  it('enqueues in the caller transaction: a rolled-back change leaves no job', async () => {
    const marker = randomUUID();
    await expect(
      db.transaction(async (tx) => {
        await jobs.send(tx as unknown as Db, 'test.send', { marker });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await queued(marker)).toBe(0);
    const id = await db.transaction(async (tx) => jobs.send(tx as unknown as Db, 'test.send', { marker }));
    expect(id).toBeTruthy();
    expect(await queued(marker)).toBe(1);
  });

  it('settles each job of a batch on its own: one failing job does not fail or delay the others', async () => {
    const batch = randomUUID();
    const def: JobDef<{ key: string; fail?: boolean }> = {
      name: 'test.batch',
      queue: { retryDelay: 60, retryBackoff: false, retryLimit: 3 },
      handle: effect.handle,
    };
    const worker = await startWorker(t.database, jobs, [def as JobDef<never>], [], silentLog);
    try {
      const keys = Array.from({ length: 10 }, (_, i) => `${batch}:${i}`);
      await jobs.boss.insert(
        'test.batch',
        keys.map((key, i) => ({ data: { key, fail: i === 3 } })),
      );
      const states = async () =>
        rows<{ key: string; state: string; retry_count: number }>(
          db,
          sql`SELECT data->>'key' AS key, state, retry_count FROM pgboss.job
               WHERE name = 'test.batch' AND data->>'key' LIKE ${`${batch}:%`} ORDER BY key`,
        );
      const deadline = Date.now() + 15_000;
      while ((await states()).some((j) => j.state === 'created' || j.state === 'active')) {
        if (Date.now() > deadline) throw new Error(JSON.stringify(await states()));
        await new Promise((r) => setTimeout(r, 100));
      }
      const all = await states();
      for (const j of all) {
        if (j.key === keys[3]) expect(j.state).toBe('retry');
        else expect(j, JSON.stringify(all)).toMatchObject({ state: 'completed', retry_count: 0 });
      }
      for (const [i, key] of keys.entries()) expect(await effects(key)).toBe(i === 3 ? 0 : 1);
    } finally {
      await worker.stop();
    }
  });
});
