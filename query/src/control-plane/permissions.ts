import type { Permission } from '../http/access.js';
import type { ApiKeyScope, Role } from './entities.js';

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  editor: ['read', 'write'],
  admin: ['read', 'write', 'admin'],
  owner: ['read', 'write', 'admin', 'owner'],
};

const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  ingest: [],
  read: ['read'],
  admin: ['read', 'write', 'admin'],
};

export function rolePermissions(role: Role): ReadonlySet<Permission> {
  return new Set(ROLE_PERMISSIONS[role]);
}

export function keyPermissions(scopes: readonly ApiKeyScope[]): ReadonlySet<Permission> {
  return new Set(scopes.flatMap((s) => SCOPE_PERMISSIONS[s]));
}
