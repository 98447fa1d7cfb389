import { z } from 'zod';
import { currencyCode } from './commerce.ts';

export const importKind = z.enum(['orders', 'customers', 'products']);
export const createImportBody = z.object({
  kind: importKind,
  filename: z.string().trim().min(1).max(300),
  currency: currencyCode.optional().describe('currency of amounts in the file (default USD)'),
});
export const startImportBody = z.object({
  mapping: z.record(z.string().max(60), z.string().max(300).nullable()).describe('field → column header'),
  dryRun: z.boolean().default(false),
  currency: currencyCode.optional(),
});
export const importCounts = z.record(z.string(), z.number());
export const importView = z.object({
  id: z.string(),
  kind: importKind,
  filename: z.string(),
  status: z.enum(['uploading', 'uploaded', 'queued', 'running', 'done', 'failed']),
  dryRun: z.boolean(),
  currency: z.string(),
  headers: z.array(z.string()),
  mapping: z.record(z.string(), z.string().nullable()),
  sizeBytes: z.number(),
  rowsDone: z.number(),
  counts: importCounts,
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export const importList = z.object({ data: z.array(importView) });
export const importFieldsView = z.object({
  fields: z.array(z.object({ field: z.string(), label: z.string(), required: z.boolean() })),
});
