import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiRoute, Requires, TenantId, ValidBody } from '@telemetryflow/http-kit';
import {
  IncidentInputSchema,
  IncidentUpdateInputSchema,
  StatusComponentInputSchema,
  StatusPageInputSchema,
  type ApiSuccess,
  type IncidentDto,
  type IncidentInput,
  type IncidentUpdateInput,
  type StatusComponentDto,
  type StatusComponentInput,
  type StatusPageDto,
  type StatusPageInput,
} from '@telemetryflow/contract';
import { StatusPagesService } from '../status/status-pages.service.js';
import { pathId, timeMs } from './route-params.js';

const TAGS = ['status pages'];
const PAGE = 'status page';

@Controller('api/v1/status-pages')
@Requires('admin')
export class StatusPagesController {
  constructor(@Inject(StatusPagesService) private readonly pages: StatusPagesService) {}

  @Get()
  @ApiRoute({ summary: 'List status pages', tags: TAGS })
  async list(@TenantId() tenant: string): Promise<ApiSuccess<StatusPageDto[]>> {
    return { data: await this.pages.list(tenant) };
  }

  @Post()
  @ApiRoute({
    summary: 'Create a status page (public at /status/{slug})',
    body: StatusPageInputSchema,
    status: 201,
    tags: TAGS,
  })
  async create(@TenantId() tenant: string, @ValidBody() body: StatusPageInput): Promise<ApiSuccess<StatusPageDto>> {
    return { data: await this.pages.create(tenant, body) };
  }

  @Get(':id')
  @ApiRoute({ summary: 'One status page with its components', params: { id: 'page id' }, tags: TAGS })
  async get(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<StatusPageDto>> {
    return { data: await this.pages.get(tenant, pathId(id, PAGE)) };
  }

  @Put(':id')
  @ApiRoute({ summary: 'Change a status page', body: StatusPageInputSchema, params: { id: 'page id' }, tags: TAGS })
  async update(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidBody() body: StatusPageInput,
  ): Promise<ApiSuccess<StatusPageDto>> {
    return { data: await this.pages.update(tenant, pathId(id, PAGE), body) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiRoute({ summary: 'Delete a status page', params: { id: 'page id' }, status: 204, tags: TAGS })
  async remove(@TenantId() tenant: string, @Param('id') id: string): Promise<void> {
    await this.pages.remove(tenant, pathId(id, PAGE));
  }

  @Post(':id/components')
  @ApiRoute({
    summary: 'Add a component, bound to alert rules or set by hand',
    body: StatusComponentInputSchema,
    params: { id: 'page id' },
    status: 201,
    tags: TAGS,
  })
  async addComponent(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidBody() body: StatusComponentInput,
  ): Promise<ApiSuccess<StatusComponentDto>> {
    return { data: await this.pages.addComponent(tenant, pathId(id, PAGE), body) };
  }

  @Put(':id/components/:componentId')
  @ApiRoute({
    summary: 'Change a component',
    body: StatusComponentInputSchema,
    params: { id: 'page id', componentId: 'component id' },
    tags: TAGS,
  })
  async updateComponent(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @Param('componentId') componentId: string,
    @ValidBody() body: StatusComponentInput,
  ): Promise<ApiSuccess<StatusComponentDto>> {
    return { data: await this.pages.updateComponent(tenant, pathId(id, PAGE), pathId(componentId, 'component'), body) };
  }

  @Delete(':id/components/:componentId')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Remove a component',
    params: { id: 'page id', componentId: 'component id' },
    status: 204,
    tags: TAGS,
  })
  async removeComponent(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @Param('componentId') componentId: string,
  ): Promise<void> {
    await this.pages.removeComponent(tenant, pathId(id, PAGE), pathId(componentId, 'component'));
  }

  @Get(':id/incidents')
  @ApiRoute({ summary: 'Incidents and maintenance of a page, newest first', params: { id: 'page id' }, tags: TAGS })
  async incidents(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<IncidentDto[]>> {
    return { data: await this.pages.incidents(tenant, pathId(id, PAGE)) };
  }

  @Post(':id/incidents')
  @ApiRoute({
    summary: 'Open an incident or schedule maintenance',
    body: IncidentInputSchema,
    params: { id: 'page id' },
    status: 201,
    tags: TAGS,
  })
  async createIncident(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidBody() body: IncidentInput,
  ): Promise<ApiSuccess<IncidentDto>> {
    const times = {
      ...(body.startsAt !== undefined ? { startsAtMs: timeMs(body.startsAt, 'startsAt', 0) } : {}),
      ...(body.endsAt !== undefined ? { endsAtMs: timeMs(body.endsAt, 'endsAt', 0) } : {}),
    };
    return { data: await this.pages.createIncident(tenant, pathId(id, PAGE), { ...body, ...times }) };
  }

  @Post(':id/incidents/:incidentId/updates')
  @ApiRoute({
    summary: 'Post an update (investigating / identified / monitoring / resolved)',
    body: IncidentUpdateInputSchema,
    params: { id: 'page id', incidentId: 'incident id' },
    status: 201,
    tags: TAGS,
  })
  async addUpdate(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @Param('incidentId') incidentId: string,
    @ValidBody() body: IncidentUpdateInput,
  ): Promise<ApiSuccess<IncidentDto>> {
    return { data: await this.pages.addUpdate(tenant, pathId(id, PAGE), pathId(incidentId, 'incident'), body) };
  }
}
