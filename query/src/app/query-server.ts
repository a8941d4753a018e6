import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import {
  CONTROL_PLANE,
  DEFAULT_LOGIN_SLOWDOWN,
  IDENTITY_CONTROLLERS,
  IDENTITY_PROVIDERS,
  LOGIN_THROTTLE,
  LoginThrottle,
  SSO_OPTIONS,
  type ControlPlane,
  type LoginSlowdown,
  type SsoOptions,
} from '@telemetryflow/identity';
import { LogsController } from '../logs/logs.controller.js';
import { LogsRepository } from '../logs/logs.repository.js';
import { LogsService } from '../logs/logs.service.js';
import { MetricsController } from '../metrics/metrics.controller.js';
import { MetricsRepository } from '../metrics/metrics.repository.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { MetricDiscovery } from '../metrics/metric-discovery.js';
import { QueryPlanner } from '../planner/query-planner.js';
import type { UsageSink } from '@telemetryflow/otlp';
import { ClickHouseReader } from '../clickhouse-reader.js';
import { QueryController, queryRunnerProvider } from '../query-runner/query.controller.js';
import { DASHBOARD_PROVIDERS, DashboardRenderer, DashboardsController } from '../dashboards/dashboard-providers.js';
import { RetentionController } from '../retention/retention.controller.js';
import { RetentionRepository } from '../retention/retention.repository.js';
import { RetentionService } from '../retention/retention.service.js';
import { ServicesController } from '../services/services.controller.js';
import { ServicesRepository } from '../services/services.repository.js';
import { ServicesService } from '../services/services.service.js';
import { TracesController } from '../traces/traces.controller.js';
import { TracesRepository } from '../traces/traces.repository.js';
import { TracesService } from '../traces/traces.service.js';
import { AttributeSuggestions } from '../traces/attribute-suggestions.js';
import { ServiceMapController, ServiceMapService } from '../service-map/service-map.controller.js';
import { ServiceMapRepository } from '../service-map/service-map.repository.js';
import { PrometheusApiController } from '../prometheus/prometheus-api.controller.js';
import { PrometheusService } from '../prometheus/prometheus.service.js';
import { PROMQL_QUERIES } from '../prometheus/promql-queries.js';
import {
  AccessGuard,
  answerWithin,
  AUDIT_SINK,
  AuditInterceptor,
  type AuditSink,
  ApiDocsController,
  ApiExceptionFilter,
  applyClientTimeouts,
  buildOpenApiDocument,
  CALLER_RESOLVER,
  capConnectionsPerAddress,
  DEFAULT_HTTP_SERVER_LIMITS,
  DEFAULT_RATE_LIMITS,
  ERROR_CODE,
  OPENAPI_DOCUMENT,
  RATE_LIMITS,
  RateLimitGuard,
  recordRoutes,
  routeTable,
  type ErrorTagged,
  type HttpServerLimits,
  type RateLimits,
  type RouteEntry,
} from '@telemetryflow/http-kit';
import { recordQueryRequests, type QueryMetrics } from '../http/query-metrics.js';
import { serveConsole } from './console-assets.js';
import { HealthController } from './health.controller.js';
import { IngestEndpointsController } from './ingest-endpoints.controller.js';
import { SavedSearchesController } from '../saved-searches/saved-searches.controller.js';
import { SavedSearchesRepository } from '../saved-searches/saved-searches.repository.js';
import type { IngestEndpointsDto } from '@telemetryflow/contract';
import { attachLiveGateway, type LiveGatewayConfig } from '../live/live-gateway.js';
import { queryLimits, type QueryLimits } from '../query-limits.js';
import {
  CLICKHOUSE,
  CLICKHOUSE_MIGRATED,
  INGEST_ENDPOINTS,
  QUERY_LIMITS,
  QUERY_METRICS,
  QUERY_QUOTAS,
  QUERY_USAGE,
  RESULT_CACHE,
} from '../http/tokens.js';
import { QueryQuotaGuard } from '../query-quotas.js';
import { UsageController } from '../usage/usage.controller.js';
import { DEFAULT_RESULT_CACHE, ResultCache, type ResultCacheOptions } from '../http/result-cache.js';
import { ResultCacheInterceptor } from '../http/result-cache.interceptor.js';
import { ClientGoneInterceptor } from '../http/client-gone.js';
import { AuditEventsController } from '../audit/audit-events.controller.js';
import { AccountExportController } from '../account/account-export.controller.js';
import { AuditEventsRepository } from '../audit/audit-events.repository.js';
import { PostgresAuditSink } from '../audit/audit-outbox.js';
import { AuditRelay, DEFAULT_AUDIT_RELAY, type AuditRelayOptions } from '../audit/audit-relay.js';

export interface QueryServerConfig {
  /**
   * Which proxies' `X-Forwarded-For` to believe for the client address (rate limits per IP):
   * false (default: the TCP peer), true (any), a hop count, or addresses/CIDRs.
   */
  trustProxy?: boolean | number | string[];
  host: string;
  port: number;
  clickhouse: ClickHouseClient;
  controlPlane: ControlPlane;
  clickhouseMigrated: () => Promise<boolean>;
  /** Caps on the data one request may read (defaults in query-limits.ts). */
  limits?: Partial<QueryLimits>;
  /** Errors worth an operator's attention (5xx); default: stderr. */
  log?: (msg: string) => void;
  /** Request figures for /metrics (see createQueryMetrics). */
  metrics?: QueryMetrics;
  /** Directory of the built console, served at `/` (unset: API only). */
  consoleDir?: string;
  /** The live tail (socket.io `/live`): where stored spans and logs arrive, and its limits. */
  live?: Omit<LiveGatewayConfig, 'resolveCaller' | 'renderDashboard'>;
  /** Feature modules from outside this package (alerting), served behind the same guard and error envelope. */
  modules?: DynamicModule[];
  /** Budgets of `@RateLimit` routes (defaults in http-kit's rate-limit.ts) and the login slowdown (identity's login-throttle.ts). */
  rateLimits?: Partial<RateLimits & { loginSlowdown: LoginSlowdown }>;
  /** One structured line per answered request; its requestId is the one in error bodies. */
  requestLog?: (entry: RequestLogEntry) => void;
  /** Short-lived cache of read query results (default 10 s, 64 MiB; ttlMs 0 turns it off). */
  resultCache?: Partial<ResultCacheOptions>;
  /** Client timeouts and the connection cap per address (defaults in connection-limits.ts). */
  connections?: Partial<HttpServerLimits>;
  /** OIDC single sign-on (identity's sso.service.ts); its log defaults to `log`. */
  sso?: SsoOptions;
  /** The relay of audit events from the Postgres outbox to ClickHouse (defaults in audit-relay.ts). */
  auditRelay?: Partial<AuditRelayOptions>;
  /** Where tenants' queries are counted (`GET /api/v1/usage`); absent: not counted. */
  usage?: UsageSink;
  /**
   * false: no audit events at all. For measuring what the audit log costs (`pnpm bench:query`'s
   * mutating phase); the server roles never set it.
   */
  auditLog?: boolean;
  /**
   * The OTLP ports of this instance, read at each request (the receivers may bind after the API
   * starts); absent: unknown (both null).
   */
  ingestEndpoints?: () => IngestEndpointsDto;
}

export interface RequestLogEntry {
  requestId: string;
  method: string;
  /** The route pattern (`/api/v1/traces/:traceId`), or the raw path when no route matched. */
  route: string;
  status: number;
  durationMs: number;
  /** The error envelope's `code`, for failed requests. */
  errorCode?: string;
}

export interface QueryServer {
  url: string;
  port: number;
  /** Every route with the access rule it declares (for tests that cover all routes). */
  routes(): RouteEntry[];
  /** Waits for events being written (refusals are not awaited by their requests), then moves the outbox to ClickHouse now (the relay also runs on its own). */
  drainAuditOutbox(): Promise<void>;
  close(): Promise<void>;
}

const API_CONTROLLERS = [
  HealthController,
  ApiDocsController,
  TracesController,
  ServicesController,
  LogsController,
  MetricsController,
  RetentionController,
  QueryController,
  DashboardsController,
  ServiceMapController,
  PrometheusApiController,
  AuditEventsController,
  ...IDENTITY_CONTROLLERS,
  UsageController,
  AccountExportController,
  SavedSearchesController,
  IngestEndpointsController,
];

/** The app's controllers and those of the feature modules it was given. */
const controllersOf = (cfg: QueryServerConfig) => [
  ...API_CONTROLLERS,
  ...(cfg.modules ?? []).flatMap((m) => m.controllers ?? []),
];

const PACKAGE_VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;

@Module({})
class QueryApiModule {
  static forRoot(cfg: QueryServerConfig, audit: AuditSink): DynamicModule {
    return {
      module: QueryApiModule,
      imports: cfg.modules ?? [],
      controllers: API_CONTROLLERS,
      providers: [
        { provide: OPENAPI_DOCUMENT, useValue: buildOpenApiDocument(routeTable(controllersOf(cfg)), PACKAGE_VERSION) },
        { provide: CLICKHOUSE, useValue: cfg.clickhouse },
        { provide: CONTROL_PLANE, useValue: cfg.controlPlane },
        { provide: CALLER_RESOLVER, useValue: cfg.controlPlane },
        { provide: CLICKHOUSE_MIGRATED, useValue: cfg.clickhouseMigrated },
        {
          provide: INGEST_ENDPOINTS,
          useValue: cfg.ingestEndpoints ?? (() => ({ otlpHttpPort: null, otlpGrpcPort: null })),
        },
        SavedSearchesRepository,
        { provide: QUERY_LIMITS, useValue: queryLimits(cfg.limits) },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: AUDIT_SINK, useValue: audit },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ClientGoneInterceptor },
        AuditEventsRepository,
        { provide: RATE_LIMITS, useValue: { ...DEFAULT_RATE_LIMITS, ...cfg.rateLimits } },
        {
          provide: LOGIN_THROTTLE,
          useValue: new LoginThrottle(cfg.rateLimits?.loginSlowdown ?? DEFAULT_LOGIN_SLOWDOWN),
        },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        ...IDENTITY_PROVIDERS,
        { provide: SSO_OPTIONS, useValue: { log: cfg.log, ...cfg.sso } },
        { provide: RESULT_CACHE, useValue: new ResultCache({ ...DEFAULT_RESULT_CACHE, ...cfg.resultCache }) },
        { provide: QUERY_METRICS, useValue: cfg.metrics },
        { provide: QUERY_QUOTAS, useValue: new QueryQuotaGuard((tenant) => cfg.controlPlane.quotas.quotas(tenant)) },
        ...(cfg.usage ? [{ provide: QUERY_USAGE, useValue: cfg.usage }] : []),
        { provide: APP_INTERCEPTOR, useClass: ResultCacheInterceptor },
        TracesRepository,
        TracesService,
        LogsRepository,
        LogsService,
        MetricsRepository,
        MetricsService,
        ServicesRepository,
        ServicesService,
        RetentionRepository,
        RetentionService,
        QueryPlanner,
        ClickHouseReader,
        queryRunnerProvider,
        ...DASHBOARD_PROVIDERS,
        AttributeSuggestions,
        ServiceMapRepository,
        ServiceMapService,
        MetricDiscovery,
        PrometheusService,
        { provide: PROMQL_QUERIES, useExisting: PrometheusService },
      ],
    };
  }
}

function fastifyTrustProxy(
  trust: QueryServerConfig['trustProxy'],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust ?? false;
  return (_address, hop) => hop < trust;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The read API (NestJS on Fastify): `/health`, `/ready` and `/api/v1/...`. */
export async function startQueryServer(cfg: QueryServerConfig): Promise<QueryServer> {
  const log = cfg.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    // A hop count n trusts the n nearest hops (what proxy-addr does with a number).
    trustProxy: fastifyTrustProxy(cfg.trustProxy),
    // Keep a sane client-supplied X-Request-Id, otherwise make one.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const audit: AuditSink & { settled(): Promise<void> } =
    cfg.auditLog === false
      ? { record: async () => {}, settled: async () => {} }
      : new PostgresAuditSink(cfg.controlPlane.dataSource);
  const app = await NestFactory.create<NestFastifyApplication>(QueryApiModule.forRoot(cfg, audit), adapter, {
    logger: ['error', 'warn'],
  });
  app.useGlobalFilters(new ApiExceptionFilter(log, audit));
  const connections = { ...DEFAULT_HTTP_SERVER_LIMITS, ...cfg.connections };
  applyClientTimeouts(app.getHttpServer(), connections);
  capConnectionsPerAddress(app.getHttpServer(), connections.maxConnectionsPerAddress);
  const fastify = app.getHttpAdapter().getInstance();
  answerWithin(fastify, connections.requestTimeoutMs);
  fastify.addHook('onRequest', (req, reply, done) => {
    // No answer of this port is ever to be read as another type than it declares.
    reply.header('x-request-id', req.id).header('x-content-type-options', 'nosniff');
    done();
  });
  if (cfg.metrics) recordQueryRequests(fastify, cfg.metrics);
  const renderer = app.get(DashboardRenderer);
  const live =
    cfg.live &&
    attachLiveGateway(app.getHttpServer(), {
      ...cfg.live,
      resolveCaller: (token, tenant) => cfg.controlPlane.resolveCaller(token, tenant),
      onRevoked: (listener) => cfg.controlPlane.onRevoked(listener),
      renderDashboard: (tenant, id, range, variables) =>
        renderer.render(tenant, id, {
          ...(range && { from: range.fromMs, to: range.toMs }),
          ...(variables && { variables }),
        }),
    });
  const requestLog = cfg.requestLog;
  if (requestLog) {
    fastify.addHook('onResponse', (req, reply, done) => {
      const errorCode = (req.raw as ErrorTagged)[ERROR_CODE];
      requestLog({
        requestId: String(req.id),
        method: req.method,
        route: req.routeOptions.url ?? req.url.split('?')[0]!,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        ...(errorCode !== undefined ? { errorCode } : {}),
      });
      done();
    });
  }
  if (cfg.consoleDir) await serveConsole(fastify, cfg.consoleDir);
  const routes = recordRoutes(fastify, controllersOf(cfg));
  await app.listen({ host: cfg.host, port: cfg.port });
  const relay = new AuditRelay(
    cfg.controlPlane.dataSource,
    cfg.clickhouse,
    { ...DEFAULT_AUDIT_RELAY, ...cfg.auditRelay },
    log,
  );
  if (cfg.auditLog !== false) relay.start();
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : cfg.port;
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host === '0.0.0.0' ? '127.0.0.1' : cfg.host;
  return {
    url: `http://${host}:${port}`,
    port,
    routes,
    drainAuditOutbox: async () => {
      await audit.settled();
      await relay.drain();
    },
    close: async () => {
      await live?.close();
      await app.close();
      await audit.settled();
      await relay.stop();
    },
  };
}
