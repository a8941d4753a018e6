import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import type { ApiSuccess } from '@telemetryflow/contract';
import { ApiRoute, Audit, CurrentCaller, Requires, ValidBody, ValidQuery, type Caller } from '@telemetryflow/http-kit';
import { z } from 'zod';
import { TenantConfigDocumentSchema, type TenantConfigDocument } from './config-document.js';
import { IMPORT_MODES } from './import-plan.js';
import { TenantConfigService, type ImportReport } from './tenant-config.service.js';

const TAGS = ['tenant-config'];

const ImportQuery = z
  .object({
    dryRun: z.enum(['true', 'false']).default('false').describe('true: only report what the import would do'),
    mode: z
      .enum(IMPORT_MODES)
      .default('skip')
      .describe(
        'an object the tenant already has (same name, slug or built-in template): skip keeps it, overwrite replaces it',
      ),
  })
  .strict();

/** The tenant's configuration as one JSON document, and its import into a tenant (admins). */
@Controller('api/v1/tenant-config')
@Requires('admin')
export class TenantConfigController {
  constructor(@Inject(TenantConfigService) private readonly config: TenantConfigService) {}

  @Get('export')
  @Audit('tenantConfig.export', { answer: false })
  @ApiRoute({
    summary:
      "The tenant's notification channels (secrets left out, listed in secretFields), monitors (no heartbeat tokens, no authenticating headers), alert rules, notification policy, silences that have not ended, status pages with components, and dashboards, as one document; references inside it are the objects' ids (ref)",
    tags: TAGS,
  })
  async export(@CurrentCaller() caller: Caller): Promise<ApiSuccess<TenantConfigDocument>> {
    return { data: await this.config.export(caller.tenantId) };
  }

  @Post('import')
  @HttpCode(200)
  @Audit('tenantConfig.import')
  @ApiRoute({
    summary:
      'Import a document of GET /api/v1/tenant-config/export: objects matched by name (status pages by slug, built-in dashboards by template), created or (mode=overwrite) replaced; references re-mapped to the objects of this tenant; secrets must be filled in first (400 naming each field); 409 with the conflicts and nothing written when an object cannot be matched unambiguously; dryRun=true reports what would happen',
    query: ImportQuery,
    body: TenantConfigDocumentSchema,
    tags: TAGS,
  })
  async import(
    @CurrentCaller() caller: Caller,
    @ValidQuery() q: z.output<typeof ImportQuery>,
    @ValidBody() doc: TenantConfigDocument,
  ): Promise<ApiSuccess<ImportReport>> {
    const author = caller.userId !== undefined ? `user:${caller.userId}` : `key:${caller.keyId ?? 'unknown'}`;
    return {
      data: await this.config.import(caller.tenantId, author, doc, { mode: q.mode, dryRun: q.dryRun === 'true' }),
    };
  }
}
