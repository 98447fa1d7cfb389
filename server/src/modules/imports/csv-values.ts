import { toMinor } from '../../../../contracts/money.ts';
import type { CsvRow } from './csv-source.ts';

// Parsing of single CSV cell values: dates, whole numbers, decimal money, ids.

export const dateFormats = ['iso', 'ymd_hms', 'mdy', 'dmy'] as const;
export type DateFormat = (typeof dateFormats)[number];

// 2010-12-01 08:26:00, 2010-12-01T08:26:00.123Z, 2023-01-05 10:00:00 -0500, 2010/12/01, 2010-12-01
const YMD =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
// 12/1/2010 8:26, 01.12.2010 08:26:00, 1-12-10, 12/1/2010 8:26 PM
const SLASHED =
  /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:[T ,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^(z|utc|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  frac: string | undefined,
  zone: string | undefined,
): string | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, frac ? Number(`0.${frac}`) * 1000 : 0);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return undefined; // 2011-02-30
  return new Date(ms - offsetMinutes(zone) * 60_000).toISOString();
}

/**
 * A date cell as an ISO 8601 UTC timestamp, or undefined when it is not a date in that format.
 * Times without a zone are taken as UTC; a date alone is midnight UTC.
 */
export function parseDate(value: string, format: DateFormat): string | undefined {
  const v = value.trim();
  if (format === 'iso' || format === 'ymd_hms') {
    const m = YMD.exec(v);
    if (!m) return undefined;
    return build(+m[1]!, +m[2]!, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), m[7], m[8]);
  }
  const m = SLASHED.exec(v);
  if (!m) return undefined;
  let year = +m[3]!;
  if (m[3]!.length === 2) year += year < 70 ? 2000 : 1900;
  let hour = +(m[4] ?? 0);
  const ampm = m[7]?.toUpperCase();
  if (ampm) {
    if (hour < 1 || hour > 12) return undefined;
    if (ampm === 'PM' && hour < 12) hour += 12;
    if (ampm === 'AM' && hour === 12) hour = 0;
  }
  const [month, day] = format === 'mdy' ? [+m[1]!, +m[2]!] : [+m[2]!, +m[1]!];
  return build(year, month, day, hour, +(m[5] ?? 0), +(m[6] ?? 0), undefined, m[8]);
}

/**
 * What one date cell says about the file's format: 'iso' for year-first dates, 'mdy'/'dmy' when a
 * day above 12 settles it, 'ambiguous' for 1/2/2011, undefined for a value that is no date.
 */
export function sniffDateFormat(value: string): DateFormat | 'ambiguous' | undefined {
  const v = value.trim();
  if (YMD.test(v)) return 'iso';
  const m = SLASHED.exec(v);
  if (!m) return undefined;
  const a = +m[1]!;
  const b = +m[2]!;
  if (a > 12 && b <= 12) return 'dmy';
  if (b > 12 && a <= 12) return 'mdy';
  return 'ambiguous';
}

/** When slashed dates never settle day-first vs month-first, month-first (the US and UCI export) wins. */
export const DEFAULT_SLASHED_FORMAT: DateFormat = 'mdy';
const SNIFF_LIMIT = 10_000;

/**
 * Settles the date format of a stream of rows: the given one, or the first row (within the first
 * 10,000) whose date column tells. The rows read ahead to decide are replayed, nothing is lost.
 */
export async function resolveDateFormat(
  rows: AsyncIterable<CsvRow>,
  column: number | undefined,
  given: DateFormat | undefined,
): Promise<{ format: DateFormat; rows: AsyncIterable<CsvRow> }> {
  if (given || column === undefined) return { format: given ?? 'iso', rows };
  const it = rows[Symbol.asyncIterator]();
  const buffered: CsvRow[] = [];
  let format: DateFormat | undefined;
  let ended = false;
  let sawAmbiguous = false;
  while (!format && buffered.length < SNIFF_LIMIT) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    buffered.push(r.value);
    const sniff = sniffDateFormat(r.value.values[column] ?? '');
    if (sniff === 'ambiguous') sawAmbiguous = true;
    else if (sniff) format = sniff;
  }
  format ??= sawAmbiguous ? DEFAULT_SLASHED_FORMAT : 'iso';
  async function* replay(): AsyncGenerator<CsvRow> {
    yield* buffered;
    if (ended) return;
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { format, rows: replay() };
}

/** A whole number ("6", "-6", "6.0", "1,000"), or undefined. */
export function parseInteger(value: string): number | undefined {
  const v = value
    .trim()
    .replace(/^(-?\d{1,3})((?:,\d{3})+)$/, (_, a: string, b: string) => a + b.replace(/,/g, ''));
  const m = /^([+-]?\d+)(?:\.0*)?$/.exec(v);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * A decimal amount as plain text ("2.55", "-11062.06"), tolerating a currency symbol, spaces and
 * thousands separators ("£1,234.50"); undefined when it is not a number.
 */
export function cleanDecimal(value: string): string | undefined {
  let v = value.trim().replace(/^[£$€¥]\s*|\s*[£$€¥]$/g, '');
  if (v.startsWith('-')) v = `-${v.slice(1).replace(/^[£$€¥]\s*/, '')}`;
  if (/^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(v)) v = v.replace(/,/g, '');
  if (v.startsWith('+')) v = v.slice(1);
  if (v.startsWith('.')) v = `0${v}`;
  if (v.startsWith('-.')) v = `-0${v.slice(1)}`;
  return /^-?\d+(\.\d+)?$/.test(v) ? v : undefined;
}

/** price × quantity exactly, as decimal text: "2.555" × 3 → "7.665". */
export function multiplyDecimal(decimal: string, quantity: number): string {
  const negative = decimal.startsWith('-');
  const [whole, frac = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  let product = BigInt(whole! + frac) * BigInt(quantity);
  if (negative) product = -product;
  const sign = product < 0n ? '-' : '';
  const digits = (product < 0n ? -product : product).toString().padStart(frac.length + 1, '0');
  return frac.length
    ? `${sign}${digits.slice(0, -frac.length)}.${digits.slice(-frac.length)}`
    : `${sign}${digits}`;
}

/** Money in minor units from a cell, or undefined. */
export function parseMoney(value: string, currency: string): number | undefined {
  const d = cleanDecimal(value);
  return d === undefined ? undefined : toMinor(d, currency);
}

/** Ids exported through a spreadsheet come back as floats: "17850.0" is customer 17850. */
export function normalizeId(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const m = /^(\d+)\.0+$/.exec(v);
  return m ? m[1] : v;
}

/** A trimmed cell, or undefined when the field is unmapped or the cell is empty. */
export function cell(values: readonly string[], index: number | undefined): string | undefined {
  if (index === undefined) return undefined;
  const v = values[index]?.trim();
  return v ? v : undefined;
}

export function isCurrencyCode(v: string): boolean {
  return /^[A-Z]{3}$/.test(v);
}
