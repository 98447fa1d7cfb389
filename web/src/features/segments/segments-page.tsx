// Segment builder: nested AND/OR groups edited visually or as query text (the two forms round-trip
// through the server's parser and printer), with a live count and preview as the rules change.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import type {
  Condition,
  PreviewResponse,
  RuleGroup,
  Segment,
  SegmentKind,
} from '../../../../contracts/segments.ts';
import { eventTypes, prebuiltSegments, rfmGroupLabels, rfmGroups } from '../../../../contracts/segments.ts';
import { ApiError, api, downloadPost, errorMessage } from '../../app/api.ts';
import { useCan, useMe } from '../../app/session.ts';
import {
  Alert,
  Button,
  Card,
  cx,
  dateTime,
  EmptyState,
  PageHeader,
  SelectInput,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';
import { CustomerItem } from './customer-item.tsx';
import { allChoices, dateInput, emptyRules, fieldChoices, keyOf, parseDateInput } from './rules.ts';

const control =
  'rounded-md border-0 bg-white px-2 py-1.5 text-sm text-slate-900 ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600';

function useDebounced<T>(value: T, ms = 300): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

type Input = { rules: RuleGroup } | { query: string };

/** A new segment: the builder, saved as a new dynamic or static segment. */
export function NewSegmentPage() {
  return <SegmentBuilder />;
}

/** A saved segment's rules in the builder; saving updates it (with its version). */
export function EditSegmentPage() {
  const { id } = useParams({ strict: false }) as { id: string };
  const seg = useQuery({ queryKey: ['segment', id], queryFn: () => api<Segment>(`/segments/${id}`) });
  if (seg.isPending) return <Spinner />;
  if (seg.error) return <Alert>{errorMessage(seg.error)}</Alert>;
  return <SegmentBuilder segment={seg.data} />;
}

function SegmentBuilder({ segment }: { segment?: Segment }) {
  const me = useMe();
  const can = useCan();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [mode, setMode] = useState<'visual' | 'text'>('visual');
  const [rules, setRules] = useState<RuleGroup>(segment?.rules ?? emptyRules);
  const [text, setText] = useState(segment?.query ?? '');
  const [name, setName] = useState(segment?.name ?? '');
  const [kind, setKind] = useState<SegmentKind>(segment?.kind ?? 'dynamic');
  const [switchError, setSwitchError] = useState<string>();
  const input: Input = mode === 'visual' ? { rules } : { query: text };
  const debounced = useDebounced(JSON.stringify(input));
  const preview = useQuery({
    queryKey: ['segment-preview', debounced],
    queryFn: () =>
      api<PreviewResponse>('/segments/preview', { body: { ...JSON.parse(debounced), limit: 10 } }),
    placeholderData: (prev) => prev,
    retry: false,
  });

  const toText = async () => {
    setSwitchError(undefined);
    try {
      const r = await api<PreviewResponse>('/segments/preview', { body: { rules, limit: 1 } });
      setText(r.query);
      setMode('text');
    } catch (e) {
      setSwitchError(errorMessage(e));
    }
  };
  const toVisual = async () => {
    setSwitchError(undefined);
    try {
      const r = await api<PreviewResponse>('/segments/preview', { body: { query: text, limit: 1 } });
      setRules(r.rules);
      setMode('visual');
    } catch (e) {
      setSwitchError(e instanceof ApiError ? (e.errors[0]?.message ?? e.detail) : errorMessage(e));
    }
  };
  const startFrom = async (key: string) => {
    const p = prebuiltSegments.find((x) => x.key === key);
    if (!p) return;
    setSwitchError(undefined);
    setText(p.query);
    try {
      const r = await api<PreviewResponse>('/segments/preview', { body: { query: p.query, limit: 1 } });
      setRules(r.rules);
    } catch (e) {
      setSwitchError(errorMessage(e));
    }
  };
  const exportCsv = async () => {
    if (!(await downloadPost('/segments/export', input, 'segment.csv')))
      setSwitchError('The export failed; check the rules.');
  };

  const save = useMutation({
    mutationFn: () =>
      segment
        ? api<Segment>(`/segments/${segment.id}`, {
            method: 'PATCH',
            body: { version: segment.version, name, kind, ...input },
          })
        : api<Segment>('/segments', { body: { name, kind, ...input } }),
    onSuccess: (saved) => {
      void qc.invalidateQueries({ queryKey: ['segments'] });
      qc.setQueryData(['segment', saved.id], saved);
      void navigate({ to: '/segments/$id', params: { id: saved.id } });
    },
  });
  const saveError = save.error instanceof ApiError ? save.error : undefined;

  const err =
    preview.error instanceof ApiError
      ? (preview.error.errors[0]?.message ?? preview.error.detail)
      : undefined;
  return (
    <>
      <PageHeader
        title={segment ? `Edit ${segment.name}` : 'New segment'}
        description="Find customers by what they bought, when, and who they are. The count updates as you edit."
        actions={
          <Link to="/segments" className="text-sm font-medium text-brand-700 underline">
            All segments
          </Link>
        }
      />
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <div role="tablist" aria-label="Rule form" className="inline-flex rounded-lg bg-slate-100 p-1">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'visual'}
            className={cx(
              'rounded-md px-3 py-1.5 text-sm font-medium',
              mode === 'visual' && 'bg-white shadow-sm',
            )}
            onClick={() => mode === 'text' && toVisual()}
          >
            Visual
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'text'}
            className={cx(
              'rounded-md px-3 py-1.5 text-sm font-medium',
              mode === 'text' && 'bg-white shadow-sm',
            )}
            onClick={() => mode === 'visual' && toText()}
          >
            Query text
          </button>
        </div>
        <select
          aria-label="Start from a pre-built segment"
          className={control}
          value=""
          onChange={(e) => startFrom(e.target.value)}
        >
          <option value="">Start from…</option>
          {prebuiltSegments.map((p) => (
            <option key={p.key} value={p.key}>
              {p.name}
            </option>
          ))}
        </select>
        <Link to="/segments/rfm" className="ml-auto text-sm font-medium text-brand-700 underline">
          RFM grid
        </Link>
      </div>
      {switchError && (
        <div className="mb-3">
          <Alert tone="red">{switchError}</Alert>
        </div>
      )}
      <div className="grid gap-4 lg:grid-cols-[3fr_2fr]">
        <Card className="min-w-0">
          {mode === 'visual' ? (
            <GroupEditor group={rules} onChange={setRules} depth={0} />
          ) : (
            <label className="block">
              <span className="mb-1 block text-sm font-medium text-slate-800">Query</span>
              <textarea
                aria-label="Query"
                className={cx(control, 'min-h-40 w-full font-mono')}
                value={text}
                onChange={(e) => setText(e.target.value)}
                spellCheck={false}
              />
              <span className="mt-1 block text-xs text-slate-600">
                e.g. amount_spent(since: -90d) &gt; 100 AND customer_tags CONTAINS 'VIP' — dates like -90d or
                '2025-01-31'; BETWEEN, IS NULL, CONTAINS, NOT CONTAINS, OR and parentheses.
              </span>
            </label>
          )}
        </Card>
        <Card className="min-w-0">
          <div className="flex items-baseline justify-between gap-2">
            <p className="text-sm text-slate-600">Matching customers</p>
            {preview.isFetching && <span className="text-xs text-slate-500">updating…</span>}
          </div>
          {err ? (
            <p role="alert" className="mt-2 text-sm text-red-700">
              {err}
            </p>
          ) : (
            <p className="mt-1 text-3xl font-semibold tabular-nums" data-testid="segment-count">
              {preview.data ? preview.data.count.toLocaleString() : '…'}
            </p>
          )}
          <div className="mt-3 flex gap-2">
            <Button variant="secondary" onClick={exportCsv} disabled={!!err || !preview.data}>
              Export CSV
            </Button>
          </div>
          {can('segments.manage') && (
            <form
              className="mt-4 space-y-3 border-t border-slate-100 pt-4"
              aria-label="Save segment"
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate();
              }}
            >
              <TextInput
                label="Segment name"
                error={saveError?.field('name')}
                value={name}
                onChange={(e) => setName(e.target.value)}
                required
                maxLength={200}
              />
              <SelectInput
                label="Kind"
                value={kind}
                onChange={(e) => setKind(e.target.value as SegmentKind)}
                options={[
                  { value: 'dynamic', label: 'Dynamic (kept current)' },
                  { value: 'static', label: 'Static list (frozen now)' },
                ]}
              />
              {saveError && !saveError.field('name') && (
                <Alert>{saveError.errors[0]?.message ?? saveError.detail}</Alert>
              )}
              <Button type="submit" busy={save.isPending} disabled={!!err || !name.trim()}>
                {segment ? 'Save changes' : 'Save segment'}
              </Button>
            </form>
          )}
          {preview.isPending ? (
            <Spinner />
          ) : preview.data && preview.data.customers.length === 0 ? (
            <EmptyState title="No customers match">Loosen a condition or switch a group to OR.</EmptyState>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100" aria-label="Preview">
              {preview.data?.customers.map((c) => (
                <CustomerItem key={c.id} c={c} detail={dateTime(c.lastOrderAt, me.workspace?.timeZone)} />
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}

function GroupEditor({
  group,
  onChange,
  onRemove,
  depth,
}: {
  group: RuleGroup;
  onChange: (g: RuleGroup) => void;
  onRemove?: () => void;
  depth: number;
}) {
  const set = (i: number, r: RuleGroup | Condition) =>
    onChange({ ...group, rules: group.rules.map((x, j) => (j === i ? r : x)) });
  const remove = (i: number) => onChange({ ...group, rules: group.rules.filter((_, j) => j !== i) });
  return (
    <fieldset
      className={cx('min-w-0 space-y-2', depth > 0 && 'rounded-lg border border-slate-200 bg-slate-50 p-3')}
    >
      <legend className="sr-only">Group of conditions</legend>
      <div className="flex items-center gap-2 text-sm">
        <span className="text-slate-700">Match</span>
        <select
          aria-label="Match"
          className={control}
          value={group.op}
          onChange={(e) => onChange({ ...group, op: e.target.value as 'and' | 'or' })}
        >
          <option value="and">all of (AND)</option>
          <option value="or">any of (OR)</option>
        </select>
        {onRemove && (
          <Button variant="ghost" className="ml-auto" onClick={onRemove}>
            Remove group
          </Button>
        )}
      </div>
      {group.rules.map((r, i) =>
        r.kind === 'group' ? (
          <GroupEditor
            // biome-ignore lint/suspicious/noArrayIndexKey: rules carry no ids; every row is controlled by its value
            key={i}
            group={r}
            depth={depth + 1}
            onChange={(g) => set(i, g)}
            onRemove={() => remove(i)}
          />
        ) : (
          <ConditionRow
            // biome-ignore lint/suspicious/noArrayIndexKey: rules carry no ids; every row is controlled by its value
            key={i}
            c={r}
            onChange={(c) => set(i, c)}
            onRemove={group.rules.length > 1 ? () => remove(i) : undefined}
          />
        ),
      )}
      <div className="flex gap-2">
        <Button
          variant="secondary"
          onClick={() => onChange({ ...group, rules: [...group.rules, allChoices[0]!.make()] })}
        >
          Add condition
        </Button>
        {depth < 4 && (
          <Button
            variant="ghost"
            onClick={() =>
              onChange({
                ...group,
                rules: [...group.rules, { kind: 'group', op: 'or', rules: [allChoices[0]!.make()] }],
              })
            }
          >
            Add group
          </Button>
        )}
      </div>
    </fieldset>
  );
}

const cmpLabels: Record<string, string> = {
  '>': 'more than',
  '>=': 'at least',
  '<': 'less than',
  '<=': 'at most',
  '=': 'exactly',
  '!=': 'not',
};
const dateLabels: Record<string, string> = {
  '<': 'before',
  '<=': 'on or before',
  '>': 'after',
  '>=': 'on or after',
  '=': 'on',
  '!=': 'not on',
  between: 'between',
  is_null: 'is empty',
  is_not_null: 'is set',
};

function Select({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange: (v: string) => void;
}) {
  return (
    <select aria-label={label} className={control} value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  );
}

function NumberBox({
  label,
  value,
  onChange,
}: {
  label: string;
  value: number;
  onChange: (n: number) => void;
}) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  return (
    <input
      aria-label={label}
      inputMode="decimal"
      className={cx(control, 'w-24')}
      value={draft}
      onChange={(e) => {
        setDraft(e.target.value);
        const n = Number(e.target.value);
        if (e.target.value.trim() !== '' && Number.isFinite(n)) onChange(n);
      }}
    />
  );
}

function TextBox({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  onChange: (s: string) => void;
}) {
  return (
    <input
      aria-label={label}
      placeholder={label.toLowerCase()}
      className={cx(control, 'w-44')}
      value={value}
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

function DateBox({
  label,
  value,
  onChange,
}: {
  label: string;
  value: import('../../../../contracts/segments.ts').DateValue | undefined;
  onChange: (d: import('../../../../contracts/segments.ts').DateValue) => void;
}) {
  const [draft, setDraft] = useState(dateInput(value));
  useEffect(() => setDraft(dateInput(value)), [value]);
  return (
    <input
      aria-label={label}
      placeholder="-90d or 2025-01-31"
      className={cx(control, 'w-32')}
      value={draft}
      onChange={(e) => {
        setDraft(e.target.value);
        const d = parseDateInput(e.target.value);
        if (d) onChange(d);
      }}
    />
  );
}

function DaysBack({ value, onChange }: { value: number; onChange: (days: number) => void }) {
  return (
    <span className="inline-flex items-center gap-1 text-sm text-slate-700">
      in the last
      <NumberBox label="Days" value={value} onChange={(n) => onChange(Math.max(1, Math.round(n)))} />
      days
    </span>
  );
}

function ConditionRow({
  c,
  onChange,
  onRemove,
}: {
  c: Condition;
  onChange: (c: Condition) => void;
  onRemove?: () => void;
}) {
  const cmp = Object.entries(cmpLabels) as [string, string][];
  return (
    <div className="relative flex flex-wrap items-center gap-2 rounded-lg bg-white p-2 pr-12 ring-1 ring-slate-200">
      <select
        aria-label="Field"
        className={cx(control, 'max-w-full')}
        value={keyOf(c)}
        onChange={(e) => onChange(allChoices.find((x) => x.key === e.target.value)!.make())}
      >
        {fieldChoices.map((g) => (
          <optgroup key={g.group} label={g.group}>
            {g.items.map((i) => (
              <option key={i.key} value={i.key}>
                {i.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      <ConditionBody c={c} onChange={onChange} cmp={cmp} />
      {onRemove && (
        <Button
          variant="ghost"
          aria-label="Remove condition"
          className="absolute top-1.5 right-1.5"
          onClick={onRemove}
        >
          ✕
        </Button>
      )}
    </div>
  );
}

function ConditionBody({
  c,
  onChange,
  cmp,
}: {
  c: Condition;
  onChange: (c: Condition) => void;
  cmp: [string, string][];
}) {
  switch (c.kind) {
    case 'number': {
      const t = c.test;
      return (
        <>
          <Select
            label="Operator"
            value={t.op}
            options={[...cmp, ['between', 'between']]}
            onChange={(op) =>
              onChange({
                ...c,
                test:
                  op === 'between'
                    ? { op, from: 'value' in t ? t.value : 0, to: 'value' in t ? t.value : 0 }
                    : { op: op as '>', value: 'value' in t ? t.value : 'from' in t ? t.from : 0 },
              })
            }
          />
          {t.op === 'between' ? (
            <>
              <NumberBox
                label="From"
                value={t.from}
                onChange={(from) => onChange({ ...c, test: { ...t, from } })}
              />
              <span className="text-sm">and</span>
              <NumberBox label="To" value={t.to} onChange={(to) => onChange({ ...c, test: { ...t, to } })} />
            </>
          ) : 'value' in t ? (
            <NumberBox
              label="Value"
              value={t.value}
              onChange={(value) => onChange({ ...c, test: { ...t, value } })}
            />
          ) : null}
        </>
      );
    }
    case 'date': {
      const t = c.test;
      return (
        <>
          <Select
            label="Operator"
            value={t.op}
            options={Object.entries(dateLabels) as [string, string][]}
            onChange={(op) => {
              const v = 'value' in t ? t.value : 'from' in t ? t.from : { days: -30 };
              onChange({
                ...c,
                test:
                  op === 'between'
                    ? { op, from: v, to: { days: 0 } }
                    : op === 'is_null' || op === 'is_not_null'
                      ? { op }
                      : { op: op as '<', value: v },
              });
            }}
          />
          {t.op === 'between' ? (
            <>
              <DateBox
                label="From"
                value={t.from}
                onChange={(from) => onChange({ ...c, test: { ...t, from } })}
              />
              <span className="text-sm">and</span>
              <DateBox label="To" value={t.to} onChange={(to) => onChange({ ...c, test: { ...t, to } })} />
            </>
          ) : 'value' in t ? (
            <DateBox
              label="Date"
              value={t.value}
              onChange={(value) => onChange({ ...c, test: { ...t, value } })}
            />
          ) : null}
        </>
      );
    }
    case 'text': {
      const t = c.test;
      return (
        <>
          <Select
            label="Operator"
            value={t.op}
            options={[
              ['=', 'is'],
              ['!=', 'is not'],
              ['contains', 'contains'],
              ['not_contains', 'does not contain'],
              ['is_null', 'is empty'],
              ['is_not_null', 'is set'],
            ]}
            onChange={(op) =>
              onChange({
                ...c,
                test:
                  op === 'is_null' || op === 'is_not_null'
                    ? { op }
                    : { op: op as '=', value: 'value' in t ? t.value : '' },
              })
            }
          />
          {'value' in t && (
            <TextBox
              label="Value"
              value={t.value}
              onChange={(value) => onChange({ ...c, test: { ...t, value } })}
            />
          )}
        </>
      );
    }
    case 'tag':
      return (
        <>
          <Select
            label="Operator"
            value={c.op}
            options={[
              ['contains', 'include'],
              ['not_contains', 'do not include'],
            ]}
            onChange={(op) => onChange({ ...c, op: op as 'contains' })}
          />
          <TextBox label="Tag" value={c.value} onChange={(value) => onChange({ ...c, value })} />
        </>
      );
    case 'rfm':
      return (
        <>
          <Select
            label="Operator"
            value={c.op}
            options={[
              ['=', 'is'],
              ['!=', 'is not'],
            ]}
            onChange={(op) => onChange({ ...c, op: op as '=' })}
          />
          <Select
            label="RFM group"
            value={c.value}
            options={rfmGroups.map((g): [string, string] => [g, rfmGroupLabels[g]])}
            onChange={(v) => onChange({ ...c, value: v as 'champions' })}
          />
        </>
      );
    case 'orders': {
      const days = c.window.since && 'days' in c.window.since ? -c.window.since.days : 90;
      return (
        <>
          {c.fn === 'products_purchased' && (
            <>
              <TextBox
                label="Category"
                value={c.category ?? ''}
                onChange={(v) => onChange({ ...c, category: v || undefined })}
              />
              <span className="text-sm text-slate-700">or product</span>
              <TextBox
                label="Product"
                value={c.product ?? ''}
                onChange={(v) => onChange({ ...c, product: v || undefined })}
              />
            </>
          )}
          <Select
            label="Operator"
            value={c.op}
            options={cmp}
            onChange={(op) => onChange({ ...c, op: op as '>' })}
          />
          <NumberBox label="Value" value={c.value} onChange={(value) => onChange({ ...c, value })} />
          <DaysBack value={days} onChange={(d) => onChange({ ...c, window: { since: { days: -d } } })} />
          {c.fn !== 'products_purchased' && (
            <TextBox
              label="Category (optional)"
              value={c.category ?? ''}
              onChange={(v) => onChange({ ...c, category: v || undefined })}
            />
          )}
        </>
      );
    }
    case 'events': {
      const days = c.window.since && 'days' in c.window.since ? -c.window.since.days : 30;
      return (
        <>
          {c.fn === 'events' && (
            <Select
              label="Event"
              value={c.type ?? ''}
              options={[
                ['', 'any event'],
                ...eventTypes.map((e): [string, string] => [e, e.replaceAll('_', ' ')]),
              ]}
              onChange={(v) => onChange({ ...c, type: (v || undefined) as 'product_viewed' })}
            />
          )}
          <Select
            label="Operator"
            value={c.op}
            options={cmp}
            onChange={(op) => onChange({ ...c, op: op as '>' })}
          />
          <NumberBox
            label="Count"
            value={c.value}
            onChange={(value) => onChange({ ...c, value: Math.max(0, Math.round(value)) })}
          />
          <DaysBack value={days} onChange={(d) => onChange({ ...c, window: { since: { days: -d } } })} />
        </>
      );
    }
  }
}
