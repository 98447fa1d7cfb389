// Readers shared by the store adapters: they take loosely typed webhook JSON (as parseJsonLossless
// returns it — unsafe integers arrive as strings) and note every field that cannot be read, by its
// path in the payload, so that one MappingError lists all of them.
import { toMinor } from '../../../../contracts/money.ts';
import { MappingError, type MappingIssue } from './ingest-op.ts';

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The webhook body as an object, or a MappingError. */
export function bodyObject(body: unknown, what: string): Obj {
  if (!isObj(body)) {
    const got = Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body;
    throw new MappingError([{ path: '', message: `the ${what} body must be a JSON object, not ${got}` }]);
  }
  return body;
}

/** An object field, or an empty object. */
export const obj = (v: unknown): Obj => (isObj(v) ? v : {});

/** The objects of an array field (anything else is skipped). */
export const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** A platform id as a string: numbers (safe ones) and digit strings (the parser's unsafe integers). */
export function idOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  return undefined;
}

/** Text, with "" and whitespace read as absent. */
export function text(v: unknown): string | null {
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

const HAS_OFFSET = /(?:Z|[+-]\d{2}:\d{2})$/i;
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?$/;

/**
 * An ISO timestamp with an offset. With `utc`, a timestamp without one (WooCommerce's *_gmt fields)
 * is read as UTC. A "+0000"-style offset gains its colon. Anything else is passed through for the
 * contract schema to reject by name.
 */
export function timestamp(v: unknown, opts: { utc?: boolean } = {}): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  let t = v.trim();
  const compact = /^(.*T.*)([+-]\d{2})(\d{2})$/.exec(t);
  if (compact) t = `${compact[1]}${compact[2]}:${compact[3]}`;
  if (HAS_OFFSET.test(t)) return t.replace(/z$/, 'Z');
  if (opts.utc && NO_OFFSET.test(t)) return `${t}Z`;
  return t;
}

/** Collects the problems found while reading one payload. */
export class Reader {
  readonly issues: MappingIssue[] = [];

  problem(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /**
   * A decimal amount ("409.94", or a JSON number) in integer minor units of `currency`.
   * Absent → `fallback` (or, when required, an issue). Unreadable → an issue naming `path`.
   */
  money(v: unknown, currency: string, path: string, fallback?: number): number | undefined {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) {
      if (fallback === undefined) this.problem(path, 'is missing');
      return fallback;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      this.problem(path, `must be a decimal amount, not ${Array.isArray(v) ? 'an array' : typeof v}`);
      return fallback;
    }
    const m = toMinor(v, currency);
    if (m === undefined) {
      this.problem(path, `"${String(v).slice(0, 40)}" is not a decimal amount`);
      return fallback;
    }
    return m;
  }

  /** Like money(), for an amount that may be absent. */
  optionalMoney(v: unknown, currency: string, path: string): number | null {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
    return this.money(v, currency, path, 0) ?? null;
  }

  /** An integer count; absent → `fallback`. */
  integer(v: unknown, path: string, fallback: number): number {
    if (v === null || v === undefined) return fallback;
    const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === 'number' && Number.isSafeInteger(n)) return n;
    this.problem(path, `"${String(v).slice(0, 40)}" is not a whole number`);
    return fallback;
  }

  /** The currency code a payload names, upper-cased; `fallback` when it names none. */
  currency(v: unknown, path: string, fallback?: string): string {
    const c = text(v)?.toUpperCase();
    if (c && /^[A-Z]{3}$/.test(c)) return c;
    if (c) this.problem(path, `"${c.slice(0, 20)}" is not an ISO 4217 currency code`);
    else if (!fallback) this.problem(path, 'is missing');
    return fallback ?? 'XXX';
  }
}

/** "a, b,,c" → ["a", "b", "c"]; arrays of strings are kept. */
export function tagList(v: unknown): string[] {
  const parts = Array.isArray(v)
    ? v.map((t) => (isObj(t) ? t.name : t))
    : typeof v === 'string'
      ? v.split(',')
      : [];
  const out: string[] = [];
  for (const p of parts) {
    const t = text(p);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}
