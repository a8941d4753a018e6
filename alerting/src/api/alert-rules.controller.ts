import { Controller, Delete, Get, Header, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiError, ApiRoute, RateLimit, Requires, TenantId, ValidBody, NotAudited } from '@telemetryflow/http-kit';
import {
  AlertRuleInputSchema,
  PreviewRequestSchema,
  type AlertRuleDto,
  type AlertRuleInput,
  type ApiSuccess,
  type PreviewDto,
} from '@telemetryflow/contract';
import { QueryError } from '@telemetryflow/promql';
import { z } from 'zod';
import { AlertRulesService } from '../rules/alert-rules.service.js';
import { previewRule, PreviewTooLargeError } from '../rules/rule-preview.js';
import { assertRuleWithinLimits } from '../rules/rule-limits.js';
import { UnknownGroupLabelError } from '../sources/group-columns.js';
import { CONDITION_READER, type ConditionReader } from '../sources/condition-reader.js';
import { promqlApiError } from './promql-api-error.js';
import { pathId, timeMs } from './route-params.js';

const ImportSchema = z.object({
  yaml: z
    .string()
    .min(1)
    .max(1024 * 1024),
});
const TAGS = ['alerting'];

@Controller('api/v1/alert-rules')
export class AlertRulesController {
  constructor(
    @Inject(AlertRulesService) private readonly rules: AlertRulesService,
    @Inject(CONDITION_READER) private readonly reader: ConditionReader,
  ) {}

  @Get()
  @Requires('read')
  @ApiRoute({ summary: 'List alert rules', tags: TAGS })
  async list(@TenantId() tenant: string): Promise<ApiSuccess<AlertRuleDto[]>> {
    return { data: await this.rules.list(tenant) };
  }

  @Post()
  @Requires('write')
  @ApiRoute({ summary: 'Create an alert rule', body: AlertRuleInputSchema, status: 201, tags: TAGS })
  async create(@TenantId() tenant: string, @ValidBody() body: AlertRuleInput): Promise<ApiSuccess<AlertRuleDto>> {
    return { data: await this.rules.create(tenant, body) };
  }

  @Get('export')
  @Requires('read')
  @Header('content-type', 'application/yaml; charset=utf-8')
  @ApiRoute({ summary: 'Every alert rule of the tenant as YAML (rules as code)', tags: TAGS })
  exportYaml(@TenantId() tenant: string): Promise<string> {
    return this.rules.exportYaml(tenant);
  }

  @Post('import')
  @HttpCode(200)
  @Requires('write')
  @ApiRoute({ summary: 'Create or replace alert rules by name from a YAML document', body: ImportSchema, tags: TAGS })
  async importYaml(
    @TenantId() tenant: string,
    @ValidBody() body: z.infer<typeof ImportSchema>,
  ): Promise<ApiSuccess<{ created: number; updated: number }>> {
    return { data: await this.rules.importYaml(tenant, body.yaml) };
  }

  @Post('preview')
  @NotAudited()
  @HttpCode(200)
  @Requires('read')
  @RateLimit('heavy')
  @ApiRoute({
    summary: 'Replay a rule over a past range: when it would have fired, without notifying',
    body: PreviewRequestSchema,
    tags: TAGS,
  })
  async preview(
    @TenantId() tenant: string,
    @ValidBody() body: z.infer<typeof PreviewRequestSchema>,
  ): Promise<ApiSuccess<PreviewDto>> {
    const fromMs = timeMs(body.from, 'from', 0);
    const toMs = timeMs(body.to, 'to', 0);
    if (toMs <= fromMs) throw new ApiError(400, 'invalid_parameter', 'to: must be after from', { parameter: 'to' });
    assertRuleWithinLimits(body.rule, this.reader.limits, 'rule.');
    try {
      return {
        data: await previewRule(this.reader, tenant, body.rule, fromMs, toMs, {
          budgetMs: this.reader.limits.maxExecutionSeconds * 1000,
        }),
      };
    } catch (err) {
      if (err instanceof PreviewTooLargeError)
        throw new ApiError(422, 'result_too_large', err.message, { narrow: ['from', 'to', 'rule.interval'] });
      if (err instanceof UnknownGroupLabelError)
        throw new ApiError(400, 'invalid_parameter', `rule.groupBy: ${err.message}`, { parameter: 'rule.groupBy' });
      if (err instanceof QueryError) throw promqlApiError(err, 'rule.condition.query');
      throw err;
    }
  }

  @Get(':id')
  @Requires('read')
  @ApiRoute({ summary: 'One alert rule', params: { id: 'rule id' }, tags: TAGS })
  async get(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<AlertRuleDto>> {
    return { data: await this.rules.get(tenant, pathId(id, 'alert rule')) };
  }

  @Put(':id')
  @Requires('write')
  @ApiRoute({ summary: 'Replace an alert rule', body: AlertRuleInputSchema, params: { id: 'rule id' }, tags: TAGS })
  async update(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidBody() body: AlertRuleInput,
  ): Promise<ApiSuccess<AlertRuleDto>> {
    return { data: await this.rules.update(tenant, pathId(id, 'alert rule'), body) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('write')
  @ApiRoute({ summary: 'Delete an alert rule with its alerts', params: { id: 'rule id' }, status: 204, tags: TAGS })
  async remove(@TenantId() tenant: string, @Param('id') id: string): Promise<void> {
    await this.rules.remove(tenant, pathId(id, 'alert rule'));
  }
}
