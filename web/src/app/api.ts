// The web app talks to Patron only through the public API. Errors arrive as problem+json.
export type FieldError = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
  /** The message for one form field (`body.email` → `email`). */
  field(name: string): string | undefined {
    return this.errors.find((e) => e.path.replace(/^(body|querystring|params)\./, '') === name)?.message;
  }
}

type Options = { method?: string; body?: unknown; headers?: Record<string, string>; raw?: BodyInit };

export async function api<T>(path: string, opts: Options = {}): Promise<T> {
  const method = opts.method ?? (opts.body !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
  });
  const text = await res.text();
  const data = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const p = (data ?? {}) as { code?: string; detail?: string; title?: string; errors?: FieldError[] };
    throw new ApiError(
      res.status,
      p.code ?? 'error',
      p.detail ?? p.title ?? `Request failed (${res.status})`,
      p.errors ?? [],
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const errorMessage = (err: unknown): string =>
  err instanceof ApiError ? err.detail : err instanceof Error ? err.message : 'Something went wrong.';

/** POSTs JSON and saves the answer (a CSV) as a file; answers whether it worked. */
export async function downloadPost(path: string, body: unknown, filename: string): Promise<boolean> {
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  if (!res.ok) return false;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
  return true;
}
