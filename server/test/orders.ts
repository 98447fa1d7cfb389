// An order as the batch API takes it: one line, no discount, tax or shipping, in USD; tests override
// what they look at.
import type { OrderInput } from '../../contracts/commerce.ts';

export const orderInput = (externalId: string, o: Partial<OrderInput> = {}): OrderInput => ({
  externalId,
  number: `#${externalId}`,
  status: 'open',
  currency: 'USD',
  discountMinor: 0,
  taxMinor: 0,
  shippingMinor: 0,
  totalMinor: o.totalMinor ?? 1000,
  discountCodes: [],
  lines: [{ title: 'Thing', quantity: 1, unitPriceMinor: o.totalMinor ?? 1000, discountMinor: 0 }],
  placedAt: new Date(Date.UTC(2025, 0, 1)).toISOString(),
  updatedAt: new Date(Date.UTC(2025, 0, 1)).toISOString(),
  ...o,
});
