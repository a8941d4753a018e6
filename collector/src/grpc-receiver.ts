// OTLP/gRPC with @grpc/grpc-js: the three Export services, registered with hand-made service
// definitions whose request deserializer keeps the raw bytes (decoding is the consumer's job,
// off the event loop). grpc-js enforces grpc.max_receive_message_length on the message,
// after decompression, with RESOURCE_EXHAUSTED.
import { Server, ServerCredentials, type ServiceDefinition, type handleUnaryCall } from '@grpc/grpc-js';
import { GRPC_SERVICE, SIGNALS, encodeExportResponse, type ExportOutcome, type Signal } from '@telemetryflow/schemas';
import { validateReceiverConfig, type ReceiverConfig, type RunningReceiver } from './config.js';
import { toExportError, toGrpcError } from './errors.js';
import { createExportHandler, type ExportHandler, type ExportHandlerDeps } from './export-handler.js';

/** The `Export` method of one OTLP collector service, with the request left as raw bytes. */
export function exportServiceDefinition(signal: Signal): ServiceDefinition {
  return {
    Export: {
      path: `/${GRPC_SERVICE[signal]}/Export`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (payload: Uint8Array) => Buffer.from(payload),
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (outcome: ExportOutcome) => Buffer.from(encodeExportResponse(signal, outcome, 'protobuf')),
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  };
}

function exportMethod(handle: ExportHandler): handleUnaryCall<Buffer, ExportOutcome> {
  return (call, callback) => {
    const authorization = call.metadata.get('authorization')[0];
    handle({
      authorization: typeof authorization === 'string' ? authorization : undefined,
      encoding: 'protobuf',
      readPayload: () => Promise.resolve(call.request),
    }).then(
      (outcome) => callback(null, outcome),
      (err: unknown) => callback(toGrpcError(toExportError(err))),
    );
  };
}

export async function startOtlpGrpcReceiver(cfg: ReceiverConfig, deps: ExportHandlerDeps): Promise<RunningReceiver> {
  validateReceiverConfig(cfg);
  const server = new Server({
    'grpc.max_receive_message_length': cfg.maxRequestBytes,
  });
  for (const signal of SIGNALS) {
    server.addService(exportServiceDefinition(signal), { Export: exportMethod(createExportHandler(signal, deps)) });
  }
  const address = `${cfg.host.includes(':') && !cfg.host.startsWith('[') ? `[${cfg.host}]` : cfg.host}:${cfg.grpcPort}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound)));
  });
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.tryShutdown((err) => (err ? reject(err) : resolve()));
      })),
  };
}
