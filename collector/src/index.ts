export { DEFAULT_RECEIVER_CONFIG, validateReceiverConfig, type ReceiverConfig, type ReceiverLog, type RunningReceiver } from './config.js';
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  ExportError,
  grpcCodeOf,
  httpStatusOf,
  toExportError,
  type ExportErrorKind,
} from './errors.js';
export { bearerToken, createExportHandler, type ExportCall, type ExportHandler, type ExportHandlerDeps } from './export-handler.js';
export { encodingOfContentType, startOtlpHttpReceiver } from './http-receiver.js';
export { exportServiceDefinition, startOtlpGrpcReceiver } from './grpc-receiver.js';
