import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import type { ControlPlane } from '@telemetryflow/identity';
import { ROLES, type Config } from './config.js';
import type { NodeLog } from './logger.js';
import { startNode } from './node.js';

export interface RunningAllInOne {
  apiUrl: string;
  otlpHttpUrl: string;
  otlpGrpcAddress: string;
  metricsUrl: string;
  /** The process's ClickHouse client (the embedded engine belongs to this process). */
  clickhouse: ClickHouseClient;
  /** The process's control-plane database (tenants, keys, dashboards, rules; the audit outbox). */
  controlPlane: ControlPlane;
  close(): Promise<void>;
}

/** Every role in one process: in-process hand-off, or JetStream when NATS_URL is set. */
export async function startAllInOne(
  config: Config,
  log: NodeLog | ((msg: string) => void) = console.log,
): Promise<RunningAllInOne> {
  const node = await startNode({ ...config, roles: new Set(ROLES) }, log);
  const { apiUrl, otlpHttpUrl, otlpGrpcAddress, clickhouse, controlPlane } = node;
  if (!apiUrl || !otlpHttpUrl || !otlpGrpcAddress || !clickhouse || !controlPlane)
    throw new Error('all-in-one started without every role');
  return {
    apiUrl,
    otlpHttpUrl,
    otlpGrpcAddress,
    metricsUrl: node.metricsUrl,
    clickhouse,
    controlPlane,
    close: node.close,
  };
}
