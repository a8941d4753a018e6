import { Controller, Get, Inject, Put } from '@nestjs/common';
import {
  RetentionUpdateSchema,
  type ApiSuccess,
  type RetentionDto,
  type RetentionUpdate,
} from '@telemetryflow/contract';
import { ApiRoute, Requires, TenantId, ValidBody } from '@telemetryflow/http-kit';
import { RetentionService } from './retention.service.js';

@Controller('api/v1/retention')
@Requires('admin')
export class RetentionController {
  constructor(@Inject(RetentionService) private readonly retention: RetentionService) {}

  @Get()
  @ApiRoute({ summary: 'Days each signal is kept raw, hourly and daily', tags: ['retention'] })
  async get(@TenantId() tenant: string): Promise<ApiSuccess<RetentionDto>> {
    return { data: await this.retention.get(tenant) };
  }

  @Put()
  @ApiRoute({
    summary: 'Change retention: any subset of signals and fields; hourly ≥ raw and daily ≥ hourly',
    body: RetentionUpdateSchema,
    status: 200,
    tags: ['retention'],
  })
  async put(@TenantId() tenant: string, @ValidBody() body: RetentionUpdate): Promise<ApiSuccess<RetentionDto>> {
    return { data: await this.retention.put(tenant, body) };
  }
}
