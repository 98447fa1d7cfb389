import type { ReactNode } from 'react';
import type { SegmentCustomer } from '../../../../contracts/segments.ts';
import { money } from '../../components/ui.tsx';

/** One customer in a segment's lists: name, email and country; spend and a second figure; an action. */
export function CustomerItem({
  c,
  detail,
  action,
}: {
  c: SegmentCustomer;
  detail: ReactNode;
  action?: ReactNode;
}) {
  return (
    <li className="flex items-center gap-3 py-2 text-sm">
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium">{c.name}</p>
        <p className="truncate text-xs text-slate-600">{[c.email, c.country].filter(Boolean).join(' · ')}</p>
      </div>
      <div className="text-right">
        <p className="tabular-nums">{money(c.totalSpentMinor, c.currency)}</p>
        <p className="text-xs text-slate-600">{detail}</p>
      </div>
      {action}
    </li>
  );
}
