import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import type { ApiSuccess, RetentionDto } from '@telemetryflow/schemas';
import { Requires, TenantId } from '../http/access.js';
import { RetentionService } from './retention.service.js';

@Controller('api/v1/retention')
@Requires('admin')
export class RetentionController {
  constructor(@Inject(RetentionService) private readonly retention: RetentionService) {}

  @Get()
  async get(@TenantId() tenant: string): Promise<ApiSuccess<RetentionDto>> {
    return { data: await this.retention.get(tenant) };
  }

  @Put()
  async put(@TenantId() tenant: string, @Body() body: unknown): Promise<ApiSuccess<RetentionDto>> {
    return { data: await this.retention.put(tenant, body) };
  }
}
