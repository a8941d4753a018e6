import { Controller, Get, Inject, Query, UseGuards } from '@nestjs/common';
import type { ApiSuccess, LogDto, LogVolumePointDto } from '@telemetryflow/schemas';
import { ApiKeyGuard, RequireScope, TenantId } from '../http/auth.guard.js';
import type { RawParams } from '../request-params.js';
import { LogsService } from './logs.service.js';

@Controller('api/v1/logs')
@UseGuards(ApiKeyGuard)
@RequireScope('read')
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
