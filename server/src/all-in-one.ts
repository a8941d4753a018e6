import { createClickHouse, migrate, migrationsComplete, type ClickHouseClient } from '@telemetryflow/clickhouse';
import { startOtlpGrpcReceiver, startOtlpHttpReceiver } from '@telemetryflow/collector';
import { IngestPipeline } from '@telemetryflow/ingest';
import { openControlPlane, startQueryServer } from '@telemetryflow/query';
import type { Config } from './config.js';

export interface RunningAllInOne {
  apiUrl: string;
  otlpHttpUrl: string;
  otlpGrpcAddress: string;
  /** The process's ClickHouse client (the embedded engine belongs to this process). */
  clickhouse: ClickHouseClient;
  close(): Promise<void>;
}

/**
 * Collector, writer and query API in one process. Started downstream first (storage,
 * writer, API, then the receivers) and stopped upstream first, so that every request
 * a receiver accepted is inserted before storage closes.
 */
export async function startAllInOne(config: Config, log: (msg: string) => void = console.log): Promise<RunningAllInOne> {
  const clickhouse = await createClickHouse({ url: config.clickhouseUrl, dataDir: config.dataDir });
  const stops: (() => Promise<void>)[] = [() => clickhouse.close()];
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
    await migrate(clickhouse);
    const controlPlane = await openControlPlane(
      { databaseUrl: config.databaseUrl, dataDir: config.dataDir, pglitePort: config.pglitePort, bootstrap: config.bootstrap },
      log,
    );
    stops.push(() => controlPlane.close());
    const pipeline = new IngestPipeline(clickhouse, {
      workers: config.ingestWorkers,
      batcher: { maxRows: config.ingestBatchRows, maxDelayMs: config.ingestBatchDelayMs },
    });
    stops.push(() => pipeline.close());
    const api = await startQueryServer({
      host: config.host,
      port: config.httpPort,
      clickhouse,
      controlPlane,
      clickhouseMigrated: () => migrationsComplete(clickhouse),
    });
    stops.push(() => api.close());
    const receiverConfig = {
      host: config.host,
      httpPort: config.otlpHttpPort,
      grpcPort: config.otlpGrpcPort,
      maxRequestBytes: config.otlpMaxRequestBytes,
    };
    const deps = { authenticate: controlPlane.authenticate, consumer: pipeline };
    const grpc = await startOtlpGrpcReceiver(receiverConfig, deps);
    stops.push(() => grpc.close());
    const http = await startOtlpHttpReceiver(receiverConfig, deps);
    stops.push(() => http.close());
    return {
      apiUrl: `http://${config.host}:${api.port}`,
      otlpHttpUrl: `http://${config.host}:${http.port}`,
      otlpGrpcAddress: `${config.host}:${grpc.port}`,
      clickhouse,
      close: stopAll,
    };
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
