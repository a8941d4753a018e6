// OTLP/gRPC with @grpc/grpc-js: the three Export services, registered with hand-made service
// definitions whose request deserializer keeps the raw bytes (decoding is the consumer's job,
// off the event loop).
//
// grpc-js reads a call's message only once the handler asks for it, and inflates it itself
// (capped per message by grpc.max_receive_message_length, RESOURCE_EXHAUSTED beyond). An
// interceptor runs first on the call's metadata: it authenticates the caller, and admits it
// with the largest message it may send reserved from the bytes in flight, before grpc-js
// reads or inflates a byte; the reservation shrinks to the message's size once it is in.
//
// The TCP listener is ours (grpc-js's connection injector takes the sockets), so that the
// connection guard can cap connections per address and close those that never authenticate;
// grpc-js closes idle and old connections and pings to find dead ones.
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import {
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  type Metadata,
  type ServerInterceptor,
  type ServiceDefinition,
  type handleUnaryCall,
} from '@grpc/grpc-js';
import {
  GRPC_SERVICE,
  SIGNALS,
  encodeExportResponse,
  type Credential,
  type ExportOutcome,
  type Signal,
} from '@telemetryflow/otlp';
import { ActiveSeriesLimits } from '@telemetryflow/rows';
import { IngestRateLimiter } from './ingest-rate-limiter.js';
import { InflightBytes, REQUEST_OVERHEAD_BYTES, type AdmissionTicket } from './admission.js';
import {
  connectionSettings,
  validateReceiverConfig,
  type ConnectionSettings,
  type ReceiverConfig,
  type RunningReceiver,
} from './config.js';
import { ConnectionGuard } from './connection-guard.js';
import { ExportError, toExportError, toGrpcError } from './errors.js';
import { createExportHandler, type ExportHandler, type ExportHandlerDeps } from './export-handler.js';

/** Server pings an idle client after this long, and drops it when the ping goes unanswered. */
const KEEPALIVE_TIME_MS = 60_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;

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

/** What the interceptor found out about a call, for its handler (keyed by the call's metadata). */
interface Admitted {
  credential: Credential;
  ticket: AdmissionTicket;
}

function exportMethod(
  handler: ExportHandler,
  admitted: WeakMap<Metadata, Admitted>,
): handleUnaryCall<Buffer, ExportOutcome> {
  return (call, callback) => {
    const pass = admitted.get(call.metadata);
    if (!pass) {
      callback(toGrpcError(new ExportError('unavailable', 'the call was not admitted')));
      return;
    }
    handler
      .export(pass.credential, {
        encoding: 'protobuf',
        ticket: pass.ticket,
        declaredBytes: call.request.byteLength,
        readPayload: () => Promise.resolve(call.request),
      })
      .then(
        (outcome) => callback(null, outcome),
        (err: unknown) => callback(toGrpcError(toExportError(err))),
      );
  };
}

/**
 * Authenticates and admits each Export call before grpc-js reads its message, and gives the
 * message a deadline; other methods pass through (grpc-js answers them UNIMPLEMENTED).
 */
function admittingInterceptor(
  handlers: ReadonlyMap<string, ExportHandler>,
  admitted: WeakMap<Metadata, Admitted>,
  guard: ConnectionGuard,
  maxRequestBytes: number,
  requestTimeoutMs: number,
): ServerInterceptor {
  return (method, call) => {
    const handler = handlers.get(method.path);
    if (!handler) return new ServerInterceptingCall(call);
    let ticket: AdmissionTicket | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const refuse = (err: ExportError) => {
      if (deadline) clearTimeout(deadline);
      ticket?.release();
      const status = toGrpcError(err);
      intercepting.sendStatus({ code: status.code, details: status.details, metadata: status.metadata ?? null });
    };
    const intercepting: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const authorization = metadata.get('authorization')[0];
            handler.authorize(typeof authorization === 'string' ? authorization : undefined).then(
              (credential) => {
                const peer = call.getConnectionInfo();
                guard.authenticated(peer.remoteAddress, peer.remotePort);
                try {
                  ticket = handler.admission.admit(credential.tenantId);
                  // grpc-js buffers and inflates the message before we see it: hold room for the largest.
                  ticket.charge(maxRequestBytes);
                } catch (err) {
                  refuse(handler.refuse(err, credential.tenantId));
                  return;
                }
                admitted.set(metadata, { credential, ticket });
                deadline = setTimeout(
                  () =>
                    refuse(
                      handler.refuse(
                        new ExportError('timeout', `the request did not arrive within ${requestTimeoutMs} ms`),
                        credential.tenantId,
                      ),
                    ),
                  requestTimeoutMs,
                );
                pass(metadata);
              },
              (err: unknown) => refuse(toExportError(err)),
            );
          },
          onReceiveMessage: (message: Buffer, pass) => {
            if (deadline) clearTimeout(deadline);
            ticket?.shrinkTo(REQUEST_OVERHEAD_BYTES + message.byteLength);
            pass(message);
          },
          // Every call ends here, answered or not (a refused ticket is released twice: harmless).
          onCancel: () => {
            if (deadline) clearTimeout(deadline);
            ticket?.release();
          },
        }),
    });
    return intercepting;
  };
}

function grpcOptions(
  cfg: ReceiverConfig,
  conn: ConnectionSettings,
  interceptors: ServerInterceptor[],
): ConstructorParameters<typeof Server>[0] {
  return {
    'grpc.max_receive_message_length': cfg.maxRequestBytes,
    'grpc.max_connection_idle_ms': conn.idleTimeoutMs,
    'grpc.max_connection_age_ms': conn.grpcMaxConnectionAgeMs,
    // A connection past its age finishes the calls under way for at most a request's time.
    'grpc.max_connection_age_grace_ms': conn.requestTimeoutMs,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
    interceptors,
  };
}

export async function startOtlpGrpcReceiver(cfg: ReceiverConfig, deps: ExportHandlerDeps): Promise<RunningReceiver> {
  validateReceiverConfig(cfg);
  const conn = connectionSettings(cfg);
  const admission = deps.admission ?? new InflightBytes();
  const rateLimiter = deps.rateLimiter ?? new IngestRateLimiter();
  const activeSeries = deps.activeSeries ?? new ActiveSeriesLimits();
  const guard = new ConnectionGuard(conn, (reason) =>
    deps.metrics?.connectionsClosed.inc({ listener: 'grpc', reason }),
  );
  const handlers = new Map<string, ExportHandler>();
  const admitted = new WeakMap<Metadata, Admitted>();
  const server = new Server(
    grpcOptions(cfg, conn, [
      admittingInterceptor(handlers, admitted, guard, cfg.maxRequestBytes, conn.requestTimeoutMs),
    ]),
  );
  for (const signal of SIGNALS) {
    const handler = createExportHandler(signal, { ...deps, admission, rateLimiter, activeSeries });
    handlers.set(`/${GRPC_SERVICE[signal]}/Export`, handler);
    server.addService(exportServiceDefinition(signal), { Export: exportMethod(handler, admitted) });
  }
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const listener: NetServer = createServer((socket: Socket) => {
    if (guard.accept(socket)) injector.injectConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(cfg.grpcPort, cfg.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    port: (listener.address() as AddressInfo).port,
    close: () =>
      (closing ??= (async () => {
        // No new connections; the listener's callback waits for the open ones, which
        // tryShutdown closes once their calls are answered.
        const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
        await new Promise<void>((resolve, reject) => server.tryShutdown((err) => (err ? reject(err) : resolve())));
        await listenerClosed;
      })()),
  };
}
