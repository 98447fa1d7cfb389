export * from './workspaces.service.ts';
export { invitations, memberships, workspaces } from './workspaces.table.ts';
