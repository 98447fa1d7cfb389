import { z } from 'zod';

export const idSchema = z.uuid();
export const isoDate = z.iso.datetime({ offset: true });

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

export const okSchema = z.object({ ok: z.literal(true) });

/** Optimistic concurrency: an update names the version it was made against. */
export const versioned = z.object({ version: z.number().int().positive() });

export const email = z
  .email()
  .max(254)
  .transform((s) => s.trim().toLowerCase());
export const password = z.string().min(10, 'at least 10 characters').max(200);
export const personName = z.string().trim().min(1).max(120);
