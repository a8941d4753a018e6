import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { ApiSuccess, LogDto, LogVolumePointDto } from '@telemetryflow/schemas';
import { Requires, TenantId } from '../http/access.js';
import { CacheResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { LogsService } from './logs.service.js';

@Controller('api/v1/logs')
@Requires('read')
@CacheResult()
export class LogsController {
  constructor(@Inject(LogsService) private readonly logs: LogsService) {}

  @Get()
  async search(@TenantId() tenant: string, @Query() q: RawParams): Promise<ApiSuccess<LogDto[]>> {
    return { data: await this.logs.search(tenant, q) };
  }

  @Get('volume')
  volume(@TenantId() tenant: string, @Query() q: RawParams): Promise<ApiSuccess<LogVolumePointDto[]>> {
    return this.logs.volume(tenant, q);
  }
}
