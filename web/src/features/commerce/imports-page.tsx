import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage } from '../../app/api.ts';
import { useMe } from '../../app/session.ts';
import {
  Alert,
  Badge,
  Button,
  Card,
  dateTime,
  EmptyState,
  PageHeader,
  SelectInput,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

type Kind = 'orders' | 'customers' | 'products';
type Import = {
  id: string;
  kind: Kind;
  filename: string;
  status: 'uploading' | 'uploaded' | 'queued' | 'running' | 'done' | 'failed';
  dryRun: boolean;
  currency: string;
  headers: string[];
  mapping: Record<string, string | null>;
  sizeBytes: number;
  rowsDone: number;
  counts: Record<string, number>;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
};
type Fields = { fields: { field: string; label: string; required: boolean }[] };

const statusTone = {
  uploading: 'gray',
  uploaded: 'gray',
  queued: 'blue',
  running: 'blue',
  done: 'green',
  failed: 'red',
} as const;

function Summary({ imp }: { imp: Import }) {
  const c = imp.counts;
  const pair = (a?: number, b?: number) =>
    a !== undefined ? `${(a ?? 0).toLocaleString()} / ${(b ?? 0).toLocaleString()}` : undefined;
  const rows = [
    ['Rows read', c.rowsRead],
    ['Rows failed', c.rowsFailed],
    ['Customers created / updated', pair(c.customersCreated, c.customersUpdated)],
    ['Orders created / updated', pair(c.ordersCreated, c.ordersUpdated)],
    ['Refunds created / updated', pair(c.refundsCreated, c.refundsUpdated)],
    ['Products created / updated', pair(c.productsCreated, c.productsUpdated)],
  ].filter(([, v]) => v !== undefined);
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-3">
      {rows.map(([k, v]) => (
        <div key={String(k)}>
          <dt className="text-slate-600">{k}</dt>
          <dd className="font-semibold tabular-nums">{typeof v === 'number' ? v.toLocaleString() : v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Progress({ imp }: { imp: Import }) {
  const total = imp.counts.rowsTotal ?? 0;
  const pct =
    imp.status === 'done' ? 100 : total ? Math.min(100, Math.round((imp.rowsDone / total) * 100)) : 0;
  return (
    <div className="space-y-2">
      <div className="flex justify-between text-sm">
        <span>
          {imp.dryRun ? 'Dry run' : 'Import'} {imp.status === 'done' ? 'finished' : imp.status}
        </span>
        <span className="tabular-nums">
          {imp.rowsDone.toLocaleString()} of {total.toLocaleString()} rows
        </span>
      </div>
      <div
        role="progressbar"
        aria-label="Import progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        className="h-2.5 overflow-hidden rounded-full bg-slate-200"
      >
        <div className="h-full rounded-full bg-brand-600 transition-all" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function Wizard() {
  const qc = useQueryClient();
  const [kind, setKind] = useState<Kind>('orders');
  const [currency, setCurrency] = useState('USD');
  const [file, setFile] = useState<File | null>(null);
  const [imp, setImp] = useState<Import | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const fields = useQuery({
    queryKey: ['import-fields', kind],
    queryFn: () => api<Fields>(`/imports/fields/${kind}`),
  });
  const upload = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error('Choose a file first.');
      const created = await api<Import>('/imports', { body: { kind, filename: file.name, currency } });
      return api<Import>(`/imports/${created.id}/file`, {
        method: 'PUT',
        raw: file,
        headers: { 'content-type': 'application/octet-stream' },
      });
    },
    onSuccess: (r) => {
      setImp(r);
      setMapping(r.mapping);
    },
  });
  const start = useMutation({
    mutationFn: (dryRun: boolean) =>
      api<Import>(`/imports/${imp!.id}/start`, { body: { mapping, dryRun, currency } }),
    onSuccess: (r) => setImp(r),
  });
  const live = useQuery({
    // a dry run and the real run of one import are polled separately
    queryKey: ['import', imp?.id, imp?.dryRun],
    queryFn: () => api<Import>(`/imports/${imp!.id}`),
    enabled: !!imp && ['queued', 'running'].includes(imp.status),
    refetchInterval: (q) => (q.state.data && ['done', 'failed'].includes(q.state.data.status) ? false : 1000),
  });
  const current =
    live.data && imp && live.data.id === imp.id && live.data.status !== 'uploaded' ? live.data : imp;
  if (current && ['done', 'failed'].includes(current.status) && live.data?.status !== imp?.status)
    void qc.invalidateQueries({ queryKey: ['imports'] });

  return (
    <Card
      title="Import a CSV file"
      description="Orders (one row per order line, grouped by order number — the usual export shape), customers or products. Plain or gzip-compressed."
    >
      {!imp ? (
        <form
          className="grid max-w-2xl gap-4"
          onSubmit={(e) => {
            e.preventDefault();
            upload.mutate();
          }}
        >
          <SelectInput
            label="What the file holds"
            value={kind}
            onChange={(e) => setKind(e.target.value as Kind)}
            options={[
              { value: 'orders', label: 'Orders (one row per line item)' },
              { value: 'customers', label: 'Customers' },
              { value: 'products', label: 'Products' },
            ]}
          />
          <TextInput
            label="Currency of the amounts"
            value={currency}
            onChange={(e) => setCurrency(e.target.value.toUpperCase())}
            maxLength={3}
            pattern="[A-Z]{3}"
            required
          />
          <div className="space-y-1.5">
            <label htmlFor="import-file" className="block text-sm font-medium text-slate-800">
              File
            </label>
            <input
              id="import-file"
              type="file"
              accept=".csv,.gz,.txt,text/csv,application/gzip"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              required
              className="block w-full text-sm file:mr-3 file:rounded-lg file:border-0 file:bg-brand-50 file:px-4 file:py-2 file:font-medium file:text-brand-700"
            />
          </div>
          {upload.error && <Alert>{errorMessage(upload.error)}</Alert>}
          <div>
            <Button type="submit" busy={upload.isPending}>
              Upload and map columns
            </Button>
          </div>
        </form>
      ) : current && ['queued', 'running', 'done', 'failed'].includes(current.status) ? (
        <div className="space-y-4">
          <Progress imp={current} />
          <Summary imp={current} />
          {current.error && <Alert>{current.error}</Alert>}
          {(current.counts.rowsFailed ?? 0) + (current.counts.warnings ?? 0) > 0 && (
            <a
              href={`/api/v1/imports/${current.id}/errors.csv`}
              className="inline-block text-sm font-medium text-brand-700 underline"
            >
              Download the row report ({current.counts.rowsFailed ?? 0} failed, {current.counts.warnings ?? 0}{' '}
              warnings)
            </a>
          )}
          <div className="flex flex-wrap gap-2">
            {current.status === 'done' && current.dryRun && (
              <Button busy={start.isPending} onClick={() => start.mutate(false)}>
                Looks right — import for real
              </Button>
            )}
            {['done', 'failed'].includes(current.status) && (
              <Button
                variant="secondary"
                onClick={() => {
                  setImp(null);
                  setFile(null);
                  upload.reset();
                  start.reset();
                }}
              >
                Import another file
              </Button>
            )}
          </div>
        </div>
      ) : (
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate(true);
          }}
        >
          <p className="text-sm text-slate-700">
            <strong>{imp.filename}</strong> · {(imp.counts.rowsTotal ?? 0).toLocaleString()} rows ·{' '}
            {imp.headers.length} columns. Check which column feeds each field; we matched them by name.
          </p>
          <div className="grid gap-3 sm:grid-cols-2">
            {fields.data?.fields.map((f) => (
              <SelectInput
                key={f.field}
                label={`${f.label}${f.required ? ' (required)' : ''}`}
                value={mapping[f.field] ?? ''}
                onChange={(e) => setMapping({ ...mapping, [f.field]: e.target.value || null })}
                options={[
                  { value: '', label: '— not in this file —' },
                  ...imp.headers.map((h) => ({ value: h, label: h })),
                ]}
              />
            ))}
          </div>
          {start.error && <Alert>{errorMessage(start.error)}</Alert>}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" busy={start.isPending && start.variables === true}>
              Dry run
            </Button>
            <Button
              variant="secondary"
              busy={start.isPending && start.variables === false}
              onClick={() => start.mutate(false)}
            >
              Import now
            </Button>
          </div>
          <p className="text-sm text-slate-600">
            A dry run reads every row and reports what would be created, updated or refused, without changing
            anything.
          </p>
        </form>
      )}
    </Card>
  );
}

export function ImportsPage() {
  const me = useMe();
  const list = useQuery({
    queryKey: ['imports'],
    queryFn: () => api<{ data: Import[] }>('/imports'),
    refetchInterval: 5000,
  });
  return (
    <>
      <PageHeader
        title="Import"
        description="Bring in history from a CSV export. Imports run in the background and carry on after a restart."
      />
      <div className="space-y-6">
        <Wizard />
        <Card title="Recent imports">
          {!list.data ? (
            <Spinner />
          ) : list.data.data.length === 0 ? (
            <EmptyState title="No imports yet" />
          ) : (
            <ul className="divide-y divide-slate-100">
              {list.data.data.map((i) => (
                <li key={i.id} className="flex flex-wrap items-center gap-3 py-3 text-sm">
                  <Badge tone={statusTone[i.status]}>{i.dryRun ? `dry run ${i.status}` : i.status}</Badge>
                  <span className="min-w-0 flex-1 truncate font-medium">
                    {i.filename} <span className="font-normal text-slate-600">({i.kind})</span>
                  </span>
                  <span className="tabular-nums text-slate-700">
                    {(i.counts.rowsRead ?? 0).toLocaleString()} rows, {i.counts.rowsFailed ?? 0} failed
                  </span>
                  {(i.counts.rowsFailed ?? 0) + (i.counts.warnings ?? 0) > 0 && (
                    <a href={`/api/v1/imports/${i.id}/errors.csv`} className="text-brand-700 underline">
                      Row report
                    </a>
                  )}
                  <span className="text-xs text-slate-600">
                    {dateTime(i.createdAt, me.workspace?.timeZone)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
