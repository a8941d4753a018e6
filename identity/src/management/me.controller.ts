import { Controller, Delete, Get, HttpCode, Inject } from '@nestjs/common';
import {
  DeleteAccountRequestSchema,
  type ApiSuccess,
  type DeleteAccountRequest,
  type MeDto,
} from '@telemetryflow/contract';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { UserEntity } from '../control-plane/entities.js';
import {
  ApiError,
  ApiRoute,
  Audit,
  Authenticated,
  CurrentCaller,
  PERMISSIONS,
  RateLimit,
  ValidBody,
  type Caller,
} from '@telemetryflow/http-kit';
import { AccountService } from './account.service.js';
import { signedInUser } from './signed-in-user.js';
import { CONTROL_PLANE } from '../tokens.js';
import { TenantsService } from './tenants.service.js';

/** Who the credential is: a user with memberships, current tenant and permissions; or a key with its tenant and scopes. */
@Controller('api/v1/me')
@Authenticated()
export class MeController {
  constructor(
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
    @Inject(TenantsService) private readonly tenants: TenantsService,
    @Inject(AccountService) private readonly account: AccountService,
  ) {}

  @Delete()
  @HttpCode(204)
  @Audit('account.delete')
  @RateLimit('login')
  @ApiRoute({
    summary:
      "Delete the caller's account: confirmed with the password, or without one within 5 minutes of a sign-in (how an SSO-only account confirms); 409 while the caller is a tenant's last owner. Every session ends; memberships, second factors and pending invitations go; keys the user created stay with their tenants; audit events about the user are kept",
    body: DeleteAccountRequestSchema,
    status: 204,
    tags: ['me'],
  })
  async delete(@CurrentCaller() caller: Caller, @ValidBody() body: DeleteAccountRequest): Promise<void> {
    const { userId, sessionId } = signedInUser(caller);
    await this.account.delete(userId, sessionId, body.password);
  }

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
