// Settings → Customer scoring: the lifecycle rules in plain words, a live preview of where customers
// would land under the values being typed, and Save, which rescores every customer in the background.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import {
  AFFINITY_MIN_ORDERS,
  AFFINITY_SHARE,
  type ScoringPreview,
  type ScoringSettings,
} from '../../../../contracts/scoring.ts';
import { ApiError, api, errorMessage } from '../../app/api.ts';
import { useCan, useMe } from '../../app/session.ts';
import { Alert, Button, Card, cx, dateTime, money, PageHeader, Spinner } from '../../components/ui.tsx';

type Form = { loyalMinOrders: string; atRiskFactor: string; churnedFactor: string };

const stages = [
  ['lead', 'Lead', 'No orders yet'],
  ['prospect', 'Prospect', 'Interested, no order yet'],
  ['customer', 'Customer', 'Ordering, not yet loyal'],
  ['loyal', 'Loyal', 'Orders often and on time'],
  ['at_risk', 'At risk', 'Later than usual'],
  ['churned', 'Churned', 'Long overdue'],
] as const;
const tiers = [
  ['gold', 'Gold'],
  ['silver', 'Silver'],
  ['bronze', 'Bronze'],
] as const;

const toRules = (f: Form) => ({
  loyalMinOrders: Number(f.loyalMinOrders),
  atRiskFactor: Number(f.atRiskFactor),
  churnedFactor: Number(f.churnedFactor),
});
const fromSettings = (s: ScoringSettings): Form => ({
  loyalMinOrders: String(s.loyalMinOrders),
  atRiskFactor: String(s.atRiskFactor),
  churnedFactor: String(s.churnedFactor),
});

/** The value after the user stops typing for a moment. */
function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

export function ScoringSettingsPage() {
  const can = useCan();
  const me = useMe();
  const qc = useQueryClient();
  const editable = can('workspace.update');
  const q = useQuery({
    queryKey: ['customer-scoring'],
    queryFn: () => api<ScoringSettings>('/customer-scoring'),
    // while the rescore runs, ask again until it says it finished
    refetchInterval: (query) => (query.state.data?.rescorePending ? 1500 : false),
  });
  const [form, setForm] = useState<Form | null>(null);
  useEffect(() => {
    if (q.data && form === null) setForm(fromSettings(q.data));
  }, [q.data, form]);
  const proposed = useSettled(form);
  const preview = useQuery({
    queryKey: ['customer-scoring-preview', proposed],
    queryFn: () => api<ScoringPreview>('/customer-scoring/preview', { body: toRules(proposed as Form) }),
    enabled: editable && proposed !== null,
    placeholderData: (prev) => prev,
    retry: false,
  });
  // once a rescore finished, "now" has moved: count again
  const rescoredAt = q.data?.rescoredAt;
  useEffect(() => {
    if (rescoredAt) void qc.invalidateQueries({ queryKey: ['customer-scoring-preview'] });
  }, [rescoredAt, qc]);
  const save = useMutation({
    mutationFn: () =>
      api<ScoringSettings>('/customer-scoring', {
        method: 'PUT',
        body: { ...toRules(form as Form), version: q.data?.version },
      }),
    onSuccess: (s) => {
      qc.setQueryData(['customer-scoring'], s);
      setForm(fromSettings(s));
      void qc.invalidateQueries({ queryKey: ['customer-scoring-preview'] });
    },
  });
  if (!q.data || !form) return <Spinner />;
  const s = q.data;
  const conflict = save.error instanceof ApiError && save.error.code === 'version_conflict';
  const invalid = preview.error instanceof ApiError ? preview.error : undefined;
  const saveErr = save.error instanceof ApiError ? save.error : undefined;
  const fieldError = (k: keyof Form) => saveErr?.field(k) ?? invalid?.field(k);
  const dirty = JSON.stringify(form) !== JSON.stringify(fromSettings(s));
  const gap = s.figures.medianGapDays ? Math.round(s.figures.medianGapDays) : 60;
  const example = Math.max(gap, 7);
  const rules = toRules(form);
  const days = (factor: number) => (Number.isFinite(factor) ? Math.round(factor * example) : '—');
  const tz = me.workspace?.timeZone;

  return (
    <>
      <PageHeader
        title="Customer scoring"
        description="How Patron sorts your customers into lifecycle stages and tiers, and which tags it keeps for you. Change a rule, see how many customers it would move, then save: every customer is rescored in the background."
      />
      <div className="grid items-start gap-6 lg:grid-cols-[3fr_2fr]">
        <Card
          title="Lifecycle rules"
          description="Each customer is compared with their own rhythm: the usual number of days between their orders (or, after a single order, your store's usual gap)."
        >
          <form
            className="space-y-5"
            onSubmit={(e) => {
              e.preventDefault();
              save.mutate();
            }}
          >
            {conflict && (
              <Alert tone="amber">
                Someone else changed these rules while you were editing.{' '}
                <button
                  type="button"
                  className="font-semibold underline"
                  onClick={() =>
                    q.refetch().then((r) => {
                      if (r.data) setForm(fromSettings(r.data));
                      save.reset();
                    })
                  }
                >
                  Load their version
                </button>
              </Alert>
            )}
            {save.error && !conflict && !saveErr?.errors.length && <Alert>{errorMessage(save.error)}</Alert>}
            <RuleRow
              label="Loyal after"
              unit="orders"
              value={form.loyalMinOrders}
              step="1"
              min={2}
              max={100}
              disabled={!editable}
              error={fieldError('loyalMinOrders')}
              onChange={(v) => setForm({ ...form, loyalMinOrders: v })}
              explain={`A customer who has placed at least ${form.loyalMinOrders || '…'} orders and is not late is Loyal. With fewer orders they are a Customer.`}
            />
            <RuleRow
              label="At risk after"
              unit="× their usual gap"
              value={form.atRiskFactor}
              step="0.1"
              min={1}
              max={10}
              disabled={!editable}
              error={fieldError('atRiskFactor')}
              onChange={(v) => setForm({ ...form, atRiskFactor: v })}
              explain={`Someone who usually orders every ${example} days is At risk once ${days(rules.atRiskFactor)} days pass without an order.`}
            />
            <RuleRow
              label="Churned after"
              unit="× their usual gap"
              value={form.churnedFactor}
              step="0.1"
              min={1.5}
              max={20}
              disabled={!editable}
              error={fieldError('churnedFactor')}
              onChange={(v) => setForm({ ...form, churnedFactor: v })}
              explain={`The same customer counts as Churned after ${days(rules.churnedFactor)} days. This must be later than At risk.`}
            />
            <div className="flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4">
              {editable ? (
                <>
                  <Button type="submit" busy={save.isPending} disabled={!dirty || !!invalid}>
                    Save and rescore
                  </Button>
                  {dirty && (
                    <Button variant="ghost" onClick={() => setForm(fromSettings(s))}>
                      Undo changes
                    </Button>
                  )}
                </>
              ) : (
                <p className="text-sm text-slate-600">Only owners and admins can change these rules.</p>
              )}
              <RescoreStatus settings={s} timeZone={tz} />
            </div>
          </form>
        </Card>
        <div className="lg:sticky lg:top-6 lg:col-start-2 lg:row-span-2 lg:row-start-1">
          <PreviewCard
            preview={preview.data}
            loading={preview.isFetching}
            hidden={!editable}
            stale={!!invalid}
          />
        </div>
        <Card title="Rules that follow your store's figures">
          <dl className="space-y-3 text-sm">
            <Explained term="Lead">Someone you know of who has not ordered yet.</Explained>
            <Explained term="Prospect">
              Someone who has not ordered yet but showed interest: subscribed to your emails or started a
              checkout.
            </Explained>
            <Explained term="Gold, Silver, Bronze">
              Gold: the top fifth of spenders
              {s.figures.topSpentMinor !== null && ` (${money(s.figures.topSpentMinor, s.currency)} or more)`}
              . Silver: more than most customers
              {s.figures.medianSpentMinor !== null &&
                ` (above ${money(s.figures.medianSpentMinor, s.currency)})`}
              . Bronze: everyone else who has ordered.
            </Explained>
            <Explained term="Automatic tags">
              High spender (Gold), Frequent buyer (5 orders or more), At risk, New customer (first order in
              the last 30 days), and Likes &lt;category&gt; — when at least {AFFINITY_MIN_ORDERS} of their
              orders, or {Math.round(AFFINITY_SHARE * 100)}% of the items they kept, come from that category.
              Refunds and cancellations take a tag away again.
            </Explained>
            <Explained term="Health score">
              1–100: how recently they ordered (40), how often (30), how much they spend (20) and how little
              they return (10). The customer page lists the reasons.
            </Explained>
          </dl>
        </Card>
      </div>
    </>
  );
}

function RuleRow(props: {
  label: string;
  unit: string;
  value: string;
  step: string;
  min: number;
  max: number;
  disabled: boolean;
  error?: string;
  explain: string;
  onChange: (v: string) => void;
}) {
  const id = useId();
  return (
    <div className="grid gap-2 sm:grid-cols-[14rem_1fr] sm:gap-5">
      <div>
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {props.label}
        </label>
        <div className="mt-1.5 flex items-center gap-2">
          <input
            id={id}
            type="number"
            inputMode="decimal"
            step={props.step}
            min={props.min}
            max={props.max}
            value={props.value}
            disabled={props.disabled}
            aria-invalid={!!props.error}
            aria-describedby={`${id}-explain`}
            onChange={(e) => props.onChange(e.target.value)}
            className="block w-24 rounded-lg border-0 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm ring-1 ring-slate-300 focus:ring-2 focus:ring-brand-600 focus:outline-none disabled:bg-slate-50 aria-[invalid=true]:ring-red-500"
          />
          <span className="text-sm whitespace-nowrap text-slate-600">{props.unit}</span>
        </div>
      </div>
      <div id={`${id}-explain`} className="text-sm sm:pt-7">
        {props.error ? (
          <p className="font-medium text-red-700" role="alert">
            {props.error[0]?.toUpperCase()}
            {props.error.slice(1)}.
          </p>
        ) : (
          <p className="text-slate-600">{props.explain}</p>
        )}
      </div>
    </div>
  );
}

function Explained({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="font-medium text-slate-900">{term}</dt>
      <dd className="mt-0.5 text-slate-600">{children}</dd>
    </div>
  );
}

function RescoreStatus({ settings, timeZone }: { settings: ScoringSettings; timeZone?: string }) {
  if (settings.rescorePending)
    return (
      <p className="flex items-center gap-2 text-sm text-slate-700" role="status">
        <span
          aria-hidden
          className="size-3.5 animate-spin rounded-full border-2 border-brand-600 border-t-transparent"
        />
        Rescoring your customers…
      </p>
    );
  return (
    <p className="text-sm text-slate-600" role="status">
      {settings.rescoredAt
        ? `Customers last rescored ${dateTime(settings.rescoredAt, timeZone)}`
        : 'Customers are rescored every hour.'}
    </p>
  );
}

function PreviewCard({
  preview,
  loading,
  hidden,
  stale,
}: {
  preview?: ScoringPreview;
  loading: boolean;
  hidden: boolean;
  stale: boolean;
}) {
  if (hidden) return null;
  return (
    <Card
      title="Preview"
      description="Where your customers are now, and where saving the values on the left would put them (with your store's figures of today). Nothing changes until you save."
    >
      {!preview ? (
        <Spinner label="Counting customers" />
      ) : (
        <div className={cx('space-y-5 transition-opacity', (loading || stale) && 'opacity-60')}>
          <p className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-800" data-testid="moved">
            {preview.moved === 0
              ? 'No customer would change stage.'
              : `${preview.moved.toLocaleString()} of ${preview.total.toLocaleString()} customers would change stage.`}
          </p>
          <CountTable
            caption="Lifecycle stage"
            rows={stages.map(([k, label, hint]) => ({
              key: k,
              label,
              hint,
              now: preview.current.stages[k],
              proposed: preview.proposed.stages[k],
            }))}
          />
          <CountTable
            caption="Tier"
            rows={tiers.map(([k, label]) => ({
              key: k,
              label,
              now: preview.current.tiers[k],
              proposed: preview.proposed.tiers[k],
            }))}
          />
        </div>
      )}
    </Card>
  );
}

function CountTable({
  caption,
  rows,
}: {
  caption: string;
  rows: { key: string; label: string; hint?: string; now: number; proposed: number }[];
}) {
  return (
    <table className="w-full text-sm" aria-label={caption}>
      <thead>
        <tr className="text-left text-xs font-medium uppercase tracking-wide text-slate-600">
          <th className="pb-2 font-medium">{caption}</th>
          <th className="pb-2 text-right font-medium">Now</th>
          <th className="pb-2 text-right font-medium">After saving</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => {
          const diff = r.proposed - r.now;
          return (
            <tr key={r.key} data-testid={`preview-${r.key}`}>
              <td className="py-2">
                <span className="font-medium text-slate-900">{r.label}</span>
                {r.hint && <span className="block text-xs text-slate-600">{r.hint}</span>}
              </td>
              <td className="py-2 text-right tabular-nums text-slate-700">{r.now.toLocaleString()}</td>
              <td className="py-2 text-right tabular-nums">
                <span className="font-semibold text-slate-900" data-testid={`proposed-${r.key}`}>
                  {r.proposed.toLocaleString()}
                </span>
                {diff !== 0 && (
                  <span
                    className={cx(
                      'ml-2 rounded-full px-1.5 py-0.5 text-xs font-medium',
                      diff > 0 ? 'bg-emerald-50 text-emerald-800' : 'bg-amber-50 text-amber-900',
                    )}
                  >
                    {diff > 0 ? `+${diff}` : diff}
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
