import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import type { ApiSuccess, OperationDto, RedPointDto, ServiceDto } from '@telemetryflow/schemas';
import { Requires, TenantId } from '../http/access.js';
import { CacheResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { serviceName, ServicesService } from './services.service.js';

@Controller('api/v1/services')
@Requires('read')
@CacheResult()
export class ServicesController {
  constructor(@Inject(ServicesService) private readonly services: ServicesService) {}

  @Get()
  list(@TenantId() tenant: string, @Query() q: RawParams): Promise<ApiSuccess<ServiceDto[]>> {
    return this.services.services(tenant, q);
  }

  @Get(':service/red')
  red(@TenantId() tenant: string, @Param('service') service: string, @Query() q: RawParams): Promise<ApiSuccess<RedPointDto[]>> {
    return this.services.red(tenant, serviceName(service), q);
  }

  @Get(':service/operations')
  operations(@TenantId() tenant: string, @Param('service') service: string, @Query() q: RawParams): Promise<ApiSuccess<OperationDto[]>> {
    return this.services.operations(tenant, serviceName(service), q);
  }
}
