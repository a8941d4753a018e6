import { Inject, Injectable } from '@nestjs/common';
import type { LogDto, LogVolumePointDto, ResolutionMeta } from '@telemetryflow/schemas';
import { QueryPlanner } from '../planner/query-planner.js';
import { parseStepMs, parseString, parseTimeRange, type RawParams } from '../request-params.js';
import { logRowToDto, parseLogSearch } from './log-search.js';
import { volumeSeries } from './log-volume.js';
import { LogsRepository } from './logs.repository.js';

const NS_PER_MS = 1_000_000n;

@Injectable()
export class LogsService {
  constructor(
    @Inject(LogsRepository) private readonly repo: LogsRepository,
    @Inject(QueryPlanner) private readonly planner: QueryPlanner,
  ) {}

  async search(tenant: string, q: RawParams): Promise<LogDto[]> {
    return (await this.repo.search(tenant, parseLogSearch(q))).map(logRowToDto);
  }

  async volume(tenant: string, q: RawParams): Promise<{ data: LogVolumePointDto[]; meta: ResolutionMeta }> {
    const range = parseTimeRange(q);
    const stepMs = parseStepMs(q, range);
    const service = parseString(q, 'service');
    const plan = await this.planner.plan(tenant, 'logs', range, q, stepMs);
    const rows = await this.repo.volume(tenant, service, plan, stepMs);
    return {
      data: volumeSeries(rows, Number(range.fromNs / NS_PER_MS), Number(range.toNs / NS_PER_MS), stepMs),
      meta: { resolution: plan.resolution, stepSeconds: stepMs / 1000 },
    };
  }
}
