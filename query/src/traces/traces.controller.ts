import { Controller, Get, Inject, Param } from '@nestjs/common';
import {
  AttributeKeysParamsSchema,
  AttributeValuesParamsSchema,
  TraceGetParamsSchema,
  TraceHeatmapParamsSchema,
  TraceSearchParamsSchema,
  type ApiSuccess,
  type AttributeKeyDto,
  type TraceHeatmapCellDto,
  type TracePresenceDto,
  type TraceSummaryDto,
} from '@telemetryflow/contract';
import type { z } from 'zod';
import { ApiRoute, RateLimit, Requires, TenantId, ValidQuery } from '@telemetryflow/http-kit';
import { CacheResult, FreshResult } from '../http/result-cache.interceptor.js';
import type { RawParams } from '../request-params.js';
import { AttributeSuggestions } from './attribute-suggestions.js';
import { TracesService, type TraceWithLogs } from './traces.service.js';

@Controller('api/v1')
@Requires('read')
@CacheResult()
export class TracesController {
  constructor(
    @Inject(TracesService) private readonly traces: TracesService,
    @Inject(AttributeSuggestions) private readonly suggestions: AttributeSuggestions,
  ) {}

  @Get('traces')
  @RateLimit('heavy')
  @ApiRoute({
    summary:
      'Search traces: span filters (service, operation, attr.<key>, resource.<key>) on one span; status and duration of the trace; newest or slowest first; cursor pages',
    query: TraceSearchParamsSchema,
    tags: ['traces'],
  })
  search(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<TraceSummaryDto[]>> {
    return this.traces.searchTraces(tenant, q);
  }

  @Get('traces/heatmap')
  @RateLimit('heavy')
  @ApiRoute({
    summary:
      'Every trace a search matches, counted per step of its start and per duration band [2^band, 2^(band+1)) ms, with its failures',
    query: TraceHeatmapParamsSchema,
    tags: ['traces'],
  })
  heatmap(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<TraceHeatmapCellDto[]>> {
    return this.traces.heatmap(tenant, q);
  }

  @Get('traces/presence')
  @FreshResult()
  @ApiRoute({
    summary: 'Whether the tenant has stored any span at all, whatever the time range (for "no traces yet")',
    tags: ['traces'],
  })
  async presence(@TenantId() tenant: string): Promise<ApiSuccess<TracePresenceDto>> {
    return { data: { stored: await this.traces.anyStored(tenant) } };
  }

  @Get('traces/attributes')
  @RateLimit('suggestions')
  @ApiRoute({
    summary: 'Span and resource attribute keys (attr.<key>, resource.<key>) seen in the range, most used first',
    query: AttributeKeysParamsSchema,
    tags: ['traces'],
  })
  attributeKeys(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<AttributeKeyDto[]>> {
    return this.suggestions.keys(tenant, q);
  }

  @Get('traces/attributes/:key/values')
  @RateLimit('suggestions')
  @ApiRoute({
    summary: "An attribute's most frequent values in the range, optionally starting with prefix",
    query: AttributeValuesParamsSchema,
    params: { key: 'attr.<key> or resource.<key>' },
    tags: ['traces'],
  })
  attributeValues(
    @TenantId() tenant: string,
    @Param('key') key: string,
    @ValidQuery() q: RawParams,
  ): Promise<ApiSuccess<string[]>> {
    return this.suggestions.values(tenant, key, q);
  }

  @Get('traces/:traceId')
  @RateLimit('heavy')
  @ApiRoute({
    summary: 'One trace with every span; include=logs adds its log records',
    query: TraceGetParamsSchema,
    params: { traceId: '32 hex characters' },
    tags: ['traces'],
  })
  async get(
    @TenantId() tenant: string,
    @Param('traceId') traceId: string,
    @ValidQuery() q: z.infer<typeof TraceGetParamsSchema>,
  ): Promise<ApiSuccess<TraceWithLogs>> {
    return { data: await this.traces.getTrace(tenant, traceId, q.include) };
  }
}
