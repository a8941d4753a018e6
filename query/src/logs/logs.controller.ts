import { Controller, Get, Inject } from '@nestjs/common';
import {
  LogSearchParamsSchema,
  LogVolumeParamsSchema,
  type ApiSuccess,
  type LogDto,
  type LogVolumePointDto,
} from '@telemetryflow/contract';
import { ApiRoute, RateLimit, Requires, TenantId, ValidQuery } from '@telemetryflow/http-kit';
import { CacheResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { LogsService } from './logs.service.js';

@Controller('api/v1/logs')
@Requires('read')
@CacheResult()
export class LogsController {
  constructor(@Inject(LogsService) private readonly logs: LogsService) {}

  @Get()
  @RateLimit('heavy')
  @ApiRoute({
    summary:
      'Search logs newest first: q (words, "phrases", prefix*), service, severity, minSeverity, traceId, attr.<key>, resource.<key>; cursor pages',
    query: LogSearchParamsSchema,
    tags: ['logs'],
  })
  search(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<LogDto[]>> {
    return this.logs.search(tenant, q);
  }

  @Get('histogram')
  @RateLimit('heavy')
  @ApiRoute({
    summary: 'Log record counts per step ([epoch ms, count]) over the same filter as the search',
    query: LogSearchParamsSchema,
    tags: ['logs'],
  })
  histogram(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<[number, number][]>> {
    return this.logs.histogram(tenant, q);
  }

  @Get('volume')
  // With the search's filters it reads raw logs.
  @RateLimit('heavy')
  @ApiRoute({
    summary: 'Log record counts per step by severity (rollups where possible)',
    query: LogVolumeParamsSchema,
    tags: ['logs'],
  })
  volume(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<LogVolumePointDto[]>> {
    return this.logs.volume(tenant, q);
  }
}
