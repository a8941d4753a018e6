import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  SavedSearchBodySchema,
  SavedSearchListQuerySchema,
  type ApiSuccess,
  type SavedSearchBody,
  type SavedSearchDto,
} from '@telemetryflow/contract';
import type { z } from 'zod';
import {
  ApiError,
  ApiRoute,
  CurrentCaller,
  notFound,
  Requires,
  TenantId,
  ValidBody,
  ValidQuery,
  type Caller,
} from '@telemetryflow/http-kit';
import { savedBy } from '../dashboards/dashboards.service.js';
import { MAX_SAVED_SEARCHES, SavedSearchesRepository, toSavedSearchDto } from './saved-searches.repository.js';

const TAGS = ['saved searches'];

/** Saved searches: everyone in the tenant who may read applies them; editors save and delete them. */
@Controller('api/v1/saved-searches')
@Requires('read')
export class SavedSearchesController {
  constructor(@Inject(SavedSearchesRepository) private readonly repo: SavedSearchesRepository) {}

  @Get()
  @ApiRoute({
    summary: "The tenant's saved searches (of one signal with signal=), by name",
    query: SavedSearchListQuerySchema,
    tags: TAGS,
  })
  async list(
    @TenantId() tenant: string,
    @ValidQuery() q: z.infer<typeof SavedSearchListQuerySchema>,
  ): Promise<ApiSuccess<SavedSearchDto[]>> {
    return { data: (await this.repo.list(tenant, q.signal)).map(toSavedSearchDto) };
  }

  @Post()
  @Requires('write')
  @ApiRoute({
    summary: 'Save a search: its name, filters and relative range (409 when the name is taken for the signal)',
    body: SavedSearchBodySchema,
    status: 201,
    tags: TAGS,
  })
  async create(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: SavedSearchBody,
  ): Promise<ApiSuccess<SavedSearchDto>> {
    if ((await this.repo.count(caller.tenantId, body.signal)) >= MAX_SAVED_SEARCHES)
      throw new ApiError(409, 'limit_reached', `at most ${MAX_SAVED_SEARCHES} saved searches per signal`);
    const saved = await this.repo.insert(caller.tenantId, body, savedBy(caller));
    if (!saved)
      throw new ApiError(409, 'conflict', `a saved search named "${body.name}" already exists`, { field: 'name' });
    return { data: toSavedSearchDto(saved) };
  }

  @Delete(':id')
  @Requires('write')
  @HttpCode(204)
  @ApiRoute({ summary: 'Delete a saved search', params: { id: 'saved search id (UUID)' }, status: 204, tags: TAGS })
  async delete(@TenantId() tenant: string, @Param('id') id: string): Promise<void> {
    if (!(await this.repo.delete(tenant, id))) throw notFound(`no saved search ${id}`);
  }
}
