// grpc-js as an OTLP client sees the receiver: raw Export calls, and the RetryInfo of errors.
import assert from 'node:assert/strict';
import { Client, Metadata, compressionAlgorithms, credentials, type ServiceError } from '@grpc/grpc-js';
import { GRPC_SERVICE, otlpRoot, type Signal } from '@telemetryflow/otlp';
import { INGEST_KEY } from './fixtures.js';

export interface CallResult {
  response?: Buffer;
  error?: ServiceError;
}

export function call(
  client: Client,
  signal: Signal,
  payload: Buffer,
  token: string | null = INGEST_KEY,
): Promise<CallResult> {
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      `/${GRPC_SERVICE[signal]}/Export`,
      (b) => b,
      (b) => b,
      payload,
      metadata,
      (error, response) => resolve(error ? { error } : { response: response! }),
    );
  });
}

export function makeClient(port: number, gzip = false): Client {
  return new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
    ...(gzip ? { 'grpc.default_compression_algorithm': compressionAlgorithms.gzip } : {}),
  });
}

/** google.rpc.RetryInfo{retry_delay: Duration{seconds}} inside grpc-status-details-bin, if present. */
export function retryDelaySeconds(error: ServiceError): number | null {
  const raw = error.metadata.get('grpc-status-details-bin')[0];
  if (!(raw instanceof Buffer)) return null;
  const statusType = otlpRoot.lookupType('google.rpc.Status');
  const status = statusType.toObject(statusType.decode(raw)) as {
    code: number;
    details?: { typeUrl: string; value: Uint8Array }[];
  };
  assert.equal(status.code, error.code);
  const detail = status.details?.find((d) => d.typeUrl === 'type.googleapis.com/google.rpc.RetryInfo');
  if (!detail) return null;
  // RetryInfo field 1 (Duration) → Duration field 1 (int64 seconds), both tiny here.
  const v = Buffer.from(detail.value);
  assert.equal(v[0], 0x0a);
  if (v[1] === 0) return 0;
  assert.equal(v[2], 0x08);
  return v[3]!;
}
