import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Res } from '@nestjs/common';
import {
  ApiError,
  ApiRoute,
  notFound,
  Public,
  RateLimiter,
  rateLimited,
  RateLimit,
  Requires,
  TenantId,
  ValidBody,
  ValidQuery,
  NotAudited,
} from '@telemetryflow/http-kit';
import { durationMs, type ApiSuccess } from '@telemetryflow/contract';
import {
  HeartbeatQuerySchema,
  MonitorInputSchema,
  ResultsQuerySchema,
  UptimeQuerySchema,
  type CheckResultsPage,
  type MonitorDto,
  type MonitorInput,
  type UptimeDto,
} from '@telemetryflow/contract/monitors';
import type { z } from 'zod';
import { MonitorResultsReader, UptimeRangeError } from '../monitors/monitor-results-reader.js';
import { MonitorsService } from '../monitors/monitors.service.js';
import { pathId, timeMs } from './route-params.js';

const TAGS = ['monitors'];
const DAY_MS = 86_400_000;

/** The step of an uptime series when none is asked for: about 90 buckets of whole hours or days. */
export function defaultStepSeconds(rangeMs: number): number {
  const step = Math.max(3600, Math.ceil(rangeMs / 90 / 1000));
  return step >= 86_400 ? Math.ceil(step / 86_400) * 86_400 : Math.ceil(step / 3600) * 3600;
}

function rangeError(err: unknown): never {
  if (err instanceof UptimeRangeError) {
    const parameter = err.message.split(':')[0]!;
    throw new ApiError(400, 'invalid_parameter', err.message, { parameter });
  }
  throw err;
}

@Controller('api/v1/monitors')
export class MonitorsController {
  constructor(
    @Inject(MonitorsService) private readonly monitors: MonitorsService,
    @Inject(MonitorResultsReader) private readonly results: MonitorResultsReader,
  ) {}

  @Get()
  @Requires('read')
  @ApiRoute({ summary: 'List uptime monitors with their state, last check and last 24 hours', tags: TAGS })
  async list(@TenantId() tenant: string): Promise<ApiSuccess<MonitorDto[]>> {
    return { data: await this.monitors.list(tenant) };
  }

  @Post()
  @Requires('write')
  @ApiRoute({
    summary: 'Create an uptime monitor (a target written as a refused address is a 400)',
    body: MonitorInputSchema,
    status: 201,
    tags: TAGS,
  })
  async create(@TenantId() tenant: string, @ValidBody() body: MonitorInput): Promise<ApiSuccess<MonitorDto>> {
    return { data: await this.monitors.create(tenant, body) };
  }

  @Get(':id')
  @Requires('read')
  @ApiRoute({ summary: 'One uptime monitor', params: { id: 'monitor id' }, tags: TAGS })
  async get(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<MonitorDto>> {
    return { data: await this.monitors.get(tenant, pathId(id, 'monitor')) };
  }

  @Put(':id')
  @Requires('write')
  @ApiRoute({
    summary: 'Replace an uptime monitor (it starts over as pending)',
    params: { id: 'monitor id' },
    body: MonitorInputSchema,
    tags: TAGS,
  })
  async update(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidBody() body: MonitorInput,
  ): Promise<ApiSuccess<MonitorDto>> {
    return { data: await this.monitors.update(tenant, pathId(id, 'monitor'), body) };
  }

  @Delete(':id')
  @HttpCode(204)
  @Requires('write')
  @ApiRoute({ summary: 'Delete an uptime monitor', params: { id: 'monitor id' }, status: 204, tags: TAGS })
  async remove(@TenantId() tenant: string, @Param('id') id: string): Promise<void> {
    await this.monitors.remove(tenant, pathId(id, 'monitor'));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Requires('write')
  @ApiRoute({ summary: 'Pause an uptime monitor (no checks until resumed)', params: { id: 'monitor id' }, tags: TAGS })
  async pause(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<MonitorDto>> {
    return { data: await this.monitors.setEnabled(tenant, pathId(id, 'monitor'), false) };
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Requires('write')
  @ApiRoute({ summary: 'Resume a paused monitor (checked at once)', params: { id: 'monitor id' }, tags: TAGS })
  async resume(@TenantId() tenant: string, @Param('id') id: string): Promise<ApiSuccess<MonitorDto>> {
    return { data: await this.monitors.setEnabled(tenant, pathId(id, 'monitor'), true) };
  }

  @Get(':id/results')
  @Requires('read')
  @RateLimit('heavy')
  @ApiRoute({
    summary: 'Check results of a monitor, newest first (default: the last 24 hours; raw results are kept 30 days)',
    params: { id: 'monitor id' },
    query: ResultsQuerySchema,
    tags: TAGS,
  })
  async checkResults(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidQuery() q: z.infer<typeof ResultsQuerySchema>,
  ): Promise<ApiSuccess<CheckResultsPage>> {
    const monitorId = pathId(id, 'monitor');
    await this.monitors.assertExists(tenant, monitorId);
    const toMs = timeMs(q.to, 'to', Date.now());
    const fromMs = timeMs(q.from, 'from', toMs - DAY_MS);
    if (toMs <= fromMs) throw new ApiError(400, 'invalid_parameter', 'to: must be after from', { parameter: 'to' });
    const page = await this.results
      .results(tenant, monitorId, {
        fromMs,
        toMs,
        limit: q.limit,
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      })
      .catch(rangeError);
    return { data: page };
  }

  @Get(':id/uptime')
  @Requires('read')
  @ApiRoute({
    summary: 'Uptime of a monitor in buckets (whole hours or days read the rollups; default: 90 days by day)',
    params: { id: 'monitor id' },
    query: UptimeQuerySchema,
    tags: TAGS,
  })
  async uptime(
    @TenantId() tenant: string,
    @Param('id') id: string,
    @ValidQuery() q: z.infer<typeof UptimeQuerySchema>,
  ): Promise<ApiSuccess<UptimeDto>> {
    const monitorId = pathId(id, 'monitor');
    await this.monitors.assertExists(tenant, monitorId);
    const nowMs = Date.now();
    const toMs = timeMs(q.to, 'to', nowMs);
    const fromMs = timeMs(q.from, 'from', toMs - 90 * DAY_MS);
    if (toMs <= fromMs) throw new ApiError(400, 'invalid_parameter', 'to: must be after from', { parameter: 'to' });
    const stepSeconds = q.step === undefined ? defaultStepSeconds(toMs - fromMs) : durationMs(q.step) / 1000;
    if (!Number.isInteger(stepSeconds) || stepSeconds < 10)
      throw new ApiError(400, 'invalid_parameter', 'step: whole seconds, at least 10s', { parameter: 'step' });
    return {
      data: await this.results.uptime(tenant, [monitorId], { fromMs, toMs, stepSeconds }, nowMs).catch(rangeError),
    };
  }
}

interface ReplyLike {
  header(name: string, value: string): unknown;
}

/** Beats per token and minute: a cron job beats at most every 10 s, retries included. */
export const HEARTBEATS_PER_MINUTE = 30;

/**
 * Push monitors: a job calls its monitor's URL when it ran. The token is the credential (no
 * bearer), limited per token; an unknown token and a paused monitor both answer 404.
 */
@Controller('api/v1/heartbeats')
@Public()
export class HeartbeatsController {
  private readonly limiter = new RateLimiter({ requests: HEARTBEATS_PER_MINUTE, perSeconds: 60 });

  constructor(@Inject(MonitorsService) private readonly monitors: MonitorsService) {}

  @Post(':token')
  @NotAudited()
  @HttpCode(202)
  @ApiRoute({
    summary: 'A heartbeat from a job (public: the token in the path is the credential)',
    params: { token: 'the heartbeat monitor token' },
    query: HeartbeatQuerySchema,
    status: 202,
    tags: TAGS,
  })
  async beat(
    @Param('token') token: string,
    @ValidQuery() q: z.infer<typeof HeartbeatQuerySchema>,
    @Res({ passthrough: true }) reply: ReplyLike,
  ): Promise<ApiSuccess<{ accepted: true }>> {
    if (!/^[A-Za-z0-9_-]{32}$/.test(token)) throw notFound('no heartbeat monitor with this token');
    const wait = this.limiter.take(`beat:${token}`, Date.now());
    if (wait > 0) throw rateLimited(reply, wait);
    if (!(await this.monitors.beat(token, q.status === 'ok'))) throw notFound('no heartbeat monitor with this token');
    return { data: { accepted: true } };
  }
}
