export {
  DEFAULT_CONNECTION_SETTINGS,
  DEFAULT_RECEIVER_CONFIG,
  validateReceiverConfig,
  type ConnectionSettings,
  type ReceiverConfig,
  type ReceiverLog,
  type RunningReceiver,
} from './config.js';
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  ExportError,
  THROTTLED_RETRY_AFTER_SECONDS,
  grpcCodeOf,
  httpStatusOf,
  toExportError,
  type ExportErrorKind,
} from './errors.js';
export {
  bearerOrBasicToken,
  bearerToken,
  createExportHandler,
  type AuthScheme,
  OTLP_EXPORT_SPAN,
  type ExportCall,
  type ExportHandler,
  type ExportHandlerDeps,
} from './export-handler.js';
export { encodingOfContentType, startOtlpHttpReceiver } from './http-receiver.js';
export { REMOTE_WRITE_PATHS, uncompressSnappy } from './remote-write-route.js';
export { exportServiceDefinition, startOtlpGrpcReceiver } from './grpc-receiver.js';
export { createCollectorMetrics, registerInflightGauge, type CollectorMetrics } from './collector-metrics.js';
export {
  BusUnavailableError,
  DEFAULT_PUBLISHER_CONFIG,
  JetStreamPublisher,
  type PublisherConfig,
} from './jetstream/jetstream-publisher.js';
export { splitExportRequest, type SplitRequest } from './jetstream/split-request.js';
export { prepareForBus, type PrepareResult, type PrepareTask } from './jetstream/bus-prepare.js';
export {
  DEFAULT_ADMISSION_LIMITS,
  InflightBytes,
  REQUEST_OVERHEAD_BYTES,
  type AdmissionLimits,
  type AdmissionTicket,
} from './admission.js';
export { ConnectionGuard, type ConnectionLimits } from './connection-guard.js';
export { IngestRateLimiter, type IngestRateLimiterOptions } from './ingest-rate-limiter.js';
export { DailyVolumeLimiter, type DailyItemsReader, type DailyVolumeLimiterOptions } from './daily-volume-limiter.js';
