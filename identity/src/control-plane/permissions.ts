import type { Caller, Permission } from '@telemetryflow/http-kit';
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

/**
 * The scopes `caller` may put on a key it creates or revoke, so a key never holds more than
 * its creator: `read` needs read, `admin` needs admin (its permissions are read, write,
 * admin); `ingest` needs write for a user (editor and up) and the `ingest` scope for a key.
 */
export function grantableScopes(caller: Pick<Caller, 'kind' | 'permissions' | 'scopes'>): ApiKeyScope[] {
  const scopes: ApiKeyScope[] = [];
  const canIngest = caller.kind === 'key' ? (caller.scopes ?? []).includes('ingest') : caller.permissions.has('write');
  if (canIngest) scopes.push('ingest');
  for (const s of ['read', 'admin'] as const) {
    if (SCOPE_PERMISSIONS[s].every((p) => caller.permissions.has(p))) scopes.push(s);
  }
  return scopes;
}

/**
 * Why an actor with `permissions` may not move a member from role `from` to `to` (null
 * meaning not a member: adding, removing), or null when it may. Only owners grant the owner
 * role or change what an owner is; the last-owner rule needs the database and lives there.
 */
export function roleChangeRefusal(
  permissions: ReadonlySet<Permission>,
  from: Role | null,
  to: Role | null,
): string | null {
  if (!permissions.has('admin')) return 'managing members needs the admin role';
  if (to === 'owner' && !permissions.has('owner')) return 'only an owner can grant the owner role';
  if (from === 'owner' && !permissions.has('owner')) return 'only an owner can change or remove an owner';
  return null;
}
