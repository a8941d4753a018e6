import {
  Inject,
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { CallerRequest } from '@telemetryflow/http-kit';
import type { QueryMetrics } from './query-metrics.js';
import { resultCacheKey, type ResultCache } from './result-cache.js';
import { QUERY_METRICS, RESULT_CACHE } from './tokens.js';

const CACHE_KEY = 'tf:cacheResult';

/**
 * Serve this read route's results from the short-lived result cache. Only for routes whose
 * answer depends on nothing but the tenant and the request (never on the user).
 */
export const CacheResult = () => SetMetadata(CACHE_KEY, true);

/** A route of a `@CacheResult()` controller whose answer must be fresh (it tells whether anything arrived yet). */
export const FreshResult = () => SetMetadata(CACHE_KEY, false);

interface CacheableRequest extends CallerRequest {
  method: string;
  url: string;
  body?: unknown;
}

@Injectable()
export class ResultCacheInterceptor implements NestInterceptor {
  constructor(
    @Inject(RESULT_CACHE) private readonly cache: ResultCache,
    @Inject(QUERY_METRICS) private readonly metrics: QueryMetrics | undefined,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (
      ctx.getType() !== 'http' ||
      !this.reflector.getAllAndOverride<boolean | undefined>(CACHE_KEY, [ctx.getHandler(), ctx.getClass()])
    ) {
      return next.handle();
    }
    const req = ctx.switchToHttp().getRequest<CacheableRequest>();
    const reply = ctx.switchToHttp().getResponse<{ header(name: string, value: string): unknown }>();
    if (!req.caller) return next.handle();
    const key = resultCacheKey(req.caller.tenantId, req.method, req.url, req.body);
    return from(
      this.cache
        .get(key, () => lastValueFrom(next.handle()))
        .then(({ value, outcome }) => {
          const result = outcome === 'miss' ? 'miss' : 'hit';
          this.metrics?.cacheRequests.inc({ result });
          reply.header('x-cache', result);
          return value;
        }),
    );
  }
}
