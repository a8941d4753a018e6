import { Controller, Get, Inject, Post } from '@nestjs/common';
import {
  CreateTenantRequestSchema,
  type ApiSuccess,
  type CreateTenantRequest,
  type TenantDto,
} from '@telemetryflow/contract';
import { ApiRoute, Authenticated, CurrentCaller, ValidBody, type Caller } from '@telemetryflow/http-kit';
import { TenantsService } from './tenants.service.js';

/** Tenants of the caller; any valid credential (a user may have no membership yet). */
@Controller('api/v1/tenants')
@Authenticated()
export class TenantsController {
  constructor(@Inject(TenantsService) private readonly tenants: TenantsService) {}

  @Get()
  @ApiRoute({
    summary: "The caller's tenants with the caller's role in each (an API key: its tenant)",
    tags: ['tenants'],
  })
  async list(@CurrentCaller() caller: Caller): Promise<ApiSuccess<TenantDto[]>> {
    return { data: await this.tenants.list(caller) };
  }

  @Post()
  @ApiRoute({
    summary: 'Create a tenant; the calling user becomes its owner',
    body: CreateTenantRequestSchema,
    status: 201,
    tags: ['tenants'],
  })
  async create(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: CreateTenantRequest,
  ): Promise<ApiSuccess<TenantDto>> {
    return { data: await this.tenants.create(caller, body.name) };
  }
}
