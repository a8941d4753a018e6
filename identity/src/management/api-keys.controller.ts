import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  CreateApiKeyRequestSchema,
  type ApiKeyDto,
  type ApiSuccess,
  type CreateApiKeyRequest,
  type CreatedApiKeyDto,
} from '@telemetryflow/contract';
import { ApiRoute, CurrentCaller, Requires, TenantId, ValidBody, type Caller } from '@telemetryflow/http-kit';
import { ApiKeysService } from './api-keys.service.js';
import { objectId } from './object-id.js';

/**
 * API keys of the caller's tenant. Creating and revoking need write (editor and up, or an
 * `admin` key) and stay within the caller's own scopes (see `grantableScopes`).
 */
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(@Inject(ApiKeysService) private readonly keys: ApiKeysService) {}

  @Post()
  @Requires('write')
  @ApiRoute({
    summary: 'Create an API key; the secret `key` is in this answer only',
    body: CreateApiKeyRequestSchema,
    status: 201,
    tags: ['api-keys'],
  })
  async create(
    @CurrentCaller() caller: Caller,
    @TenantId() tenantId: string,
    @ValidBody() body: CreateApiKeyRequest,
  ): Promise<ApiSuccess<CreatedApiKeyDto>> {
    return { data: await this.keys.create(caller, tenantId, body) };
  }

  @Get()
  @Requires('read')
  @ApiRoute({
    summary: 'Active API keys (prefix, scopes, created, last used, creator), never their secret',
    tags: ['api-keys'],
  })
  async list(@TenantId() tenantId: string): Promise<ApiSuccess<ApiKeyDto[]>> {
    return { data: await this.keys.list(tenantId) };
  }

  @Delete(':id')
  @Requires('write')
  @HttpCode(204)
  @ApiRoute({
    summary: 'Revoke an API key (at once on this replica, within 5 s on every other)',
    params: { id: 'API key id' },
    status: 204,
    tags: ['api-keys'],
  })
  async revoke(@CurrentCaller() caller: Caller, @TenantId() tenantId: string, @Param('id') id: string): Promise<void> {
    await this.keys.revoke(caller, tenantId, objectId(id, 'API key'));
  }
}
