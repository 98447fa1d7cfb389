// JSON parsing that loses no digits: Shopify's ids exceed 2^53, and JSON.parse would round them.
import { isSafeNumber, parse } from 'lossless-json';

/** Malformed JSON in a webhook body. */
export class InvalidJsonError extends Error {
  override readonly name = 'InvalidJsonError';
}

/**
 * Parses JSON text. Numbers that a JS number holds exactly come back as numbers; any other
 * (integers beyond 2^53, over-long decimals) come back as their exact digits in a string.
 * Throws InvalidJsonError, naming the position, on malformed JSON (and on duplicate keys with
 * different values).
 */
export function parseJsonLossless(text: string): unknown {
  if (text.trim() === '') throw new InvalidJsonError('The body is empty, not JSON.');
  try {
    return parse(text, null, (value: string) => (isSafeNumber(value) ? Number(value) : value));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InvalidJsonError(`The body is not valid JSON: ${why}`);
  }
}
