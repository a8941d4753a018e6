import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

type FastifyInstance = ReturnType<ReturnType<NestFastifyApplication['getHttpAdapter']>['getInstance']>;

/** What the query role reports at /metrics. */
export interface QueryMetrics {
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  /** Cacheable read requests by outcome (`hit` includes requests that joined an identical one in flight). */
  cacheRequests: Counter<'result'>;
}

export function createQueryMetrics(registry: Registry): QueryMetrics {
  return {
    requestSeconds: new Histogram({
      name: 'tf_query_request_seconds',
      help: 'Read and management API requests by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'tf_query_cache_requests_total',
      help: 'Cacheable read API requests by result cache outcome (hit or miss)',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}

/**
 * Observes every API request by route pattern (`/api/v1/traces/:traceId`, never the id
 * itself, so the label set stays small).
 */
export function recordQueryRequests(app: FastifyInstance, metrics: QueryMetrics): void {
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requestSeconds.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
