import { type QueryClient, useQuery } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Link,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { AccountPage } from '../features/account/account-page.tsx';
import {
  AcceptInvitationPage,
  ForgotPasswordPage,
  ResetPasswordPage,
  SetupPage,
  SignInPage,
} from '../features/auth/auth-pages.tsx';
import { CustomersPage } from '../features/commerce/customers-page.tsx';
import { ImportsPage } from '../features/commerce/imports-page.tsx';
import { IntegrationsPage } from '../features/commerce/integrations-page.tsx';
import { OrderPage, OrdersPage } from '../features/commerce/orders-page.tsx';
import { ProductPage, ProductsPage } from '../features/commerce/products-page.tsx';
import { CompaniesPage } from '../features/companies/companies-page.tsx';
import { CompanyPage } from '../features/companies/company-page.tsx';
import { CustomerPage } from '../features/customers/customer-page.tsx';
import { FieldsPage } from '../features/customers/fields-page.tsx';
import { ScoringSettingsPage } from '../features/customers/scoring-settings-page.tsx';
import { HomePage } from '../features/home/home-page.tsx';
import { RfmPage } from '../features/segments/rfm-page.tsx';
import { SegmentListPage, SegmentPage } from '../features/segments/saved-segments.tsx';
import { EditSegmentPage, NewSegmentPage } from '../features/segments/segments-page.tsx';
import { AuditPage } from '../features/settings/audit-page.tsx';
import { MembersPage } from '../features/settings/members-page.tsx';
import { OutboxPage } from '../features/settings/outbox-page.tsx';
import { WorkspacePage } from '../features/settings/workspace-page.tsx';
import { meQuery, setupQuery } from './session.ts';
import { SettingsIndex, Shell } from './shell.tsx';

type Ctx = { queryClient: QueryClient };

const root = createRootRouteWithContext<Ctx>()({
  component: Outlet,
  notFoundComponent: () => (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-3 p-6 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <Link to="/" className="font-medium text-brand-700 underline">
        Go home
      </Link>
    </main>
  ),
});

/** Public pages: first-run set-up when nobody has set Patron up yet. */
const publicLayout = createRoute({
  getParentRoute: () => root,
  id: 'public',
  component: Outlet,
  beforeLoad: async ({ context, location }) => {
    const { needsSetup } = await context.queryClient.ensureQueryData(setupQuery);
    if (needsSetup && location.pathname !== '/setup') throw redirect({ to: '/setup' });
    if (!needsSetup && location.pathname === '/setup') throw redirect({ to: '/sign-in' });
  },
});

/** Signed-in pages. */
const app = createRoute({
  getParentRoute: () => root,
  id: 'app',
  beforeLoad: async ({ context, location }) => {
    const { needsSetup } = await context.queryClient.ensureQueryData(setupQuery);
    if (needsSetup) throw redirect({ to: '/setup' });
    const me = await context.queryClient.ensureQueryData(meQuery);
    if (!me) throw redirect({ to: '/sign-in', search: { next: location.pathname } });
  },
  component: function AppLayout() {
    const { data } = useQuery(meQuery);
    return data ? <Shell /> : null;
  },
});

const page = (path: string, component: () => React.ReactNode) =>
  createRoute({ getParentRoute: () => app, path, component });
const publicPage = (path: string, component: () => React.ReactNode) =>
  createRoute({ getParentRoute: () => publicLayout, path, component });

const routeTree = root.addChildren([
  publicLayout.addChildren([
    publicPage('/setup', SetupPage),
    publicPage('/sign-in', SignInPage),
    publicPage('/forgot-password', ForgotPasswordPage),
    publicPage('/reset-password', ResetPasswordPage),
    publicPage('/accept-invitation', AcceptInvitationPage),
  ]),
  app.addChildren([
    page('/', HomePage),
    page('/customers', CustomersPage),
    createRoute({ getParentRoute: () => app, path: '/customers/$id', component: CustomerPage }),
    page('/companies', CompaniesPage),
    createRoute({ getParentRoute: () => app, path: '/companies/$id', component: CompanyPage }),
    page('/orders', OrdersPage),
    createRoute({ getParentRoute: () => app, path: '/orders/$id', component: OrderPage }),
    page('/products', ProductsPage),
    createRoute({ getParentRoute: () => app, path: '/products/$id', component: ProductPage }),
    page('/segments', SegmentListPage),
    page('/segments/new', NewSegmentPage),
    page('/segments/rfm', RfmPage),
    createRoute({ getParentRoute: () => app, path: '/segments/$id', component: SegmentPage }),
    createRoute({ getParentRoute: () => app, path: '/segments/$id/edit', component: EditSegmentPage }),
    page('/imports', ImportsPage),
    page('/integrations', IntegrationsPage),
    page('/settings', SettingsIndex),
    page('/settings/workspace', WorkspacePage),
    page('/settings/members', MembersPage),
    page('/settings/fields', FieldsPage),
    page('/settings/scoring', ScoringSettingsPage),
    page('/settings/audit', AuditPage),
    page('/settings/outbox', OutboxPage),
    page('/account', AccountPage),
  ]),
]);

export function makeRouter(queryClient: QueryClient) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: 'intent',
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
