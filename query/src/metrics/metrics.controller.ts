import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ExemplarParamsSchema,
  MetricLabelsParamsSchema,
  MetricLabelValuesParamsSchema,
  RangeParamsSchema,
  type ApiSuccess,
  type AttributeKeyDto,
  type ExemplarDto,
  type MetricDto,
  type MetricQueryResultDto,
} from '@telemetryflow/contract';
import { ApiRoute, RateLimit, Requires, TenantId, ValidBody, ValidQuery, NotAudited } from '@telemetryflow/http-kit';
import { CacheResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { MetricDiscovery } from './metric-discovery.js';
import { MetricQueryBodySchema } from './metric-query.js';
import { MetricsService } from './metrics.service.js';

@Controller('api/v1/metrics')
@Requires('read')
@CacheResult()
export class MetricsController {
  constructor(
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(MetricDiscovery) private readonly discovery: MetricDiscovery,
  ) {}

  @Get()
  @ApiRoute({
    summary: 'Metrics seen in the range with their type, unit and description',
    query: RangeParamsSchema,
    tags: ['metrics'],
  })
  async list(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<MetricDto[]>> {
    return { data: await this.metrics.listMetrics(tenant, q) };
  }

  @Post('query')
  @NotAudited()
  @RateLimit('heavy')
  @HttpCode(200)
  @ApiRoute({
    summary:
      'One metric as time series: aggregation (avg … last, rate, increase, p50 … p99), label filters (=, !=, =~, !~, in), groupBy',
    body: MetricQueryBodySchema,
    status: 200,
    tags: ['metrics'],
  })
  query(@TenantId() tenant: string, @ValidBody() body: unknown): Promise<ApiSuccess<MetricQueryResultDto>> {
    return this.metrics.query(tenant, body);
  }

  @Get('labels')
  @ApiRoute({
    summary: "Label keys of a metric's series in the range (point and resource attributes), with series counts",
    query: MetricLabelsParamsSchema,
    tags: ['metrics'],
  })
  async labels(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<AttributeKeyDto[]>> {
    return { data: await this.discovery.labels(tenant, q) };
  }

  @Get('labels/:label/values')
  @ApiRoute({
    summary: "Values of one label of a metric's series, most series first",
    query: MetricLabelValuesParamsSchema,
    params: { label: 'label key' },
    tags: ['metrics'],
  })
  async labelValues(
    @TenantId() tenant: string,
    @Param('label') label: string,
    @ValidQuery() q: RawParams,
  ): Promise<ApiSuccess<string[]>> {
    return { data: await this.discovery.labelValues(tenant, label, q) };
  }

  @Get('exemplars')
  @RateLimit('heavy')
  @ApiRoute({
    summary:
      "Exemplars (value, trace and span id) of a metric's series: at most `limit` (100), sampled evenly over the whole range, newest first",
    query: ExemplarParamsSchema,
    tags: ['metrics'],
  })
  async exemplars(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<ExemplarDto[]>> {
    return { data: await this.discovery.exemplars(tenant, q) };
  }
}
