export {
  MonitorInputSchema,
  CheckSpecSchema,
  HttpCheckSchema,
  TcpCheckSchema,
  DnsCheckSchema,
  TlsCheckSchema,
  HeartbeatCheckSchema,
  DNS_RECORD_TYPES,
  JSON_PATH_OPS,
  MIN_INTERVAL_MS,
  MAX_INTERVAL_MS,
  MAX_TIMEOUT_MS,
  parseResolver,
  type MonitorInput,
  type CheckSpec,
  type HttpCheck,
  type TcpCheck,
  type DnsCheck,
  type TlsCheck,
  type HeartbeatCheck,
} from '@telemetryflow/contract/monitors';
export type { CheckOutcome, CheckResult } from './check-result.js';
export type { CheckContext } from './check-context.js';
export { CheckFailure, failureMessage, TARGET_NOT_ALLOWED } from './check-errors.js';
export { runCheck, heartbeatResult, type ActiveCheck, type CheckRun } from './run-check.js';
export { runHttpCheck, MAX_BODY_BYTES } from './checks/http-check.js';
export { runTcpCheck } from './checks/tcp-check.js';
export { runTlsCheck } from './checks/tls-check.js';
export { runDnsCheck, RESOLVER_NOT_ALLOWED } from './checks/dns-check.js';
export { failedAssertion, statusInRange, type HttpResponseFacts } from './http-assertions.js';
export { parseJsonPath, readJsonPath, JsonPathError } from './json-path.js';
export { heartbeatState, type Beat, type HeartbeatState, type HeartbeatVerdict } from './heartbeat-state.js';
export {
  nextMonitorState,
  initialMonitorState,
  isRetrying,
  type MonitorState,
  type MonitorStatus,
} from './monitor-state.js';
export { dueMonitors, nextRunMs, slotOffsetMs, type ScheduleEntry } from './schedule.js';
export { ProbeRunner, type ProbeMonitor, type ProbeRunnerConfig } from './probe-runner.js';
export { MonitorScheduler, type MonitorSchedulerConfig } from './monitor-scheduler.js';
export { startProbeRole, type ProbeRole, type ProbeRoleConfig } from './probe-role.js';
