// What scenario files share: the context they run in, how a result is shaped, and how latency and
// throughput are measured (warm-up first, then repetitions until enough samples or time).
import type { Database } from '../server/src/platform/db.ts';

/** One line of the results table and of the JSON file. */
export type Result = {
  name: string;
  /** 'ms' for latencies (value = p95), or a rate such as 'orders/s' */
  unit: string;
  value: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** the ceiling measured in the same run: bare SQL through the driver, or a hello-world over HTTP */
  baseline: number | null;
  /** value ÷ baseline for latencies (how many times slower than the ceiling), baseline ÷ value for rates */
  ratio: number | null;
  /** what the baseline is */
  baselineName?: string;
  note?: string;
};

export type BenchContext = {
  database: Database;
  /** the connection string on a server; undefined on the embedded database */
  url: string | undefined;
  /** the seeded workspace the query scenarios read */
  workspaceId: string;
  /** the app on the same Fastify stack, listening on loopback */
  baseUrl: string;
  /** a signed-in session cookie for the seeded workspace, when one is available */
  cookie: string | null;
  /** how many orders the ingestion scenario posts */
  ingestOrders?: number;
  /** how long one measurement may take, in seconds */
  budget: number;
  log: (line: string) => void;
};

export type Scenario = {
  name: string;
  description: string;
  /** whether the scenario writes (into a workspace of its own, removed afterwards) */
  writes: boolean;
  run(ctx: BenchContext): Promise<Result[]>;
};

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export type Latency = { p50: number; p95: number; p99: number; n: number };

/**
 * Calls fn `warmup` times unmeasured, then measures until `iterations` calls or `seconds` passed
 * (at least 5 calls). fn receives the call number so it can vary its input.
 */
export async function measureLatency(
  fn: (i: number) => Promise<unknown>,
  opts: { warmup?: number; iterations?: number; seconds?: number } = {},
): Promise<Latency> {
  const warmup = opts.warmup ?? 5;
  const iterations = opts.iterations ?? 200;
  const seconds = opts.seconds ?? 10;
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  for (let i = 0; i < iterations && (samples.length < 5 || performance.now() < until); i++) {
    const t = performance.now();
    await fn(warmup + i);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    n: samples.length,
  };
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

/** A latency result against its baseline latency (ratio = p95 ÷ baseline p95). */
export function latencyResult(
  name: string,
  m: Latency,
  baseline: Latency | null,
  baselineName?: string,
  note?: string,
): Result {
  return {
    name,
    unit: 'ms',
    value: round(m.p95),
    p50: round(m.p50),
    p95: round(m.p95),
    p99: round(m.p99),
    baseline: baseline ? round(baseline.p95) : null,
    ratio: baseline ? round(m.p95 / baseline.p95) : null,
    baselineName,
    note: note ?? `${m.n} calls`,
  };
}

/** A throughput result against its baseline throughput (ratio = baseline ÷ value: how many times slower). */
export function rateResult(
  name: string,
  unit: string,
  value: number,
  baseline: number | null,
  baselineName?: string,
  note?: string,
): Result {
  return {
    name,
    unit,
    value: Math.round(value),
    p50: null,
    p95: null,
    p99: null,
    baseline: baseline === null ? null : Math.round(baseline),
    ratio: baseline === null ? null : round(baseline / value),
    baselineName,
    note,
  };
}

/** The app runs live segment counts without JIT; so does their ceiling. */
export const NO_JIT = ["SELECT set_config('jit', 'off', true)"];

/**
 * Runs statements bare through the driver in one transaction on one connection (as the app runs a
 * request), after `settings` (set_config calls local to the transaction).
 */
export async function bareStatements(
  ctx: BenchContext,
  statements: { sql: string; params: unknown[] }[],
  settings: string[] = [],
): Promise<void> {
  if (ctx.database.pglite) {
    await ctx.database.pglite.transaction(async (tx) => {
      for (const s of settings) await tx.query(s);
      for (const s of statements) await tx.query(s.sql, s.params);
    });
    return;
  }
  const client = await ctx.database.pool!.connect();
  try {
    await client.query('BEGIN');
    for (const s of settings) await client.query(s);
    for (const s of statements) await client.query(s.sql, s.params);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
