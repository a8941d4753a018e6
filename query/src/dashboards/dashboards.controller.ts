import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import {
  DashboardDefinitionSchema,
  DashboardUpdateQuerySchema,
  RenderBodySchema,
  RenderQuerySchema,
  VariableValuesQuerySchema,
  type ApiSuccess,
  type DashboardDefinition,
  type DashboardDto,
  type DashboardRenderDto,
  type DashboardSummaryDto,
  type DashboardVersionDto,
  type RenderBody,
} from '@telemetryflow/contract';
import type { z } from 'zod';
import {
  ApiRoute,
  CurrentCaller,
  notFound,
  RateLimit,
  Requires,
  TenantId,
  ValidBody,
  ValidQuery,
  type Caller,
  NotAudited,
} from '@telemetryflow/http-kit';
import { DashboardRenderer } from './dashboard-renderer.js';
import { DashboardsService } from './dashboards.service.js';

const ID = { id: 'dashboard id (UUID)' };
const VERSION = { ...ID, version: 'version number (1, 2, …)' };
const TAGS = ['dashboards'];

/** A version number in the path; anything else names no version (404). */
function versionNumber(raw: string): number {
  if (!/^[1-9]\d{0,8}$/.test(raw)) throw notFound(`no version ${raw}`);
  return Number(raw);
}

@Controller('api/v1/dashboards')
@Requires('read')
export class DashboardsController {
  constructor(
    @Inject(DashboardsService) private readonly dashboards: DashboardsService,
    @Inject(DashboardRenderer) private readonly renderer: DashboardRenderer,
  ) {}

  @Get()
  @ApiRoute({ summary: "List the tenant's dashboards", tags: TAGS })
  async list(@TenantId() tenant: string): Promise<ApiSuccess<DashboardSummaryDto[]>> {
    return { data: await this.dashboards.list(tenant) };
  }

  @Post()
  @Requires('write')
  @ApiRoute({ summary: 'Create a dashboard (version 1)', body: DashboardDefinitionSchema, status: 201, tags: TAGS })
  async create(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: DashboardDefinition,
  ): Promise<ApiSuccess<DashboardDto>> {
    return { data: await this.dashboards.create(caller, body) };
  }

  @Post('import')
  @Requires('write')
  @ApiRoute({
    summary: 'Import a dashboard from the JSON that export returns',
    body: DashboardDefinitionSchema,
    status: 201,
    tags: TAGS,
  })
  async import(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: DashboardDefinition,
  ): Promise<ApiSuccess<DashboardDto>> {
    return { data: await this.dashboards.create(caller, body) };
  }

  @Get(':id')
  @ApiRoute({ summary: 'One dashboard with its current definition', params: ID, tags: TAGS })
  async get(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<DashboardDto>> {
    return { data: await this.dashboards.get(tenant, id) };
  }

  @Put(':id')
  @Requires('write')
  @ApiRoute({
    summary:
      'Replace the definition; the previous one stays as a version. With ?version=n, only if n is still the current version (else 409)',
    body: DashboardDefinitionSchema,
    query: DashboardUpdateQuerySchema,
    params: ID,
    tags: TAGS,
  })
  async update(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @ValidQuery() q: z.infer<typeof DashboardUpdateQuerySchema>,
    @ValidBody() body: DashboardDefinition,
  ): Promise<ApiSuccess<DashboardDto>> {
    return { data: await this.dashboards.update(caller, id, body, q.version) };
  }

  @Delete(':id')
  @Requires('write')
  @HttpCode(204)
  @ApiRoute({ summary: 'Delete a dashboard and its versions', params: ID, status: 204, tags: TAGS })
  async delete(@TenantId() tenant: string, @Param('id') id: string): Promise<void> {
    await this.dashboards.delete(tenant, id);
  }

  @Get(':id/export')
  @ApiRoute({ summary: 'The definition as JSON, for import', params: ID, tags: TAGS })
  async export(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<DashboardDefinition>> {
    return { data: await this.dashboards.export(tenant, id) };
  }

  @Get(':id/versions')
  @ApiRoute({ summary: 'Saved versions, newest first', params: ID, tags: TAGS })
  async versions(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<DashboardVersionDto[]>> {
    return { data: await this.dashboards.versions(tenant, id) };
  }

  @Get(':id/versions/:version')
  @ApiRoute({ summary: 'The definition saved as one version', params: VERSION, tags: TAGS })
  async version(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @Param('version') version: string,
  ): Promise<ApiSuccess<DashboardDefinition>> {
    return { data: await this.dashboards.version(tenant, id, versionNumber(version)) };
  }

  @Post(':id/versions/:version/restore')
  @Requires('write')
  @HttpCode(200)
  @ApiRoute({
    summary: "Save an earlier version's definition as the newest version",
    params: VERSION,
    status: 200,
    tags: TAGS,
  })
  async restore(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('version') version: string,
  ): Promise<ApiSuccess<DashboardDto>> {
    return { data: await this.dashboards.restore(caller, id, versionNumber(version)) };
  }

  @Get(':id/variables/:name/values')
  @RateLimit('heavy')
  @ApiRoute({
    summary: "A variable's choices: the values of its label over the range",
    query: VariableValuesQuerySchema,
    params: { ...ID, name: 'variable name' },
    tags: TAGS,
  })
  async variableValues(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @Param('name') name: string,
    @ValidQuery() q: z.infer<typeof VariableValuesQuerySchema>,
  ): Promise<ApiSuccess<string[]>> {
    return { data: await this.dashboards.variableOptions(tenant, id, name, q) };
  }

  @Post(':id/render')
  @NotAudited()
  @RateLimit('heavy')
  @HttpCode(200)
  @ApiRoute({
    summary:
      "Run every panel's query, or those of the panels asked for (a few at a time); a failing panel carries its error in place",
    query: RenderQuerySchema,
    body: RenderBodySchema,
    params: ID,
    status: 200,
    tags: TAGS,
  })
  async render(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidQuery() q: z.infer<typeof RenderQuerySchema>,
    @ValidBody() body: RenderBody,
  ): Promise<ApiSuccess<DashboardRenderDto>> {
    return { data: await this.renderer.render(tenant, id, { ...q, ...body }) };
  }
}
