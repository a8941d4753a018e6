import { Controller, Get, Inject, Injectable } from '@nestjs/common';
import { RangeParamsSchema, type ApiSuccess, type ServiceMapDto } from '@telemetryflow/contract';
import {
  ApiRoute,
  assertRangeWithin,
  RateLimit,
  Requires,
  resultTooLarge,
  TenantId,
  ValidQuery,
} from '@telemetryflow/http-kit';
import { CacheResult } from '../http/result-cache.interceptor.js';
import { QUERY_LIMITS } from '../http/tokens.js';
import { QueryPlanner } from '../planner/query-planner.js';
import type { QueryLimits } from '../query-limits.js';
import { parseTimeRange, type RawParams } from '../request-params.js';
import { latencyMs } from '../services/span-aggregates.js';
import { withPeers } from './peer-calls.js';
import { ServiceMapRepository, type EdgeRow, type NodeRow } from './service-map.repository.js';

/** Pure: rows → the map; rates over the range's seconds, latencies in milliseconds. */
export function serviceMap(nodes: readonly NodeRow[], edges: readonly EdgeRow[], rangeSeconds: number): ServiceMapDto {
  return {
    nodes: nodes.map((n) => ({
      service: n.service,
      type: 'service' as const,
      count: n.count,
      errorCount: n.errorCount,
      rate: n.count / rangeSeconds,
      errorRate: n.count > 0 ? n.errorCount / n.count : null,
      p95Ms: latencyMs(n.count, n.q).p95Ms,
    })),
    edges: edges.map((e) => ({
      caller: e.caller,
      callee: e.callee,
      calls: e.calls,
      errorCount: e.errorCount,
      p95Ms: e.calls > 0 ? e.p95Ns / 1e6 : null,
    })),
  };
}

@Injectable()
export class ServiceMapService {
  constructor(
    @Inject(ServiceMapRepository) private readonly repo: ServiceMapRepository,
    @Inject(QueryPlanner) private readonly planner: QueryPlanner,
    @Inject(QUERY_LIMITS) private readonly limits: QueryLimits,
  ) {}

  async map(tenant: string, q: RawParams): Promise<{ data: ServiceMapDto; meta: { resolution: string } }> {
    const range = parseTimeRange(q);
    assertRangeWithin(range, this.limits.maxSearchRangeDays, 'maxSearchRangeDays');
    const cap = this.limits.maxServices;
    const plan = await this.planner.plan(tenant, 'spans', range, q);
    // Peer rows are edges and per-peer totals: twice the cap, and one more, tells "too many".
    const peerLimit = 2 * cap + 1;
    const [nodes, edges, peers] = await Promise.all([
      this.repo.nodes(tenant, plan, cap + 1),
      this.repo.edges(tenant, range, cap + 1),
      this.repo.peerCalls(tenant, range, peerLimit),
    ]);
    const tooLarge = () =>
      resultTooLarge(`the map has more than ${cap} services or edges; narrow the range`, cap, ['from', 'to']);
    if (nodes.length > cap || edges.length > cap || peers.length >= peerLimit) throw tooLarge();
    const seconds = Math.max(1, Number((range.toNs - range.fromNs) / 1_000_000_000n));
    const map = withPeers(serviceMap(nodes, edges, seconds), peers, seconds);
    if (map.nodes.length > cap || map.edges.length > cap) throw tooLarge();
    return { data: map, meta: { resolution: plan.resolution } };
  }
}

@Controller('api/v1/service-map')
@Requires('read')
@CacheResult()
export class ServiceMapController {
  constructor(@Inject(ServiceMapService) private readonly service: ServiceMapService) {}

  @Get()
  @RateLimit('heavy')
  @ApiRoute({
    summary:
      'Service dependencies: services with the RED of their entry spans, and caller → callee edges (calls, errors, p95) from parent/child spans; databases, messaging systems and external services called without spans of their own (named by db.system, messaging.system, peer.service, server.address or the URL host of client and producer spans) as nodes of their type',
    query: RangeParamsSchema,
    tags: ['services'],
  })
  map(@TenantId() tenant: string, @ValidQuery() q: RawParams): Promise<ApiSuccess<ServiceMapDto>> {
    return this.service.map(tenant, q);
  }
}
