import { Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { TenantSecuritySchema, type ApiSuccess, type TenantSecurityDto } from '@telemetryflow/contract';
import { ApiRoute, CurrentCaller, notFound, Requires, ValidBody, type Caller } from '@telemetryflow/http-kit';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { CONTROL_PLANE } from '../tokens.js';
import { ownTenant } from './members.service.js';

const PARAMS = { tenantId: 'tenant id' };

/** A tenant's sign-in policy: whether its members need a second factor. */
@Controller('api/v1/tenants/:tenantId/security')
export class TenantSecurityController {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  @Get()
  @Requires('read')
  @ApiRoute({
    summary: "The tenant's sign-in policy",
    params: PARAMS,
    response: TenantSecuritySchema,
    tags: ['tenants'],
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
  ): Promise<ApiSuccess<TenantSecurityDto>> {
    ownTenant(caller, tenantId);
    const [row] = (await this.controlPlane.dataSource.query(`SELECT require_mfa FROM tenants WHERE id = $1`, [
      tenantId,
    ])) as { require_mfa: boolean }[];
    if (!row) throw notFound(`no tenant ${JSON.stringify(tenantId)}`);
    return { data: { requireMfa: row.require_mfa } };
  }

  @Put()
  @Requires('admin')
  @ApiRoute({
    summary:
      'Set the sign-in policy. With requireMfa, members without a second factor must enrol one at their next sign-in before they get a session (sessions already open go on)',
    body: TenantSecuritySchema,
    params: PARAMS,
    response: TenantSecuritySchema,
    tags: ['tenants'],
  })
  async put(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @ValidBody() body: TenantSecurityDto,
  ): Promise<ApiSuccess<TenantSecurityDto>> {
    ownTenant(caller, tenantId);
    await this.controlPlane.dataSource.query(`UPDATE tenants SET require_mfa = $2 WHERE id = $1`, [
      tenantId,
      body.requireMfa,
    ]);
    return { data: { requireMfa: body.requireMfa } };
  }
}
