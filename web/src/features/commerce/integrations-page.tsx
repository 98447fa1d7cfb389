import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, api, errorMessage } from '../../app/api.ts';
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

type Integration = {
  id: string;
  kind: 'shopify' | 'woocommerce';
  address: string;
  currency: string;
  secretHint: string;
  createdAt: string;
};
type Delivery = {
  id: string;
  kind: string;
  topic: string;
  deliveryId: string;
  status: string;
  detail: string | null;
  receivedAt: string;
};
type List = {
  data: Integration[];
  deliveries: Delivery[];
  webhookUrls: { shopify: string; woocommerce: string };
};

const shopifyTopics =
  'orders/create, orders/updated, orders/paid, orders/fulfilled, orders/cancelled, refunds/create, customers/create, customers/update, customers/delete, customers/email_marketing_consent_update, products/create, products/update, products/delete, checkouts/create, checkouts/update';
const wooTopics =
  'Order created / updated / deleted / restored, Customer created / updated / deleted, Product created / updated / deleted / restored';

function Copyable({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <p className="text-sm font-medium text-slate-800">{label}</p>
      <div className="mt-1 flex items-center gap-2">
        <code className="min-w-0 flex-1 truncate rounded-lg bg-slate-100 px-3 py-2 text-sm">{value}</code>
        <Button
          variant="secondary"
          onClick={() => navigator.clipboard?.writeText(value)}
          aria-label={`Copy ${label}`}
        >
          Copy
        </Button>
      </div>
    </div>
  );
}

function ConnectForm({ urls }: { urls: List['webhookUrls'] }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({
    kind: 'shopify' as 'shopify' | 'woocommerce',
    address: '',
    secret: '',
    currency: 'USD',
  });
  const m = useMutation({
    mutationFn: () => api('/integrations', { body: form }),
    onSuccess: () => {
      setForm({ ...form, address: '', secret: '' });
      void qc.invalidateQueries({ queryKey: ['integrations'] });
    },
  });
  const err = m.error instanceof ApiError ? m.error : undefined;
  const shopify = form.kind === 'shopify';
  return (
    <Card
      title="Connect a store"
      description="Patron receives your store's webhooks and keeps customers, orders and products current."
    >
      <form
        className="grid max-w-2xl gap-4"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <SelectInput
          label="Platform"
          value={form.kind}
          onChange={(e) => setForm({ ...form, kind: e.target.value as typeof form.kind })}
          options={[
            { value: 'shopify', label: 'Shopify' },
            { value: 'woocommerce', label: 'WooCommerce' },
          ]}
        />
        <ol className="list-decimal space-y-2 pl-5 text-sm text-slate-700">
          {shopify ? (
            <>
              <li>
                In Shopify admin, open Settings → Notifications → Webhooks (or your app's webhook settings).
              </li>
              <li>
                Create a webhook for each of these topics, format JSON, pointing at the URL below:{' '}
                {shopifyTopics}.
              </li>
              <li>
                Copy the signing secret Shopify shows and paste it here with your shop's myshopify.com domain.
              </li>
            </>
          ) : (
            <>
              <li>In WordPress, open WooCommerce → Settings → Advanced → Webhooks → Add webhook.</li>
              <li>Add one per topic ({wooTopics}) with the delivery URL below and API version 3.</li>
              <li>Use the same secret in each webhook and paste it here with your store's URL.</li>
            </>
          )}
        </ol>
        <Copyable label="Webhook URL" value={shopify ? urls.shopify : urls.woocommerce} />
        <TextInput
          label={shopify ? 'Shop domain' : 'Store URL'}
          placeholder={shopify ? 'your-store.myshopify.com' : 'https://shop.example.com'}
          value={form.address}
          onChange={(e) => setForm({ ...form, address: e.target.value })}
          required
          error={err?.field('address')}
        />
        <TextInput
          label="Webhook secret"
          type="password"
          autoComplete="off"
          value={form.secret}
          onChange={(e) => setForm({ ...form, secret: e.target.value })}
          required
          minLength={8}
          error={err?.field('secret')}
        />
        <TextInput
          label="Store currency"
          value={form.currency}
          onChange={(e) => setForm({ ...form, currency: e.target.value.toUpperCase() })}
          maxLength={3}
          pattern="[A-Z]{3}"
          error={err?.field('currency')}
        />
        {m.error && !err?.errors.length && <Alert>{errorMessage(m.error)}</Alert>}
        {m.isSuccess && <Alert tone="green">Connected. Deliveries will appear below as they arrive.</Alert>}
        <div>
          <Button type="submit" busy={m.isPending}>
            Connect store
          </Button>
        </div>
      </form>
    </Card>
  );
}

function Tracking() {
  const q = useQuery({
    queryKey: ['tracking'],
    queryFn: () => api<{ key: string; endpoint: string; snippet: string }>('/tracking'),
  });
  return (
    <Card
      title="Site tracking"
      description="Paste this snippet in your store's theme to record page, product and cart views; visitors are linked to customers once they identify (sign in or check out)."
    >
      {q.data ? (
        <div className="space-y-3">
          <Copyable label="Snippet" value={q.data.snippet} />
          <p className="text-sm text-slate-600">
            From your pages:{' '}
            <code className="rounded bg-slate-100 px-1">
              patron('product_viewed', {'{'} productId {'}'})
            </code>
            ,{' '}
            <code className="rounded bg-slate-100 px-1">
              patron('added_to_cart', {'{'} productId {'}'})
            </code>
            ,{' '}
            <code className="rounded bg-slate-100 px-1">
              patron('identify', {'{'} email {'}'})
            </code>
            .
          </p>
        </div>
      ) : (
        <Spinner />
      )}
    </Card>
  );
}

export function IntegrationsPage() {
  const me = useMe();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['integrations'],
    queryFn: () => api<List>('/integrations'),
    refetchInterval: 5000,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/integrations/${id}`, { method: 'DELETE' }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['integrations'] }),
  });
  if (!q.data) return <Spinner />;
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Connect Shopify or WooCommerce; every webhook delivery is verified by its signature and shown below."
      />
      <div className="space-y-6">
        <Card title="Connected stores">
          {q.data.data.length === 0 ? (
            <EmptyState title="No store connected yet" />
          ) : (
            <ul className="divide-y divide-slate-100">
              {q.data.data.map((i) => (
                <li key={i.id} className="flex flex-wrap items-center gap-3 py-3">
                  <Badge tone="blue">{i.kind === 'shopify' ? 'Shopify' : 'WooCommerce'}</Badge>
                  <span className="min-w-0 flex-1 truncate font-medium">{i.address}</span>
                  <span className="text-sm text-slate-600">
                    secret {i.secretHint} · {i.currency}
                  </span>
                  <Button variant="ghost" onClick={() => remove.mutate(i.id)}>
                    Disconnect
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <ConnectForm urls={q.data.webhookUrls} />
        <Card title="Latest deliveries">
          {q.data.deliveries.length === 0 ? (
            <EmptyState title="No deliveries yet">
              When your store sends a webhook, it shows up here within seconds.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {q.data.deliveries.map((d) => (
                <li key={d.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
                  <Badge tone={d.status === 'processed' ? 'green' : 'red'}>{d.status}</Badge>
                  <code className="font-medium">{d.topic}</code>
                  <span className="min-w-0 flex-1 truncate text-slate-600">{d.detail}</span>
                  <span className="text-xs text-slate-600">
                    {dateTime(d.receivedAt, me.workspace?.timeZone)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Tracking />
      </div>
    </>
  );
}
