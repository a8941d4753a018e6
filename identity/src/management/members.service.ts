import { Inject, Injectable } from '@nestjs/common';
import type { MemberDto } from '@telemetryflow/contract';
import type { EntityManager } from 'typeorm';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { MembershipEntity, type Role } from '../control-plane/entities.js';
import { roleChangeRefusal } from '../control-plane/permissions.js';
import { ApiError, notFound, type Caller } from '@telemetryflow/http-kit';
import { CONTROL_PLANE } from '../tokens.js';
import { hashPassword } from '../control-plane/accounts.js';
import type { SessionEndReason } from '../auth/sessions.js';

interface MemberRow {
  user_id: string;
  email: string;
  role: Role;
  created_at: Date;
}

function toDto(r: MemberRow): MemberDto {
  return { userId: r.user_id, email: r.email, role: r.role, createdAt: r.created_at.toISOString() };
}

/**
 * Members of the caller's tenant. The tenant in the path must be the caller's (a user's
 * membership was checked by the access guard; an API key has one tenant), else 404.
 */
@Injectable()
export class MembersService {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  async list(caller: Caller, tenantId: string): Promise<MemberDto[]> {
    ownTenant(caller, tenantId);
    return (await this.rows(this.controlPlane.dataSource.manager, tenantId, false)).map(toDto);
  }

  async changeRole(caller: Caller, tenantId: string, userId: string, role: Role): Promise<MemberDto> {
    ownTenant(caller, tenantId);
    const row = await this.controlPlane.dataSource.transaction(async (em) => {
      const members = await this.rows(em, tenantId, true);
      const target = members.find((m) => m.user_id === userId);
      if (!target) throw notFound(`no member ${JSON.stringify(userId)}`);
      refuse(roleChangeRefusal(caller.permissions, target.role, role));
      if (target.role === 'owner' && role !== 'owner') lastOwnerCheck(members);
      await em.getRepository(MembershipEntity).update({ userId, tenantId }, { role });
      return { ...target, role };
    });
    return toDto(row);
  }

  /**
   * Removes a member. Their sessions go on (they may belong to other tenants, and stay a user):
   * memberships are read on every request, so the tenant refuses them at once on every replica,
   * and their live-tail connections are checked again as soon as each replica hears of it.
   */
  async remove(caller: Caller, tenantId: string, userId: string): Promise<void> {
    ownTenant(caller, tenantId);
    const announce = await this.controlPlane.dataSource.transaction(async (em) => {
      const members = await this.rows(em, tenantId, true);
      const target = members.find((m) => m.user_id === userId);
      if (!target) throw notFound(`no member ${JSON.stringify(userId)}`);
      refuse(roleChangeRefusal(caller.permissions, target.role, null));
      if (target.role === 'owner') lastOwnerCheck(members);
      await em.getRepository(MembershipEntity).delete({ userId, tenantId });
      return this.controlPlane.membershipEnded(em, userId);
    });
    announce();
  }

  /**
   * Ends every session of a member (all of the user's sessions, whichever tenant they use them
   * for); only an owner ends an owner's. The number ended.
   */
  async revokeSessions(caller: Caller, tenantId: string, userId: string): Promise<number> {
    ownTenant(caller, tenantId);
    const ended = await this.controlPlane.dataSource.transaction(async (em) => {
      const target = (await this.rows(em, tenantId, false)).find((m) => m.user_id === userId);
      if (!target) throw notFound(`no member ${JSON.stringify(userId)}`);
      if (target.role === 'owner' && !caller.permissions.has('owner'))
        refuse("only an owner can end an owner's sessions");
      return this.controlPlane.sessions.revokeAllIn(em, userId, 'admin');
    });
    ended.apply();
    return ended.count;
  }

  /** Sets a temporary password the member must change at the next sign-in, and ends their sessions. */
  async resetPassword(caller: Caller, tenantId: string, userId: string, temporaryPassword: string): Promise<number> {
    const passwordHash = await hashPassword(temporaryPassword);
    return this.resetMember(caller, tenantId, userId, 'password_reset', async (em, email) => {
      await em.query(`UPDATE users SET password_hash = $2, must_change_password = true WHERE id = $1`, [
        userId,
        passwordHash,
      ]);
      await em.query(`DELETE FROM login_failures WHERE scope = 'account' AND subject = $1`, [email]);
    });
  }

  /** Removes the member's second factors and ends their sessions. */
  async resetMfa(caller: Caller, tenantId: string, userId: string): Promise<number> {
    return this.resetMember(caller, tenantId, userId, 'mfa_reset', (em) =>
      this.controlPlane.factors.resetIn(em, userId),
    );
  }

  /** Changes a member's account in one transaction with ending their sessions (only an owner an owner's). */
  private async resetMember(
    caller: Caller,
    tenantId: string,
    userId: string,
    reason: SessionEndReason,
    change: (em: EntityManager, email: string) => Promise<void>,
  ): Promise<number> {
    ownTenant(caller, tenantId);
    const ended = await this.controlPlane.dataSource.transaction(async (em) => {
      const target = (await this.rows(em, tenantId, false)).find((m) => m.user_id === userId);
      if (!target) throw notFound(`no member ${JSON.stringify(userId)}`);
      if (target.role === 'owner' && !caller.permissions.has('owner'))
        refuse("only an owner can reset an owner's password or MFA");
      if (await this.beyondCaller(em, caller, tenantId, userId))
        refuse(
          'this user is also a member of tenants you do not administer: an admin of every tenant of theirs can reset it',
        );
      await change(em, target.email);
      return this.controlPlane.sessions.revokeAllIn(em, userId, reason);
    });
    ended.apply();
    return ended.count;
  }

  /**
   * Whether the user belongs to a tenant other than `tenantId` where the caller could not reset
   * them (not an admin there, or the user is an owner there and the caller is not): a reset there
   * would hand the caller, who knows the temporary password, that tenant too.
   */
  private async beyondCaller(em: EntityManager, caller: Caller, tenantId: string, userId: string): Promise<boolean> {
    const [row] = (await em.query(
      `SELECT count(*)::int AS n FROM memberships t
         LEFT JOIN memberships c ON c.tenant_id = t.tenant_id AND c.user_id = $3::uuid
        WHERE t.user_id = $1 AND t.tenant_id <> $2
          AND (c.role IS NULL OR c.role NOT IN ('admin', 'owner') OR (t.role = 'owner' AND c.role <> 'owner'))`,
      [userId, tenantId, caller.kind === 'user' ? (caller.userId ?? null) : null],
    )) as { n: number }[];
    return row!.n > 0;
  }

  /** The tenant's members; `lock` holds their rows until the transaction ends, so two demotions cannot both pass the last-owner check. */
  private async rows(em: EntityManager, tenantId: string, lock: boolean): Promise<MemberRow[]> {
    return (await em.query(
      `SELECT m.user_id, u.email, m.role, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id
        WHERE m.tenant_id = $1 ORDER BY m.created_at, u.email${lock ? ' FOR UPDATE OF m' : ''}`,
      [tenantId],
    )) as MemberRow[];
  }
}

/** The tenant in the path must be the one the caller acts in, else 404 as for any tenant it cannot see. */
export function ownTenant(caller: Caller, tenantId: string): void {
  if (caller.tenantId !== tenantId)
    throw new ApiError(404, 'tenant_not_found', `no tenant ${JSON.stringify(tenantId)} for this credential`);
}

export function refuse(reason: string | null): void {
  if (reason !== null) throw new ApiError(403, 'forbidden', reason);
}

function lastOwnerCheck(members: MemberRow[]): void {
  if (members.filter((m) => m.role === 'owner').length <= 1) {
    throw new ApiError(409, 'last_owner', 'a tenant keeps at least one owner: make someone else owner first');
  }
}
