import { useState } from 'react';
import { LoadMore, useCursorList } from '../../app/cursor-list.tsx';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  money,
  PageHeader,
  Spinner,
  TextInput,
} from '../../components/ui.tsx';

type Product = {
  id: string;
  source: string;
  externalId: string;
  title: string;
  vendor: string | null;
  productType: string | null;
  categories: string[];
  status: string;
  imageUrl: string | null;
  currency: string | null;
  variants: {
    externalId: string;
    sku: string | null;
    title: string | null;
    priceMinor: number | null;
    inventoryQuantity: number | null;
  }[];
};

export function ProductsPage() {
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const q = useCursorList<Product>('products', '/products', { q: search });
  const list = q.items;
  return (
    <>
      <PageHeader
        title="Products"
        description="Your catalog as the store sent it: variants, SKUs, prices and stock."
      />
      <Card className="mb-4">
        <form
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            setSearch(draft);
          }}
        >
          <div className="min-w-60 flex-1">
            <TextInput
              label="Search"
              placeholder="Title, SKU or platform id"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
            />
          </div>
          <Button type="submit">Search</Button>
        </form>
      </Card>
      <Card>
        {q.isPending ? (
          <Spinner />
        ) : list.length === 0 ? (
          <EmptyState title="No products yet">
            They arrive with your store's product webhooks or a products CSV.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {list.map((p) => {
              const prices = p.variants.map((v) => v.priceMinor).filter((x): x is number => x !== null);
              const stock = p.variants.reduce((s, v) => s + (v.inventoryQuantity ?? 0), 0);
              return (
                <li key={p.id} className="flex flex-wrap items-center gap-4 py-3">
                  {p.imageUrl ? (
                    <img
                      src={p.imageUrl}
                      alt=""
                      className="size-12 rounded-lg object-cover ring-1 ring-slate-200"
                    />
                  ) : (
                    <div aria-hidden className="size-12 rounded-lg bg-slate-100" />
                  )}
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium text-slate-900">{p.title}</p>
                    <p className="truncate text-sm text-slate-600">
                      {[p.vendor, ...p.categories].filter(Boolean).join(' · ') || p.source} ·{' '}
                      {p.variants.length} variant{p.variants.length === 1 ? '' : 's'}
                      {p.variants[0]?.sku
                        ? ` · ${p.variants
                            .map((v) => v.sku)
                            .filter(Boolean)
                            .slice(0, 3)
                            .join(', ')}`
                        : ''}
                    </p>
                  </div>
                  <Badge tone={p.status === 'active' ? 'green' : 'gray'}>{p.status}</Badge>
                  <span className="w-32 text-right text-sm tabular-nums">
                    {prices.length
                      ? Math.min(...prices) === Math.max(...prices)
                        ? money(prices[0]!, p.currency)
                        : `${money(Math.min(...prices), p.currency)}+`
                      : '—'}
                  </span>
                  <span className="w-20 text-right text-sm text-slate-600 tabular-nums">
                    {stock} in stock
                  </span>
                </li>
              );
            })}
          </ul>
        )}
        <LoadMore list={q} />
      </Card>
    </>
  );
}
