// Webhook signature checks. Both Shopify (X-Shopify-Hmac-Sha256) and WooCommerce
// (X-WC-Webhook-Signature) sign the raw request body with HMAC-SHA256 under the shared secret and
// send the digest in base64. The body must be the exact bytes received, before any parsing.
import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function verifyBase64HmacSha256(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  if (typeof header !== 'string' || secret === '') return false;
  const given = header.trim();
  // a SHA-256 digest is 32 bytes: 44 base64 characters with one "=" of padding
  if (given.length !== 44 || !BASE64.test(given)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const received = Buffer.from(given, 'base64');
  return received.length === expected.length && timingSafeEqual(received, expected);
}

/** Shopify: the X-Shopify-Hmac-Sha256 header against the raw body and the app's (or store's) secret. */
export function verifyShopifyHmac(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  return verifyBase64HmacSha256(rawBody, header, secret);
}

/** WooCommerce: the X-WC-Webhook-Signature header against the raw body and the webhook's secret. */
export function verifyWooSignature(rawBody: Buffer, header: string | undefined, secret: string): boolean {
  return verifyBase64HmacSha256(rawBody, header, secret);
}
