import { Controller, HttpCode, Inject, Post, type Provider } from '@nestjs/common';
import {
  QueryRequestSchema,
  type ApiSuccess,
  type QueryMeta,
  type QueryRequest,
  type QueryResult,
} from '@telemetryflow/contract';
import { ApiRoute, RateLimit, Requires, TenantId, ValidBody, NotAudited } from '@telemetryflow/http-kit';
import { CacheResult } from '../http/result-cache.interceptor.js';
import { CLICKHOUSE, QUERY_LIMITS } from '../http/tokens.js';
import { parseTimeRange } from '../request-params.js';
import { RetentionService } from '../retention/retention.service.js';
import { QueryRunner } from './query-runner.js';

/** QueryRunner as a provider, with the API's limits and the tenants' retention from Postgres. */
export const queryRunnerProvider: Provider = {
  provide: QueryRunner,
  useFactory: (clickhouse, limits, retention: RetentionService) => new QueryRunner({ clickhouse, limits, retention }),
  inject: [CLICKHOUSE, QUERY_LIMITS, RetentionService],
};

@Controller('api/v1/query')
@Requires('read')
@CacheResult()
export class QueryController {
  constructor(@Inject(QueryRunner) private readonly runner: QueryRunner) {}

  @Post()
  @NotAudited()
  @RateLimit('heavy')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Run one query of the shared query DTO (metrics, spans or logs) as time series',
    body: QueryRequestSchema,
    status: 200,
    tags: ['query'],
  })
  run(
    @TenantId() tenant: string,
    @ValidBody() body: QueryRequest,
  ): Promise<ApiSuccess<QueryResult> & { meta: QueryMeta }> {
    const range = parseTimeRange({ from: body.from, to: body.to });
    return this.runner.run(tenant, body.query, {
      ...range,
      ...(body.step !== undefined ? { stepSeconds: body.step } : {}),
    });
  }
}
