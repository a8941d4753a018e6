import { Controller, Get, Inject, Param, Put } from '@nestjs/common';
import { TenantQuotasSchema, type ApiSuccess, type TenantQuotas, type TenantQuotasDto } from '@telemetryflow/contract';
import {
  ApiError,
  ApiRoute,
  Authenticated,
  CurrentCaller,
  notFound,
  ValidBody,
  type Caller,
} from '@telemetryflow/http-kit';
import type { ControlPlane } from '../control-plane/control-plane.js';
import { CONTROL_PLANE } from '../tokens.js';

const PARAMS = { tenantId: 'tenant id' };

/**
 * A tenant's quotas. Only an instance administrator reads or sets them, whichever tenant: a
 * tenant's own owner may not lift its limits.
 */
@Controller('api/v1/tenants/:tenantId/quotas')
@Authenticated()
export class TenantQuotasController {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  @Get()
  @ApiRoute({
    summary: "A tenant's quotas (instance administrators only)",
    params: PARAMS,
    response: TenantQuotasSchema,
    tags: ['tenants'],
  })
  async get(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
  ): Promise<ApiSuccess<TenantQuotasDto>> {
    instanceAdmin(caller);
    const found = await this.controlPlane.quotas.get(tenantId);
    if (!found) throw notFound(`no tenant ${JSON.stringify(tenantId)}`);
    return { data: found };
  }

  @Put()
  @ApiRoute({
    summary:
      "Replace a tenant's quotas (instance administrators only); a field left out is unlimited. Collectors and API processes apply them within seconds",
    params: PARAMS,
    body: TenantQuotasSchema,
    response: TenantQuotasSchema,
    tags: ['tenants'],
  })
  async put(
    @CurrentCaller() caller: Caller,
    @Param('tenantId') tenantId: string,
    @ValidBody() body: TenantQuotas,
  ): Promise<ApiSuccess<TenantQuotasDto>> {
    instanceAdmin(caller);
    const saved = await this.controlPlane.quotas.put(tenantId, body, caller.userId);
    if (!saved) throw notFound(`no tenant ${JSON.stringify(tenantId)}`);
    return { data: saved };
  }
}

function instanceAdmin(caller: Caller): void {
  if (caller.kind !== 'user' || caller.instanceAdmin !== true)
    throw new ApiError(403, 'forbidden', "a tenant's quotas are managed by instance administrators only");
}
