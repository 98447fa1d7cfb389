// Every table of the app, for typed queries and for drizzle-kit.
export * from './modules/accounts/accounts.table.ts';
export * from './modules/audit/audit.table.ts';
export * from './modules/commerce/commerce.table.ts';
export * from './modules/customers/companies.table.ts';
export * from './modules/customers/customers.table.ts';
export * from './modules/imports/imports.table.ts';
export * from './modules/integrations/integrations.table.ts';
export * from './modules/mail/mail.table.ts';
export * from './modules/segments/segments.table.ts';
export * from './modules/workspaces/workspaces.table.ts';
export * from './platform/platform.table.ts';
