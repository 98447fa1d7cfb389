import { can, type Permission } from '../../../contracts/roles.ts';
import type { WorkspaceCtx } from './context.ts';
import { AppError } from './errors.ts';

/** The permission check every service makes: the API refuses, whatever the UI shows. */
export function assertCan(ctx: Pick<WorkspaceCtx, 'role'>, permission: Permission): void {
  if (!can(ctx.role, permission)) {
    throw new AppError('forbidden', `The ${ctx.role} role may not do this (needs ${permission}).`);
  }
}
