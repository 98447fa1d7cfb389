import { z } from 'zod';
import { AppError } from './errors.ts';

// Lists page by UUIDv7 id (creation order, exact), or by a time column plus the id as tie-break.
const cursorSchema = z.object({ id: z.uuid(), at: z.iso.datetime().optional() });
export type Cursor = z.infer<typeof cursorSchema>;

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(raw: string | undefined): Cursor | undefined {
  if (!raw) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'cursor is not one this API gave out', {
    errors: [{ path: 'querystring.cursor', message: 'not a valid cursor' }],
  });
}
