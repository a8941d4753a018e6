import { Controller, Get, Inject } from '@nestjs/common';
import type { ApiSuccess, MeDto } from '@telemetryflow/contract';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { UserEntity } from '../control-plane/entities.js';
import { ApiError, ApiRoute, Authenticated, CurrentCaller, PERMISSIONS, type Caller } from '@telemetryflow/http-kit';
import { CONTROL_PLANE } from '../tokens.js';
import { TenantsService } from './tenants.service.js';

/** Who the credential is: a user with memberships, current tenant and permissions; or a key with its tenant and scopes. */
@Controller('api/v1/me')
@Authenticated()
export class MeController {
  constructor(
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
    @Inject(TenantsService) private readonly tenants: TenantsService,
  ) {}

  @Get()
  @ApiRoute({
    summary: 'The calling user (memberships, current tenant, permissions) or API key (tenant, scopes)',
    tags: ['me'],
  })
  async me(@CurrentCaller() caller: Caller): Promise<ApiSuccess<MeDto>> {
    const permissions = PERMISSIONS.filter((p) => caller.permissions.has(p));
    if (caller.kind === 'key') {
      return {
        data: {
          kind: 'key',
          keyId: caller.keyId!,
          tenantId: caller.tenantId,
          scopes: [...(caller.scopes ?? [])],
          permissions,
        },
      };
    }
    const user = await this.controlPlane.dataSource.getRepository(UserEntity).findOneBy({ id: caller.userId! });
    if (!user) throw new ApiError(401, 'unauthenticated', 'this user no longer exists');
    const memberships = await this.tenants.memberships(user.id);
    return {
      data: {
        kind: 'user',
        user: { id: user.id, email: user.email, createdAt: user.createdAt.toISOString() },
        memberships: memberships.map((m) => ({ tenantId: m.tenantId, tenantName: m.tenantName, role: m.role })),
        tenantId: caller.tenantId === '' ? null : caller.tenantId,
        role: caller.role ?? null,
        permissions,
        instanceAdmin: caller.instanceAdmin === true,
      },
    };
  }
}
