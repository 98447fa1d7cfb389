// Money is integer minor units plus an ISO 4217 currency. Decimal amounts from outside (Shopify and
// WooCommerce send strings such as "409.94") are converted exactly, never through floating point.

const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

/** How many minor units digits a currency has (JPY 0, USD 2, KWD 3). */
export function currencyExponent(currency: string): number {
  const c = currency.toUpperCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * "409.94" USD → 40994. Extra digits beyond the currency's are rounded half away from zero
 * ("2.555" → 256). Answers undefined for anything that is not a plain decimal number.
 */
export function toMinor(amount: string | number, currency: string): number | undefined {
  const text = typeof amount === 'number' ? numberToPlain(amount) : amount.trim();
  if (text === undefined) return undefined;
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const exp = currencyExponent(currency);
  const [, sign, whole, frac = ''] = m;
  const kept = (frac + '0'.repeat(exp)).slice(0, exp);
  const next = frac.length > exp ? Number(frac[exp]) : 0;
  let minor = BigInt(whole!) * 10n ** BigInt(exp) + BigInt(kept || '0');
  if (next >= 5) minor += 1n;
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return sign === '-' ? -Number(minor) : Number(minor);
}

function numberToPlain(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  // Numbers print without an exponent up to 1e21; amounts are far below that.
  return n.toFixed(Math.min(20, Math.max(0, (String(n).split('.')[1] ?? '').length)));
}

/** 40994 USD → "409.94" */
export function formatMinor(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exp + 1, '0');
  return exp === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exp)}.${digits.slice(-exp)}`;
}
