import type { Role } from '../../../contracts/roles.ts';
import type { Db } from './db.ts';

/** Where a change came from, for the audit trail. */
export type RequestMeta = { ip: string | null; userAgent: string | null; requestId: string | null };

/** Who is acting, in which workspace, with which role. Services take this, never an HTTP request. */
export type WorkspaceCtx = {
  db: Db;
  workspaceId: string;
  userId: string | null;
  email: string | null;
  role: Role;
  meta: RequestMeta;
};

export const systemMeta: RequestMeta = { ip: null, userAgent: null, requestId: null };
