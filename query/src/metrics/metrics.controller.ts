import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import type { ApiSuccess, MetricDto, MetricQueryResultDto } from '@telemetryflow/schemas';
import { Requires, TenantId } from '../http/access.js';
import { CacheResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { MetricsService } from './metrics.service.js';

@Controller('api/v1/metrics')
@Requires('read')
@CacheResult()
export class MetricsController {
  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  @Get()
  async list(@TenantId() tenant: string, @Query() q: RawParams): Promise<ApiSuccess<MetricDto[]>> {
    return { data: await this.metrics.listMetrics(tenant, q) };
  }

  @Post('query')
  @HttpCode(200)
  query(@TenantId() tenant: string, @Body() body: unknown): Promise<ApiSuccess<MetricQueryResultDto>> {
    return this.metrics.query(tenant, body);
  }
}
