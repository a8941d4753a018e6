import { ApiError } from '@telemetryflow/http-kit';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Refuses a password sign-in (after the password was checked, so the answer tells a stranger
 * nothing) of a user who is a member of a tenant that requires single sign-on, unless they are
 * that tenant's break-glass owner.
 */
export async function refusePasswordWhereSsoRequired(db: DataSource | EntityManager, userId: string): Promise<void> {
  const rows = (await db.query(
    `SELECT m.tenant_id FROM memberships m JOIN sso_settings s ON s.tenant_id = m.tenant_id
      WHERE m.user_id = $1 AND s.sso_required
        AND NOT (s.break_glass_user_id IS NOT DISTINCT FROM m.user_id AND m.role = 'owner')
      ORDER BY m.tenant_id LIMIT 1`,
    [userId],
  )) as { tenant_id: string }[];
  const tenant = rows[0]?.tenant_id;
  if (tenant !== undefined)
    throw new ApiError(
      403,
      'sso_required',
      `tenant ${JSON.stringify(tenant)} requires single sign-on: use "Sign in with SSO"`,
      { tenantId: tenant },
    );
}
