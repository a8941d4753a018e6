import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import type { ApiSuccess, TraceDto, TraceSummaryDto } from '@telemetryflow/schemas';
import { Requires, TenantId } from '../http/access.js';
import { CacheResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { TracesService } from './traces.service.js';

@Controller('api/v1')
@Requires('read')
@CacheResult()
export class TracesController {
  constructor(@Inject(TracesService) private readonly traces: TracesService) {}

  @Get('traces')
  async search(@TenantId() tenant: string, @Query() q: RawParams): Promise<ApiSuccess<TraceSummaryDto[]>> {
    return { data: await this.traces.searchTraces(tenant, q) };
  }

  @Get('traces/:traceId')
  async get(@TenantId() tenant: string, @Param('traceId') traceId: string): Promise<ApiSuccess<TraceDto>> {
    return { data: await this.traces.getTrace(tenant, traceId) };
  }
}
