import { Controller, Delete, Get, HttpCode, Inject, Put, Req } from '@nestjs/common';
import {
  SsoSettingsRequestSchema,
  SsoSettingsSchema,
  type ApiSuccess,
  type SsoSettingsDto,
} from '@telemetryflow/contract';
import { ApiRoute, CurrentCaller, Requires, ValidBody, type Caller } from '@telemetryflow/http-kit';
import type { z } from 'zod';
import { requestOrigin, type OriginRequest } from './request-origin.js';
import { SsoService } from './sso.service.js';

/** The caller's tenant's OIDC single sign-on settings (tenant admins and owners). */
@Controller('api/v1/sso')
export class SsoSettingsController {
  constructor(@Inject(SsoService) private readonly sso: SsoService) {}

  @Get()
  @Requires('admin')
  @ApiRoute({
    summary:
      "The tenant's OIDC single sign-on settings (the client secret is never answered: clientSecretSet) and the redirect URI to register at the provider",
    response: SsoSettingsSchema,
    tags: ['sso'],
  })
  async get(@CurrentCaller() caller: Caller, @Req() req: OriginRequest): Promise<ApiSuccess<SsoSettingsDto>> {
    return { data: await this.sso.get(caller, requestOrigin(req)) };
  }

  @Put()
  @Requires('admin')
  @ApiRoute({
    summary:
      "Set up or change the tenant's OIDC single sign-on; the issuer's discovery document is fetched and checked first (400 sso_discovery_failed). The client secret is sealed (AES-256-GCM) and may be left out to keep the stored one",
    body: SsoSettingsRequestSchema,
    response: SsoSettingsSchema,
    tags: ['sso'],
  })
  async put(
    @CurrentCaller() caller: Caller,
    @ValidBody() body: z.output<typeof SsoSettingsRequestSchema>,
    @Req() req: OriginRequest,
  ): Promise<ApiSuccess<SsoSettingsDto>> {
    return { data: await this.sso.put(caller, body, requestOrigin(req)) };
  }

  @Delete()
  @Requires('admin')
  @HttpCode(204)
  @ApiRoute({
    summary: "Turn the tenant's single sign-on off (passwords work again for every member)",
    status: 204,
    tags: ['sso'],
  })
  async remove(@CurrentCaller() caller: Caller): Promise<void> {
    await this.sso.remove(caller);
  }
}
