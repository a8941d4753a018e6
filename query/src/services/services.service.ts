import { Inject, Injectable } from '@nestjs/common';
import type { OperationDto, RedPointDto, ResolutionMeta, ServiceDto, ServiceRedDto } from '@telemetryflow/contract';
import { resultTooLarge } from '@telemetryflow/http-kit';
import { QUERY_LIMITS } from '../http/tokens.js';
import { bucketStarts } from '../metrics/metric-math.js';
import { QueryPlanner } from '../planner/query-planner.js';
import type { QueryLimits } from '../query-limits.js';
import { parseStepMs, parseString, parseTimeRange, type RawParams } from '../request-params.js';
import { latencyMs } from './span-aggregates.js';
import { ServicesRepository, type RedRow, type ServiceRow } from './services.repository.js';

const NS_PER_MS = 1_000_000n;

export interface Planned<T> {
  data: T;
  meta: ResolutionMeta;
}

/** Pure: one point per step of the range; steps without spans have count 0 and null ratios. */
export function redSeries(rows: readonly RedRow[], fromMs: number, toMs: number, stepMs: number): RedPointDto[] {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  return bucketStarts(fromMs, toMs, stepMs).map((t) => {
    const r = byBucket.get(t);
    const count = r?.count ?? 0;
    const errorCount = r?.errorCount ?? 0;
    return {
      t,
      count,
      errorCount,
      rate: count / (stepMs / 1000),
      errorRate: count > 0 ? errorCount / count : null,
      ...latencyMs(count, r?.q ?? []),
    };
  });
}

/** Pure: a service's row → its DTO; latencies in milliseconds. */
export function serviceDto(r: ServiceRow): ServiceDto {
  return {
    name: r.name,
    spanCount: r.spanCount,
    requestCount: r.requestCount,
    errorCount: r.errorCount,
    ...latencyMs(r.requestCount, r.q),
    entrySpans: r.requestCount > 0 ? r.entryClass : 'none',
  };
}

@Injectable()
export class ServicesService {
  constructor(
    @Inject(ServicesRepository) private readonly repo: ServicesRepository,
    @Inject(QueryPlanner) private readonly planner: QueryPlanner,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  async services(tenant: string, q: RawParams): Promise<Planned<ServiceDto[]>> {
    const plan = await this.planner.plan(tenant, 'spans', parseTimeRange(q), q);
    const cap = this.limits.maxServices;
    const rows = await this.repo.services(tenant, plan, cap + 1);
    if (rows.length > cap)
      throw resultTooLarge(`more than ${cap} services have spans in the range; narrow it with from and to`, cap, [
        'from',
        'to',
      ]);
    return { data: rows.map(serviceDto), meta: { resolution: plan.resolution } };
  }

  async red(tenant: string, service: string, q: RawParams): Promise<Planned<RedPointDto[]>> {
    const answer = await this.redOf(tenant, [service], q);
    return { data: answer.data[0]!.points, meta: answer.meta };
  }

  /** RED series of each service named, in the order named, from one query. */
  async redOf(tenant: string, services: readonly string[], q: RawParams): Promise<Planned<ServiceRedDto[]>> {
    const range = parseTimeRange(q);
    const stepMs = parseStepMs(q, range);
    const plan = await this.planner.plan(tenant, 'spans', range, q, stepMs);
    const rows = await this.repo.red(tenant, services, plan, stepMs);
    const fromMs = Number(range.fromNs / NS_PER_MS);
    const toMs = Number(range.toNs / NS_PER_MS);
    return {
      data: services.map((service) => ({
        service,
        points: redSeries(
          rows.filter((r) => r.service === service),
          fromMs,
          toMs,
          stepMs,
        ),
      })),
      meta: { resolution: plan.resolution, stepSeconds: stepMs / 1000 },
    };
  }

  async operations(tenant: string, service: string, q: RawParams): Promise<Planned<OperationDto[]>> {
    const plan = await this.planner.plan(tenant, 'spans', parseTimeRange(q), q);
    const cap = this.limits.maxServices;
    const rows = await this.repo.operations(tenant, service, plan, cap + 1);
    if (rows.length > cap)
      throw resultTooLarge(`service ${service} has more than ${cap} operations in the range`, cap, ['from', 'to']);
    return {
      data: rows.map((r) => ({
        name: r.operation,
        kind: r.kind,
        count: r.count,
        errorCount: r.errorCount,
        ...latencyMs(r.count, r.q),
      })),
      meta: { resolution: plan.resolution },
    };
  }
}

/** The `{service}` path segment, bounded like other string parameters. */
export function serviceName(raw: string): string {
  return parseString({ service: raw }, 'service') ?? '';
}

/** The `service` parameters of a batched RED request, each bounded, without repeats. */
export function serviceNames(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return [...new Set(list.map((s) => serviceName(String(s))))];
}
