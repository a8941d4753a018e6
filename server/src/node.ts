import {
  AddressGuard,
  AlertingApiModule,
  BufferedResultsWriter,
  ClickHouseConditionReader,
  HttpDelivery,
  MonitorResultsWriter,
  parseCidrs,
  SmtpDelivery,
  startAlertingRole,
  TenantConfigModule,
  type AlertingApiConfig,
  type MonitorCheckRecord,
} from '@telemetryflow/alerting';
import { startProbeRole } from '@telemetryflow/probe';
import {
  createClickHouse,
  migrate,
  migrationsComplete,
  readAcceptedItemsSince,
  RollupJob,
  StoredBytesMeter,
  UsageRecorder,
  type ClickHouseClient,
} from '@telemetryflow/clickhouse';
import {
  createCollectorMetrics,
  DEFAULT_PUBLISHER_CONFIG,
  DailyVolumeLimiter,
  IngestRateLimiter,
  InflightBytes,
  JetStreamPublisher,
  registerInflightGauge,
  startOtlpGrpcReceiver,
  startOtlpHttpReceiver,
} from '@telemetryflow/collector';
import {
  connectBus,
  ensureMonitorResultsTopology,
  ensureTopology,
  followMonitorResults,
  publishMonitorResults,
  type BusConnection,
} from '@telemetryflow/bus';
import {
  BatchManifestStore,
  ClickHouseWriter,
  createBatchDecodePool,
  createIngestMetrics,
  IngestPipeline,
  JetStreamWriter,
} from '@telemetryflow/ingest';
import { openControlPlane, type ControlPlane } from '@telemetryflow/identity';
import {
  createQueryMetrics,
  createQueryReads,
  DashboardsRepository,
  ExportsModule,
  LiveHub,
  PrometheusService,
} from '@telemetryflow/query';
import { startQueryServer } from '@telemetryflow/query/app';
import type { OtlpConsumer } from '@telemetryflow/otlp';
import { ActiveSeriesLimits } from '@telemetryflow/rows';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from './config.js';
import { CONTROL_PLANE_FEATURES } from './control-plane-features.js';
import { followBusForLive } from './live-bus-feed.js';
import { nodeLogTo, type NodeLog } from './logger.js';
import { startOpsServer } from './ops-server.js';
import { setHeapGrowingPercent } from './heap-growth.js';

export interface RunningNode {
  /** Set when this process runs the query role. */
  apiUrl?: string;
  /** Set when this process runs the collector role. */
  otlpHttpUrl?: string;
  otlpGrpcAddress?: string;
  metricsUrl: string;
  /** Set when this process holds ClickHouse (ingest or query role). */
  clickhouse?: ClickHouseClient;
  /** Set when this process opened the control-plane database. */
  controlPlane?: ControlPlane;
  close(): Promise<void>;
}

/**
 * Starts the roles the configuration names, downstream first (storage, writer, API, then
 * the receivers), and stops them upstream first, so that every request a receiver
 * accepted is made durable before anything below it closes.
 *
 * Without NATS_URL, collector and ingest hand requests over in-process (the client is
 * answered after the ClickHouse insert); with it, collectors publish to JetStream (the
 * client is answered after the PubAck) and writers consume from it.
 */
export async function startNode(
  config: Config,
  logTo: NodeLog | ((msg: string) => void) = console.log,
): Promise<RunningNode> {
  setHeapGrowingPercent(config.heapGrowingPercent);
  const log = typeof logTo === 'function' ? nodeLogTo(logTo) : logTo;
  const { roles } = config;
  const stops: (() => Promise<void>)[] = [];
  let stopped: Promise<void> | undefined;
  // Every step runs even when an earlier one fails, so storage is always closed; once only.
  const stopAll = () =>
    (stopped ??= (async () => {
      const errors: unknown[] = [];
      for (const stop of [...stops].reverse()) {
        try {
          await stop();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'shutdown failed');
    })());
  try {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    let clickhouse: ClickHouseClient | undefined;
    // A probe without NATS hands its results to an in-process writer, so it needs ClickHouse too.
    const probeWritesHere = roles.has('probe') && !config.natsUrl;
    if (roles.has('ingest') || roles.has('query') || roles.has('alerting') || probeWritesHere) {
      const client = (clickhouse = await createClickHouse({
        url: config.clickhouseUrl,
        dataDir: config.dataDir,
        cluster: config.clickhouseCluster,
      }));
      stops.push(() => client.close());
      await migrate(client);
    } else if (roles.has('collector') && config.clickhouseUrl) {
      // A collector of its own writes its tenants' usage and reads their daily volume there;
      // the schema is migrated by the roles that own it (until then its writes are retried).
      const client = (clickhouse = await createClickHouse({
        url: config.clickhouseUrl,
        dataDir: config.dataDir,
        cluster: config.clickhouseCluster,
      }));
      stops.push(() => client.close());
    }
    // Usage counters of this process (ingest accepted/refused, queries), written every few seconds.
    const usage =
      clickhouse && new UsageRecorder(clickhouse, { flushIntervalMs: config.usageFlushMs, log: log.warn }).start();
    if (usage) stops.push(() => usage.close());
    // Stored bytes per tenant and signal, measured where telemetry is written or read (single server only).
    if (clickhouse && !config.clickhouseCluster && (roles.has('ingest') || roles.has('query'))) {
      const meter = new StoredBytesMeter(clickhouse, config.usageStoredBytesMs, log.warn).start();
      stops.push(() => meter.close());
    }
    let controlPlane: ControlPlane | undefined;
    if (roles.has('collector') || roles.has('query') || roles.has('alerting') || roles.has('probe')) {
      const cp = (controlPlane = await openControlPlane(
        {
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
          bootstrap: config.bootstrap,
          auth: config.auth,
          features: CONTROL_PLANE_FEATURES,
        },
        log.info,
        log.warn,
      ));
      stops.push(() => cp.close());
    }
    let bus: BusConnection | undefined;
    if (config.natsUrl && (roles.has('collector') || roles.has('ingest'))) {
      const b = (bus = await connectBus(config.natsUrl, `telemetryflow-${[...roles].join('-')}`));
      stops.push(() => b.close());
      await ensureTopology(b.jsm, config.jetstream);
    }

    // The live tail: fed in-process by the writer after its inserts, or from NATS.
    const live = roles.has('query') ? new LiveHub(log.warn) : undefined;
    if (live && config.natsUrl) {
      const liveBus = bus ?? (await connectBus(config.natsUrl, 'telemetryflow-live'));
      if (!bus) stops.push(() => liveBus.close());
      const feed = followBusForLive(liveBus.nc, live);
      stops.push(async () => feed.close());
    }

    let consumer: OtlpConsumer | undefined;
    if (roles.has('ingest')) {
      const writer = new ClickHouseWriter(clickhouse!);
      if (bus) {
        const pool = createBatchDecodePool(config.ingestWorkers);
        stops.push(() => pool.destroy());
        const manifests = await BatchManifestStore.open(
          bus,
          config.jetstream.manifestBucket,
          config.jetstream.replicas,
          config.jetstream.maxAgeSeconds,
        );
        const jsWriter = new JetStreamWriter(
          bus,
          config.jetstream,
          writer,
          pool,
          manifests,
          config.jetstreamWriter,
          createIngestMetrics(registry),
          log.warn,
        );
        await jsWriter.start();
        stops.push(() => jsWriter.stop());
      } else {
        const pipeline = new IngestPipeline(clickhouse!, {
          workers: config.ingestWorkers,
          batcher: {
            maxRows: config.ingestBatchRows,
            maxDelayMs: config.ingestBatchDelayMs,
            quietMs: config.ingestBatchQuietMs,
          },
          ledger: {
            windowMs: config.ingestDuplicateWindow.seconds * 1000,
            maxRequests: config.ingestDuplicateWindow.requests,
          },
          live,
        });
        stops.push(() => pipeline.close());
        consumer = pipeline;
      }
    }

    // Alert rule conditions are read by the alerting role and by previews in the API, through
    // the query API's reads (alerting declares what it needs; the read model implements it).
    const reads = clickhouse && createQueryReads(clickhouse);
    const alertReader =
      clickhouse &&
      reads &&
      new ClickHouseConditionReader(clickhouse, reads, { promql: new PrometheusService(reads.reader, reads.limits) });
    let delivery: HttpDelivery | undefined;
    // One allow-list for every outbound request: notifications and monitor targets alike.
    const guard = new AddressGuard(parseCidrs(config.alerting.allowedCidrs));
    if (roles.has('query') || roles.has('alerting')) {
      const d = (delivery = new HttpDelivery({
        guard,
        log: log.warn,
      }));
      stops.push(() => d.close());
    }
    const smtpSettings = config.alerting.smtp;
    let smtp: SmtpDelivery | undefined;
    if (smtpSettings && (roles.has('query') || roles.has('alerting'))) {
      const m = (smtp = new SmtpDelivery({
        host: smtpSettings.host,
        port: smtpSettings.port,
        implicitTls: smtpSettings.tls === 'implicit',
        requireTls: smtpSettings.tls === 'starttls',
        ...(smtpSettings.auth ? { auth: smtpSettings.auth } : {}),
        from: smtpSettings.from,
        log: log.warn,
      }));
      stops.push(async () => m.close());
    }

    // The OTLP ports the console's set-up instructions show: the receivers' bound ports when they
    // run in this process (they bind after the API starts), else the configured ones.
    const ingestEndpoints = roles.has('collector')
      ? { otlpHttpPort: null as number | null, otlpGrpcPort: null as number | null }
      : { otlpHttpPort: config.otlpHttpPort, otlpGrpcPort: config.otlpGrpcPort };
    let apiUrl: string | undefined;
    if (roles.has('query')) {
      const ch = clickhouse!;
      const alertingApi: AlertingApiConfig = {
        controlPlane: controlPlane!,
        clickhouse: ch,
        reader: alertReader!,
        reads: reads!,
        delivery: delivery!,
        guard,
        smtp,
      };
      const api = await startQueryServer({
        host: config.host,
        port: config.httpPort,
        clickhouse: ch,
        controlPlane: controlPlane!,
        clickhouseMigrated: () => migrationsComplete(ch),
        log: log.warn,
        metrics: createQueryMetrics(registry),
        consoleDir: config.consoleDir,
        live: { hub: live! },
        modules: [
          AlertingApiModule.forRoot(alertingApi),
          TenantConfigModule.forRoot({ ...alertingApi, dashboards: new DashboardsRepository(controlPlane!) }),
          ExportsModule.forRoot({
            controlPlane: controlPlane!,
            clickhouse: ch,
            options: config.exports,
            log: log.warn,
          }),
        ],
        requestLog: log.request,
        sso: { ...config.sso, log: log.warn },
        ...(usage ? { usage } : {}),
        resultCache: config.queryCache,
        trustProxy: config.trustProxy,
        ingestEndpoints: () => ({ ...ingestEndpoints }),
        connections: config.httpConnections,
        rateLimits: {
          heavy: { requests: config.heavyQueriesPerMinute, perSeconds: 60 },
          suggestions: { requests: config.suggestionsPerMinute, perSeconds: 60 },
        },
      });
      stops.push(() => api.close());
      apiUrl = `http://${config.host}:${api.port}`;
    }

    // Metric rollups from closed hours and days (migrations 0022, 0019): scheduled work, so the
    // alerting role runs it (every process of that role may: an hour's or a day's insert is
    // deduplicated by its token).
    if (roles.has('alerting')) {
      const rollups = new RollupJob(clickhouse!, { log: log.warn }).start();
      stops.push(() => rollups.close());
    }

    if (roles.has('alerting')) {
      const alerting = startAlertingRole({
        dataSource: controlPlane!.dataSource,
        clickhouse: clickhouse!,
        reader: alertReader!,
        reads: reads!,
        delivery: delivery!,
        smtp,
        pollMs: config.alerting.pollMs,
        consoleUrl: config.alerting.consoleUrl,
        log: log.warn,
        registry,
      });
      stops.push(() => alerting.stop());
      log.info(`alerting: evaluating rules as replica ${alerting.replicaId}`);
    }

    // Monitor check results: probes publish them to JetStream and alerting replicas write
    // them to ClickHouse; without NATS the probe hands them to a writer in this process.
    let monitorResultsBus: BusConnection | undefined;
    if (config.natsUrl && (roles.has('probe') || roles.has('alerting'))) {
      const b = (monitorResultsBus = bus ?? (await connectBus(config.natsUrl, 'telemetryflow-monitors')));
      if (!bus) stops.push(() => b.close());
      await ensureMonitorResultsTopology(b, config.jetstream.replicas);
    }
    if (monitorResultsBus && roles.has('alerting')) {
      const writer = new MonitorResultsWriter(clickhouse!);
      const follower = followMonitorResults(
        monitorResultsBus,
        async (values) => {
          const { dropped } = await writer.writeUntrusted(values);
          if (dropped > 0) log.warn(`monitor results: ${dropped} malformed result(s) dropped`);
        },
        log.warn,
      );
      stops.push(() => follower.stop());
    }
    if (roles.has('probe')) {
      let publish: (records: MonitorCheckRecord[]) => Promise<void>;
      if (monitorResultsBus) {
        const b = monitorResultsBus;
        publish = (records) => publishMonitorResults(b, records);
      } else {
        const buffered = new BufferedResultsWriter(new MonitorResultsWriter(clickhouse!), { log: log.warn });
        stops.push(() => buffered.close());
        publish = (records) => buffered.add(records);
      }
      const probe = startProbeRole({
        dataSource: controlPlane!.dataSource,
        guard,
        location: config.probe.location,
        concurrency: config.probe.concurrency,
        pollMs: config.probe.pollMs,
        publish,
        log: log.warn,
      });
      stops.push(() => probe.stop());
      log.info(`probe: checking monitors from ${config.probe.location} as replica ${probe.replicaId}`);
    }

    let otlpHttpUrl: string | undefined;
    let otlpGrpcAddress: string | undefined;
    if (roles.has('collector')) {
      const metrics = createCollectorMetrics(registry);
      if (bus) {
        const publisher = new JetStreamPublisher(
          bus,
          { ...DEFAULT_PUBLISHER_CONFIG, workers: config.ingestWorkers },
          metrics.publishSeconds,
        );
        stops.push(() => publisher.close());
        consumer = publisher;
      }
      const receiverConfig = {
        host: config.host,
        httpPort: config.otlpHttpPort,
        grpcPort: config.otlpGrpcPort,
        maxRequestBytes: config.otlpMaxRequestBytes,
        connections: config.otlpConnections,
      };
      // One budget of bytes in flight for every receiver of the process.
      const admission = new InflightBytes(config.otlpAdmission);
      registerInflightGauge(registry, () => admission.bytes);
      // One set of ingest-rate buckets too: OTLP/HTTP, OTLP/gRPC and remote write share a tenant's quota.
      const collectorReplicas = config.collectorReplicas;
      const rateLimiter = new IngestRateLimiter({ replicas: () => collectorReplicas });
      // And one set of active series per tenant, shared with the decoder threads (limit ÷ replicas too).
      const activeSeries = new ActiveSeriesLimits({ replicas: () => collectorReplicas });
      // Daily volume from the usage table, where this process's ClickHouse is (all-in-one, collector+ingest).
      const ch = clickhouse;
      const dailyVolume =
        ch &&
        new DailyVolumeLimiter((tenant, signal, dayStartMs) => readAcceptedItemsSince(ch, tenant, signal, dayStartMs));
      const deps = {
        authenticate: controlPlane!.authenticate,
        consumer: consumer!,
        admission,
        rateLimiter,
        activeSeries,
        ...(usage ? { usage } : {}),
        ...(dailyVolume ? { dailyVolume } : {}),
        metrics,
        log: log.receivers,
      };
      const grpc = await startOtlpGrpcReceiver(receiverConfig, deps);
      stops.push(() => grpc.close());
      const http = await startOtlpHttpReceiver(receiverConfig, deps);
      stops.push(() => http.close());
      ingestEndpoints.otlpHttpPort = http.port;
      ingestEndpoints.otlpGrpcPort = grpc.port;
      otlpHttpUrl = `http://${config.host}:${http.port}`;
      otlpGrpcAddress = `${config.host}:${grpc.port}`;
    }

    const ch = clickhouse;
    const ops = await startOpsServer(config.host, config.metricsPort, registry, async () => {
      if (bus && !bus.connected()) return false;
      return ch ? migrationsComplete(ch) : true;
    });
    stops.push(() => ops.close());
    return {
      apiUrl,
      otlpHttpUrl,
      otlpGrpcAddress,
      metricsUrl: `http://${config.host}:${ops.port}`,
      clickhouse,
      controlPlane,
      close: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
