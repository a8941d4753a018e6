import { Inject, Injectable } from '@nestjs/common';
import type { TenantDto } from '@telemetryflow/contract';
import { createTenant } from '../control-plane/accounts.js';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { TenantEntity, type Role } from '../control-plane/entities.js';
import { ApiError, type Caller } from '@telemetryflow/http-kit';
import { CONTROL_PLANE } from '../tokens.js';

export interface MembershipRow {
  tenantId: string;
  tenantName: string;
  tenantCreatedAt: Date;
  role: Role;
}

@Injectable()
export class TenantsService {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  /** A user's memberships, first (the default tenant) first. */
  async memberships(userId: string): Promise<MembershipRow[]> {
    const rows = (await this.controlPlane.dataSource.query(
      `SELECT t.id, t.name, t.created_at, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
        WHERE m.user_id = $1 ORDER BY m.created_at, m.tenant_id`,
      [userId],
    )) as { id: string; name: string; created_at: Date; role: Role }[];
    return rows.map((r) => ({ tenantId: r.id, tenantName: r.name, tenantCreatedAt: r.created_at, role: r.role }));
  }

  /** A user's tenants; for an API key, its one tenant. */
  async list(caller: Caller): Promise<TenantDto[]> {
    if (caller.kind === 'user') {
      return (await this.memberships(caller.userId!)).map((m) => ({
        id: m.tenantId,
        name: m.tenantName,
        createdAt: m.tenantCreatedAt.toISOString(),
        role: m.role,
      }));
    }
    const tenant = await this.controlPlane.dataSource
      .getRepository(TenantEntity)
      .findOneByOrFail({ id: caller.tenantId });
    return [{ id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString(), role: null }];
  }

  /** A new tenant owned by the calling user (API keys belong to one tenant and cannot create others). */
  async create(caller: Caller, name: string): Promise<TenantDto> {
    if (caller.kind !== 'user')
      throw new ApiError(403, 'forbidden', 'only users can create tenants; an API key belongs to one tenant');
    const tenant = await createTenant(this.controlPlane.dataSource, { name, ownerUserId: caller.userId! });
    return { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt.toISOString(), role: 'owner' };
  }
}
