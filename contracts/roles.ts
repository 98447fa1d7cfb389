/**
 * Roles and the permission matrix. The server enforces it in the services; the web app reads the
 * same table only to hide what a role cannot do.
 */
export const roles = ['owner', 'admin', 'manager', 'sales', 'support', 'marketing', 'read-only'] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  manager: 'Manager',
  sales: 'Sales',
  support: 'Support',
  marketing: 'Marketing',
  'read-only': 'Read-only',
};

export const permissions = [
  'workspace.read',
  'workspace.update',
  'members.read',
  'members.invite',
  'members.update_role',
  'members.remove',
  'audit.read',
  'mail_outbox.read',
  'customers.read',
  'customers.write',
  'orders.read',
  'orders.write',
  'sales.read',
  'sales.write',
  'support.read',
  'support.write',
  'marketing.read',
  'marketing.write',
  'reports.read',
  'segments.read',
  'segments.manage',
  'fields.manage',
  'integrations.manage',
] as const;
export type Permission = (typeof permissions)[number];

const everyone: Permission[] = [
  'workspace.read',
  'members.read',
  'customers.read',
  'orders.read',
  'sales.read',
  'support.read',
  'marketing.read',
  'reports.read',
  'segments.read',
];

const admin: readonly Permission[] = permissions;

export const rolePermissions: Record<Role, readonly Permission[]> = {
  owner: permissions,
  admin,
  manager: [
    ...everyone,
    'audit.read',
    'customers.write',
    'orders.write',
    'sales.write',
    'support.write',
    'marketing.write',
    'segments.manage',
  ],
  sales: [...everyone, 'customers.write', 'sales.write'],
  support: [...everyone, 'customers.write', 'support.write'],
  marketing: [...everyone, 'customers.write', 'marketing.write', 'segments.manage'],
  'read-only': everyone,
};

export function can(role: Role, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}

/** Who may hand out which role: nobody but an owner makes another owner. */
export function canAssignRole(actor: Role, target: Role): boolean {
  if (target === 'owner') return actor === 'owner';
  return can(actor, 'members.update_role');
}
