import { randomBytes } from 'node:crypto';
import type { Role, SsoErrorCode } from '@telemetryflow/contract';
import type { DataSource, EntityManager } from 'typeorm';
import { addMembership, createUser, hashPassword } from '../control-plane/accounts.js';
import { MembershipEntity, UserEntity } from '../control-plane/entities.js';

export interface SsoMemberInput {
  tenantId: string;
  email: string;
  /** The role the provider's claims give (claim-rules.ts). */
  role: Role;
  jitMembership: boolean;
  breakGlassUserId: string | null;
}

export type SsoMemberOutcome =
  { ok: true; userId: string; role: Role; created: boolean } | { ok: false; code: SsoErrorCode; detail: string };

/**
 * The user a single sign-on into `tenantId` signs in, with the role its claims give now (a
 * removed group demotes). An account that belongs to, or is invited into, other tenants is
 * refused: the tenant's provider vouches only for its own members, and a session reaches every
 * tenant of its user.
 * The break-glass owner keeps their role, and the tenant's last owner is never demoted by it.
 */
export async function resolveSsoMember(ds: DataSource, input: SsoMemberInput): Promise<SsoMemberOutcome> {
  // Hashed outside the transaction (argon2 is slow on purpose); only used for a new account.
  const unusablePassword = await hashPassword(randomBytes(32).toString('base64url'));
  return ds.transaction(async (em): Promise<SsoMemberOutcome> => {
    let user = await em.getRepository(UserEntity).findOneBy({ email: input.email });
    const memberships = user ? await em.getRepository(MembershipEntity).findBy({ userId: user.id }) : [];
    const elsewhere = memberships.filter((m) => m.tenantId !== input.tenantId);
    if (elsewhere.length > 0)
      return {
        ok: false,
        code: 'sso_other_tenants',
        detail: `${input.email} is also a member of ${elsewhere.map((m) => m.tenantId).join(', ')}`,
      };
    // Nor may it accept another tenant's invitation to this address.
    const invited = (await em.query(
      `SELECT tenant_id FROM invitations WHERE email = $1 AND tenant_id <> $2 AND expires_at > now() ORDER BY tenant_id`,
      [input.email, input.tenantId],
    )) as { tenant_id: string }[];
    if (invited.length > 0)
      return {
        ok: false,
        code: 'sso_other_tenants',
        detail: `${input.email} is invited into ${invited.map((r) => r.tenant_id).join(', ')}`,
      };
    const current = memberships.find((m) => m.tenantId === input.tenantId);
    if (!current) {
      if (!input.jitMembership)
        return { ok: false, code: 'sso_not_member', detail: `${input.email} is not a member (JIT membership is off)` };
      const created = !user;
      user ??= await createUser(em, { email: input.email, passwordHash: unusablePassword });
      await addMembership(em, { userId: user.id, tenantId: input.tenantId, role: input.role });
      return { ok: true, userId: user.id, role: input.role, created };
    }
    const role = await roleAfterSignIn(em, current, input);
    if (role !== current.role)
      await em.getRepository(MembershipEntity).update({ userId: current.userId, tenantId: input.tenantId }, { role });
    return { ok: true, userId: current.userId, role, created: false };
  });
}

async function roleAfterSignIn(em: EntityManager, current: MembershipEntity, input: SsoMemberInput): Promise<Role> {
  if (current.role !== 'owner' || input.role === 'owner') return input.role;
  if (current.userId === input.breakGlassUserId) return 'owner';
  // Locked, so that two owners signing in at once cannot both be demoted past the last one.
  const owners = (await em.query(`SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = 'owner' FOR UPDATE`, [
    input.tenantId,
  ])) as unknown[];
  return owners.length <= 1 ? 'owner' : input.role;
}
