import { Controller, Get, Inject, Param } from '@nestjs/common';
import {
  AggregateParamsSchema,
  type ApiSuccess,
  type OperationDto,
  type RedPointDto,
  type ServiceDto,
  type ServiceRedDto,
  ServicesRedParamsSchema,
} from '@telemetryflow/contract';
import { ApiRoute, Requires, TenantId, ValidQuery } from '@telemetryflow/http-kit';
import { CacheResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { serviceName, serviceNames, ServicesService } from './services.service.js';

@Controller('api/v1/services')
@Requires('read')
@CacheResult()
export class ServicesController {
  constructor(@Inject(ServicesService) private readonly services: ServicesService) {}

  @Get()
  @ApiRoute({
    summary:
      'Services in the range: span counts, and requests, errors and latency of their entry spans (server and consumer spans, or root spans where a service has none; rollups where possible)',
    query: AggregateParamsSchema,
    tags: ['services'],
  })
  list(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<ServiceDto[]>> {
    return this.services.services(tenant, q);
  }

  @Get('red')
  @ApiRoute({
    summary:
      "RED series of several services from one query (`service` given once per service), as each one's `:service/red` answers",
    query: ServicesRedParamsSchema,
    tags: ['services'],
  })
  redOf(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<ServiceRedDto[]>> {
    return this.services.redOf(tenant, serviceNames(q.service), q);
  }

  @Get(':service/red')
  @ApiRoute({
    summary: "A service's request rate, errors and latency quantiles per step, over its entry spans",
    query: AggregateParamsSchema,
    params: { service: 'service name' },
    tags: ['services'],
  })
  red(
    @TenantId() tenant: string,
    @Param('service') service: string,
    @ValidQuery() q: RawParams,
  ): Promise<ApiSuccess<RedPointDto[]>> {
    return this.services.red(tenant, serviceName(service), q);
  }

  @Get(':service/operations')
  @ApiRoute({
    summary: "A service's operations (span name and kind) with counts and latency quantiles",
    query: AggregateParamsSchema,
    params: { service: 'service name' },
    tags: ['services'],
  })
  operations(
    @TenantId() tenant: string,
    @Param('service') service: string,
    @ValidQuery() q: RawParams,
  ): Promise<ApiSuccess<OperationDto[]>> {
    return this.services.operations(tenant, serviceName(service), q);
  }
}
