export { escapeLike, listAudit, recordChange } from './audit.service.ts';
export { auditLog } from './audit.table.ts';
