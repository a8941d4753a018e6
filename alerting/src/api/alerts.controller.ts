import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiError,
  ApiRoute,
  assertRangeWithin,
  CurrentCaller,
  Requires,
  TenantId,
  ValidBody,
  ValidQuery,
  type Caller,
} from '@telemetryflow/http-kit';
import {
  AlertHistoryQuerySchema,
  AlertListQuerySchema,
  SilenceInputSchema,
  type AlertDto,
  type AlertHistoryEntryDto,
  type ApiSuccess,
  type SilenceDto,
  type SilenceInput,
} from '@telemetryflow/contract';
import { z } from 'zod';
import { AlertsService } from '../alerts/alerts.service.js';
import { AlertHistory } from '../history/alert-history.js';
import { pathId, timeMs } from './route-params.js';
import { LabelMatcherSchema } from '../routing/label-matchers.js';

const TAGS = ['alerting'];
const DAY_MS = 86_400_000;

@Controller('api/v1/alerts')
export class AlertsController {
  constructor(
    @Inject(AlertsService) private readonly alerts: AlertsService,
    @Inject(AlertHistory) private readonly history: AlertHistory,
  ) {}

  @Get()
  @Requires('read')
  @ApiRoute({
    summary: 'Current alerts (pending, firing, resolved), one per rule and group',
    query: AlertListQuerySchema,
    tags: TAGS,
  })
  async list(
    @TenantId() tenant: string,
    @ValidQuery() q: z.infer<typeof AlertListQuerySchema>,
  ): Promise<ApiSuccess<AlertDto[]>> {
    return { data: await this.alerts.alerts(tenant, q) };
  }

  @Get('history')
  @Requires('read')
  @ApiRoute({
    summary:
      'Evaluations, transitions and notifications, newest first (default: the last 24 hours; at most maxSearchRangeDays)',
    query: AlertHistoryQuerySchema,
    tags: TAGS,
  })
  async history_(
    @TenantId() tenant: string,
    @ValidQuery() q: z.infer<typeof AlertHistoryQuerySchema>,
  ): Promise<ApiSuccess<AlertHistoryEntryDto[]>> {
    const toMs = timeMs(q.to, 'to', Date.now());
    const fromMs = timeMs(q.from, 'from', toMs - DAY_MS);
    assertRangeWithin(
      { fromNs: BigInt(fromMs) * 1_000_000n, toNs: BigInt(toMs) * 1_000_000n },
      this.history.limits.maxSearchRangeDays,
      'maxSearchRangeDays',
    );
    return {
      data: await this.history.list(tenant, {
        fromMs,
        toMs,
        limit: q.limit,
        ...(q.ruleId ? { ruleId: q.ruleId } : {}),
        ...(q.event ? { event: q.event } : {}),
      }),
    };
  }
}

const SilenceListQuerySchema = z.object({
  kind: z.enum(['silence', 'maintenance']).optional(),
  expired: z.enum(['true', 'false']).default('false'),
});

@Controller('api/v1/silences')
export class SilencesController {
  constructor(@Inject(AlertsService) private readonly alerts: AlertsService) {}

  @Get()
  @Requires('read')
  @ApiRoute({
    summary: 'Silences and maintenance windows (active and future; expired=true for all)',
    query: SilenceListQuerySchema,
    tags: TAGS,
  })
  async list(
    @TenantId() tenant: string,
    @ValidQuery() q: z.infer<typeof SilenceListQuerySchema>,
  ): Promise<ApiSuccess<SilenceDto[]>> {
    return { data: await this.alerts.silences(tenant, q.kind, q.expired === 'true') };
  }

  @Post()
  @Requires('write')
  @ApiRoute({
    summary: 'Mute notifications of matching alerts for a time window (state and history are kept)',
    body: SilenceInputSchema,
    status: 201,
    tags: TAGS,
  })
  async create(@CurrentCaller() caller: Caller, @ValidBody() body: SilenceInput): Promise<ApiSuccess<SilenceDto>> {
    body.matchers.forEach((m, i) => {
      const issue = LabelMatcherSchema.safeParse(m).error?.issues[0];
      if (issue)
        throw new ApiError(400, 'invalid_parameter', `matchers.${i}.value: ${issue.message}`, {
          parameter: `matchers.${i}.value`,
        });
    });
    const startsAtMs = timeMs(body.startsAt, 'startsAt', 0);
    const endsAtMs = timeMs(body.endsAt, 'endsAt', 0);
    if (endsAtMs <= startsAtMs)
      throw new ApiError(400, 'invalid_parameter', 'endsAt: must be after startsAt', { parameter: 'endsAt' });
    const author = caller.userId !== undefined ? `user:${caller.userId}` : `key:${caller.keyId ?? 'unknown'}`;
    return { data: await this.alerts.createSilence(caller.tenantId, author, { ...body, startsAtMs, endsAtMs }) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('write')
  @ApiRoute({ summary: 'End a silence now', params: { id: 'silence id' }, status: 204, tags: TAGS })
  async expire(@TenantId() tenant: string, @Param('id') id: string): Promise<void> {
    await this.alerts.expireSilence(tenant, pathId(id, 'silence'));
  }
}
