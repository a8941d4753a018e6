import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  CreateInvitationRequest,
  InvitationDto,
  MembershipSummaryDto,
  ReceivedInvitationDto,
} from '@telemetryflow/contract';
import type { EntityManager } from 'typeorm';
import { addMembership, createUserUnlessExists, hashPassword } from '../control-plane/accounts.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import type { Role } from '../control-plane/entities.js';
import { roleChangeRefusal } from '../control-plane/permissions.js';
import { ApiError, notFound, type Caller } from '@telemetryflow/http-kit';
import { CONTROL_PLANE } from '../tokens.js';
import { ownTenant, refuse } from './members.service.js';

/** How long an invitation waits for its invitee. */
export const INVITATION_TTL_DAYS = 7;

interface InvitationRow {
  id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  role: Role;
  by_user: string | null;
  by_key: string | null;
  created_at: Date;
  expires_at: Date;
}

const SELECT_INVITATIONS = `
  SELECT i.id, i.tenant_id, t.name AS tenant_name, i.email, i.role, u.email AS by_user, k.name AS by_key, i.created_at, i.expires_at
    FROM invitations i
    JOIN tenants t ON t.id = i.tenant_id
    LEFT JOIN users u ON u.id = i.invited_by_user_id
    LEFT JOIN api_keys k ON k.id = i.invited_by_key_id`;

function inviter(r: InvitationRow): InvitationDto['invitedBy'] {
  if (r.by_user !== null) return { kind: 'user', name: r.by_user };
  return r.by_key !== null ? { kind: 'key', name: r.by_key } : null;
}

function toDto(r: InvitationRow): InvitationDto {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    invitedBy: inviter(r),
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  };
}

function toReceived(r: InvitationRow): ReceivedInvitationDto {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    tenantName: r.tenant_name,
    role: r.role,
    invitedBy: inviter(r),
    createdAt: r.created_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
  };
}

/**
 * Joining a tenant is an invitation its invitee accepts. Inviting answers the same whether
 * or not the address has an account, so it tells nobody which addresses do; the invitee,
 * signed in with that address, sees the invitation and accepts or declines it.
 */
@Injectable()
export class InvitationsService {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  async create(caller: Caller, tenantId: string, req: CreateInvitationRequest): Promise<InvitationDto> {
    ownTenant(caller, tenantId);
    refuse(roleChangeRefusal(caller.permissions, null, req.role));
    const passwordHash = req.password === undefined ? undefined : await hashPassword(req.password);
    const row = await this.controlPlane.dataSource.transaction(async (em) => {
      const member = (await em.query(
        'SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 AND u.email = $2',
        [tenantId, req.email],
      )) as unknown[];
      if (member.length > 0)
        throw new ApiError(409, 'already_member', `${req.email} is already a member of this tenant`);
      if (passwordHash !== undefined) await createUserUnlessExists(em, { email: req.email, passwordHash });
      await em.query('DELETE FROM invitations WHERE tenant_id = $1 AND expires_at <= now()', [tenantId]);
      // Inviting an address again renews its invitation with the new role.
      const [inserted] = (await em.query(
        `INSERT INTO invitations (id, tenant_id, email, role, invited_by_user_id, invited_by_key_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7))
         ON CONFLICT (tenant_id, email) DO UPDATE SET role = EXCLUDED.role, invited_by_user_id = EXCLUDED.invited_by_user_id,
           invited_by_key_id = EXCLUDED.invited_by_key_id, created_at = now(), expires_at = EXCLUDED.expires_at
         RETURNING id`,
        [randomUUID(), tenantId, req.email, req.role, caller.userId ?? null, caller.keyId ?? null, INVITATION_TTL_DAYS],
      )) as { id: string }[];
      return (await this.select(em, 'i.id = $1', [inserted!.id]))[0]!;
    });
    return toDto(row);
  }

  /** The tenant's pending invitations, oldest first. */
  async list(caller: Caller, tenantId: string): Promise<InvitationDto[]> {
    ownTenant(caller, tenantId);
    return (await this.select(this.controlPlane.dataSource.manager, 'i.tenant_id = $1', [tenantId])).map(toDto);
  }

  async revoke(caller: Caller, tenantId: string, id: string): Promise<void> {
    ownTenant(caller, tenantId);
    refuse(roleChangeRefusal(caller.permissions, null, null));
    const [, deleted] = (await this.controlPlane.dataSource.query(
      'DELETE FROM invitations WHERE id = $1 AND tenant_id = $2',
      [id, tenantId],
    )) as [unknown, number];
    if (deleted === 0) throw notFound(`no invitation ${JSON.stringify(id)}`);
  }

  /** The pending invitations addressed to the calling user's email. */
  async received(caller: Caller): Promise<ReceivedInvitationDto[]> {
    const userId = invitee(caller);
    return (
      await this.select(this.controlPlane.dataSource.manager, 'i.email = (SELECT email FROM users WHERE id = $1)', [
        userId,
      ])
    ).map(toReceived);
  }

  /** Makes the caller a member with the invitation's role; the invitation is used up. */
  async accept(caller: Caller, id: string): Promise<MembershipSummaryDto> {
    const userId = invitee(caller);
    return this.controlPlane.dataSource.transaction(async (em) => {
      const row = await this.takeReceived(em, userId, id);
      if (
        (
          (await em.query('SELECT 1 FROM memberships WHERE user_id = $1 AND tenant_id = $2', [
            userId,
            row.tenant_id,
          ])) as unknown[]
        ).length > 0
      ) {
        throw new ApiError(409, 'already_member', `you are already a member of ${row.tenant_name}`);
      }
      await addMembership(em, { userId, tenantId: row.tenant_id, role: row.role });
      return { tenantId: row.tenant_id, tenantName: row.tenant_name, role: row.role };
    });
  }

  async decline(caller: Caller, id: string): Promise<void> {
    const userId = invitee(caller);
    await this.controlPlane.dataSource.transaction(async (em) => {
      await this.takeReceived(em, userId, id);
    });
  }

  /**
   * Deletes the caller's pending invitation `id` and returns it; 404 when there is none. The
   * row is locked first, so of two accepts at once the second finds it gone.
   */
  private async takeReceived(em: EntityManager, userId: string, id: string): Promise<InvitationRow> {
    const [row] = await this.select(
      em,
      'i.id = $1 AND i.email = (SELECT email FROM users WHERE id = $2)',
      [id, userId],
      { lock: true },
    );
    if (!row) throw notFound(`no invitation ${JSON.stringify(id)} for you`);
    await em.query('DELETE FROM invitations WHERE id = $1', [id]);
    return row;
  }

  /** Pending (unexpired) invitations matching `where`, oldest first; `lock` holds their rows until the transaction ends. */
  private async select(
    em: EntityManager,
    where: string,
    params: unknown[],
    opts: { lock?: boolean } = {},
  ): Promise<InvitationRow[]> {
    const sql = `${SELECT_INVITATIONS} WHERE ${where} AND i.expires_at > now() ORDER BY i.created_at, i.email${opts.lock ? ' FOR UPDATE OF i' : ''}`;
    return (await em.query(sql, params)) as InvitationRow[];
  }
}

function invitee(caller: Caller): string {
  if (caller.kind !== 'user')
    throw new ApiError(403, 'forbidden', 'invitations are for users; an API key belongs to one tenant');
  return caller.userId!;
}
