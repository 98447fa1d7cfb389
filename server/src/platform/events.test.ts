import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type DatabaseKind,
  databaseKinds,
  openTestDatabase,
  silentLog,
  type TestDatabase,
} from '../../test/fixtures/databases.ts';
import { METRIC_EVENTS } from '../modules/commerce/metrics.ts';
import { type Db, rows } from './db.ts';
import {
  DISPATCH_BATCH,
  type DomainEvent,
  dispatchBatch,
  drainEvents,
  type EventHandler,
  LANES,
  MAIN_BATCH_WHILE_ARRIVING,
  pickQuery,
  recordEvent,
  recordEvents,
} from './events.ts';

/** An event and its queue row: `queued` until its handlers have run. */
type EventRow = {
  id: string;
  queued: boolean;
  attempts: number | null;
  last_error: string | null;
  retry_at: string | Date | null;
};

describe.each(databaseKinds)('events outbox (%s database)', (kind: DatabaseKind) => {
  let t: TestDatabase;
  let db: Db;
  let ws: string;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    db = t.database.db;
    await db.execute(
      sql`CREATE TABLE test_handled (n serial PRIMARY KEY, handler text NOT NULL, event_id uuid NOT NULL, subject_id text NOT NULL)`,
    );
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    ws = randomUUID();
    // each test sees only its own pending events
    await db.execute(sql`DELETE FROM event_queue`);
  });

  const record = (type: string, subjectId: string) =>
    recordEvent(db, { workspaceId: ws, type, subjectType: 'customer', subjectId, payload: { type } });

  const handler = (
    name: string,
    types: string[] | '*',
    fail?: (e: DomainEvent) => boolean,
  ): EventHandler => ({
    name,
    types,
    handle: async (tx, e) => {
      await tx.execute(
        sql`INSERT INTO test_handled (handler, event_id, subject_id) VALUES (${name}, ${e.id}, ${e.subjectId})`,
      );
      if (fail?.(e)) throw new Error(`${name} failed on ${e.type}`);
    },
  });

  const handled = (ids: string[]) =>
    rows<{ handler: string; event_id: string }>(
      db,
      sql`SELECT handler, event_id FROM test_handled WHERE event_id IN (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) ORDER BY n`,
    );

  const eventRow = async (id: string) =>
    (
      await rows<EventRow>(
        db,
        sql`SELECT e.id, q.seq IS NOT NULL AS queued, q.attempts, q.last_error, q.retry_at
              FROM events e LEFT JOIN event_queue q ON q.lane = 'main' AND q.seq = e.seq
             WHERE e.workspace_id = ${ws} AND e.id = ${id}`,
      )
    )[0]!;

  /** Many events of one type at once, each of a subject of its own. */
  const burst = (type: string, prefix: string, n: number) =>
    recordEvents(
      db,
      Array.from({ length: n }, (_, i) => ({
        workspaceId: ws,
        type,
        subjectType: 'order',
        subjectId: `${prefix}-${i}`,
        payload: {},
      })),
    );

  /** Lets the back-off of failed events pass, as if time had gone by. */
  const backOffPassed = () =>
    db.execute(
      sql`UPDATE event_queue SET retry_at = now() - interval '1 second' WHERE workspace_id = ${ws} AND retry_at IS NOT NULL`,
    );

  it('leaves no event when the recording transaction rolls back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await recordEvent(tx as unknown as Db, {
          workspaceId: ws,
          type: 'customer.created',
          subjectType: 'customer',
          subjectId: 'c1',
          payload: {},
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const kept = await db.transaction(async (tx) =>
      recordEvent(tx as unknown as Db, {
        workspaceId: ws,
        type: 'customer.updated',
        subjectType: 'customer',
        subjectId: 'c1',
        payload: { n: 1 },
      }),
    );
    const all = await rows<{ id: string; type: string }>(
      db,
      sql`SELECT id, type FROM events WHERE workspace_id = ${ws}`,
    );
    expect(all).toEqual([{ id: kept, type: 'customer.updated' }]);
    // queued with it, and only it
    const queued = await rows<{ event_id: string }>(
      db,
      sql`SELECT event_id FROM event_queue WHERE workspace_id = ${ws}`,
    );
    expect(queued).toEqual([{ event_id: kept }]);
  });

  it('queues every event written and takes it off the queue once its handlers have run', async () => {
    const a1 = await record('a', 's1');
    const b = await record('b', 's2');
    const a2 = await record('a', 's3');
    const handlers = [handler('only-a', ['a']), handler('all', '*'), handler('only-c', ['c'])];
    expect(await dispatchBatch(db, handlers, silentLog)).toBe(3);
    expect(await dispatchBatch(db, handlers, silentLog)).toBe(0);
    const done = await handled([a1, b, a2]);
    const key = (r: { handler: string; event_id: string }) => `${r.handler}:${r.event_id}`;
    expect(done.map(key).sort()).toEqual(
      [`only-a:${a1}`, `only-a:${a2}`, `all:${a1}`, `all:${b}`, `all:${a2}`].sort(),
    );
    for (const id of [a1, b, a2]) expect((await eventRow(id)).queued).toBe(false);
  });

  it('runs handlers with the planner settings it found (the pick of the batch changes them for itself), compiling nothing', async () => {
    await record('a', 's1');
    const seen: string[] = [];
    const probe: EventHandler = {
      name: 'probe',
      types: '*',
      handle: async (tx) => {
        const [r] = await rows<{ s: string; jit: string }>(
          tx,
          sql`SELECT current_setting('enable_sort') AS s, current_setting('jit') AS jit`,
        );
        seen.push(`sort ${r!.s}, jit ${r!.jit}`);
      },
    };
    const jit = async () =>
      (await rows<{ jit: string }>(db, sql`SELECT current_setting('jit') AS jit`))[0]!.jit;
    const before = await jit();
    expect(await dispatchBatch(db, [probe], silentLog)).toBe(1);
    expect(seen).toEqual(['sort on, jit off']);
    // for the batch only: the database's own setting holds outside it
    expect(await jit()).toBe(before);
  });

  it('keeps a failed event pending with its error and no writes, and still handles the rest of the batch', async () => {
    const ok1 = await record('ok', 's1');
    const bad = await record('boom', 's2');
    const ok2 = await record('ok', 's3');
    const handlers = [handler('first', '*'), handler('second', '*', (e) => e.type === 'boom')];
    expect(await dispatchBatch(db, handlers, silentLog)).toBe(3);
    const done = await handled([ok1, bad, ok2]);
    // the failed event's first handler wrote too, but that write rolled back with the failure
    expect(done.filter((r) => r.event_id === bad)).toEqual([]);
    expect(done.filter((r) => r.event_id !== bad)).toHaveLength(4);
    const failed = await eventRow(bad);
    expect(failed.queued).toBe(true);
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toContain('second failed on boom');
    expect((await eventRow(ok1)).queued).toBe(false);
    expect((await eventRow(ok2)).queued).toBe(false);
    // backed off: not retried at once…
    expect(new Date(String(failed.retry_at)).getTime()).toBeGreaterThan(Date.now());
    expect(await dispatchBatch(db, [handler('first', '*')], silentLog)).toBe(0);
    // …but on a pass after the back-off, and done once it succeeds
    await backOffPassed();
    await dispatchBatch(db, [handler('first', '*')], silentLog);
    expect((await eventRow(bad)).queued).toBe(false);
    expect(await handled([bad])).toEqual([{ handler: 'first', event_id: bad }]);
  });

  it("hands out a subject's events in order: none while an earlier one is pending", async () => {
    const first = await record('boom', 'subject');
    const second = await record('ok', 'subject');
    const other = await record('ok', 'other');
    let failing = true;
    const handlers = [handler('h', '*', (e) => failing && e.type === 'boom')];
    expect(await dispatchBatch(db, handlers, silentLog)).toBe(2); // first (failed) and other
    expect(await handled([second])).toEqual([]);
    expect((await eventRow(second)).attempts).toBe(0);
    expect((await eventRow(other)).queued).toBe(false);
    await backOffPassed();
    await dispatchBatch(db, handlers, silentLog);
    expect(await handled([second])).toEqual([]);
    failing = false;
    await backOffPassed();
    await drainEvents(db, handlers, silentLog);
    expect((await handled([first, second])).map((r) => r.event_id)).toEqual([first, second]);
  });

  it('queues the events that change metrics in a metrics lane too, and only those', async () => {
    const metric = [];
    for (const type of METRIC_EVENTS) metric.push(await record(type, `m-${type}`));
    const other = await record('customer.updated', 'not-a-metric');
    const lanes = await rows<{ event_id: string; lanes: string }>(
      db,
      sql`SELECT event_id, string_agg(lane, ',' ORDER BY lane) AS lanes FROM event_queue
           WHERE workspace_id = ${ws} GROUP BY event_id`,
    );
    const of = new Map(lanes.map((r) => [r.event_id, r.lanes]));
    for (const id of metric) expect(of.get(id)).toBe('main,metrics');
    expect(of.get(other)).toBe('main');
  });

  it("runs the metrics lane first and holds an event's other handlers until its metrics are done", async () => {
    const placed = await record('order.placed', 'o1');
    const note = await record('customer.updated', 'c1');
    let failMetrics = true;
    const metrics: EventHandler = {
      ...handler('metrics', ['order.placed'], () => failMetrics),
      lane: 'metrics',
    };
    const rest = handler('rest', '*');
    // the other handlers alone: the order waits for its metrics, the unrelated event does not
    expect(await dispatchBatch(db, [rest], silentLog)).toBe(1);
    expect((await handled([placed, note])).map((r) => r.event_id)).toEqual([note]);
    // metrics failing: the order's other handlers still wait
    expect(await dispatchBatch(db, [metrics, rest], silentLog)).toBe(1);
    expect((await handled([placed])).map((r) => r.handler)).toEqual([]);
    failMetrics = false;
    await backOffPassed();
    // one call: metrics first, then the rest, in order
    expect(await dispatchBatch(db, [metrics, rest], silentLog)).toBe(2);
    expect((await handled([placed])).map((r) => r.handler)).toEqual(['metrics', 'rest']);
    expect((await eventRow(placed)).queued).toBe(false);
    const left = await rows<{ n: string }>(
      db,
      sql`SELECT count(*)::text AS n FROM event_queue WHERE workspace_id = ${ws}`,
    );
    expect(left[0]!.n).toBe('0');
  });

  it('takes a smaller main batch while events arrive, so the next metrics batch is not held up', async () => {
    const taken: Record<string, number> = {};
    const counting = (name: string, lane: 'metrics' | 'main', types: string[] | '*'): EventHandler => ({
      name,
      lane,
      types,
      handle: async () => {
        throw new Error('handled one by one');
      },
      handleBatch: async (_tx, events) => {
        taken[name] = (taken[name] ?? 0) + events.length;
      },
    });
    const lanes = [counting('metrics', 'metrics', [...METRIC_EVENTS]), counting('rest', 'main', '*')];
    const limit = MAIN_BATCH_WHILE_ARRIVING + 500;
    // orders arrived: their metrics in full, the main lane at most MAIN_BATCH_WHILE_ARRIVING
    await burst('order.placed', 'placed', limit);
    expect(await dispatchBatch(db, lanes, silentLog, limit)).toBe(limit + MAIN_BATCH_WHILE_ARRIVING);
    expect(taken).toEqual({ metrics: limit, rest: MAIN_BATCH_WHILE_ARRIVING });
    // nothing new for the metrics lane: the main lane's backlog in a full batch
    await burst('customer.updated', 'updated', limit);
    expect(await dispatchBatch(db, lanes, silentLog, limit)).toBe(limit);
    expect(taken).toEqual({ metrics: limit, rest: MAIN_BATCH_WHILE_ARRIVING + limit });
    expect(await dispatchBatch(db, lanes, silentLog, limit)).toBe(500);
  });

  it('takes a burst by index probes, even after the queue was analyzed nearly empty (ADR 0009)', async () => {
    // an earlier burst, handled: the queue's indexes keep the pages it grew them by
    await burst('order.placed', 'earlier', 5000);
    await db.execute(sql`DELETE FROM event_queue`);
    await record('customer.updated', 'before-1');
    await record('customer.updated', 'before-2');
    // statistics taken now say the queue holds two rows, both in the main lane (the metrics lane is
    // usually the emptier), in indexes of many pages; then 3,000 events arrive
    await db.execute(sql`ANALYZE event_queue`);
    await db.execute(sql`ANALYZE events`);
    await burst('order.placed', 'burst', 3000);
    for (const lane of LANES) {
      const [row] = await db.transaction(async (tx) => {
        await tx.execute(sql`SET LOCAL enable_sort = off`);
        return rows<{ 'QUERY PLAN': unknown }>(
          tx as unknown as Db,
          sql`EXPLAIN (FORMAT JSON) ${pickQuery(lane, DISPATCH_BATCH.server)}`,
        );
      });
      const raw = row!['QUERY PLAN'];
      type Node = Record<string, unknown> & { Plans?: Node[] };
      const plan = ((typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: Node }[])[0]!.Plan;
      const nodes: Node[] = [];
      const walk = (n: Node) => {
        nodes.push(n);
        for (const c of n.Plans ?? []) walk(c);
      };
      walk(plan);
      // no join that matches rows by filtering (the plan that read the whole lane per event), no scan
      // of a whole table: the queue walked along its key, every lookup an index probe
      expect(
        nodes.filter((n) => 'Join Filter' in n || /Hash|Merge|Seq Scan|Bitmap/.test(String(n['Node Type']))),
      ).toEqual([]);
      const scans = Object.fromEntries(
        nodes.filter((n) => n['Index Name']).map((n) => [n.Alias as string, n['Index Name']]),
      );
      expect(scans).toMatchObject({
        q: 'event_queue_seq_lane_pk',
        o: 'event_queue_subject_idx',
        ...(lane === 'main' ? { m: 'event_queue_seq_lane_pk' } : {}),
      });
      expect(Object.values(scans)).toContain('events_workspace_id_id_pk');
    }
    const metrics: EventHandler = { ...handler('metrics', [...METRIC_EVENTS]), lane: 'metrics' };
    expect(await drainEvents(db, [metrics, handler('rest', '*')], silentLog)).toBe(2 * 3000 + 2);
  });

  it('handles many events of one subject in the order they were recorded', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await record(i % 3 === 0 ? 'x' : 'y', 'ordered'));
    const handlers = [handler('h', '*')];
    await drainEvents(db, handlers, silentLog, 7);
    expect((await handled(ids)).map((r) => r.event_id)).toEqual(ids);
  });

  it.skipIf(kind !== 'server')(
    "does not hand out a subject's later event while another worker holds the earlier one",
    async () => {
      const first = await record('slow', 'busy');
      const second = await record('ok', 'busy');
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let entered!: () => void;
      const started = new Promise<void>((r) => {
        entered = r;
      });
      const slow: EventHandler = {
        name: 'slow',
        types: '*',
        handle: async (tx, e) => {
          await tx.execute(
            sql`INSERT INTO test_handled (handler, event_id, subject_id) VALUES ('slow', ${e.id}, ${e.subjectId})`,
          );
          if (e.type === 'slow') {
            entered();
            await gate;
          }
        },
      };
      const workerA = dispatchBatch(db, [slow], silentLog);
      await started;
      // worker B runs while A holds the first event in its open transaction
      expect(await dispatchBatch(db, [slow], silentLog)).toBe(0);
      release();
      expect(await workerA).toBe(1);
      expect(await dispatchBatch(db, [slow], silentLog)).toBe(1);
      expect((await handled([first, second])).map((r) => r.event_id)).toEqual([first, second]);
    },
  );
});
