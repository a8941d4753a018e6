// The JetStream objects TelemetryFlow needs, created or updated idempotently by every
// collector and writer at start (several may start at once).
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { busSignalFilter, SIGNALS, type Signal } from '@telemetryflow/otlp';

export interface JetStreamSettings {
  /** Stream holding accepted OTLP requests until a writer has inserted them. */
  stream: string;
  deadLetterStream: string;
  /** KV bucket of the batches writers are inserting (see batch-manifests.ts). */
  manifestBucket: string;
  replicas: number;
  maxAgeSeconds: number;
  /** Above it, publishes are refused (discard new) and clients are told to retry. */
  maxBytes: number;
  /** A client's retry of the same export within this window is stored once. */
  duplicateWindowSeconds: number;
  /** How long a writer may hold a message before JetStream redelivers it. */
  ackWaitSeconds: number;
  deadLetterMaxAgeSeconds: number;
}

export const DEFAULT_JETSTREAM_SETTINGS: JetStreamSettings = {
  stream: 'TF_OTLP',
  deadLetterStream: 'TF_OTLP_DEAD_LETTERS',
  manifestBucket: 'tf-ingest-batches',
  replicas: 1,
  maxAgeSeconds: 72 * 3600,
  maxBytes: 8 * 1024 ** 3,
  duplicateWindowSeconds: 600,
  ackWaitSeconds: 60,
  deadLetterMaxAgeSeconds: 30 * 24 * 3600,
};

export function writerConsumerName(signal: Signal): string {
  return `tf-writer-${signal}`;
}

export function deadLetterSubject(signal: Signal): string {
  return `tf-dead.${signal}`;
}

export function streamConfig(s: JetStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: s.stream,
    subjects: SIGNALS.map(busSignalFilter),
    // Work queue: a message is deleted once a writer acks it, so draining frees room.
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: s.replicas,
    max_age: nanos(s.maxAgeSeconds * 1000),
    max_bytes: s.maxBytes,
    discard: DiscardPolicy.New,
    duplicate_window: nanos(s.duplicateWindowSeconds * 1000),
  };
}

function deadLetterStreamConfig(s: JetStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: s.deadLetterStream,
    subjects: SIGNALS.map(deadLetterSubject),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: s.replicas,
    max_age: nanos(s.deadLetterMaxAgeSeconds * 1000),
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(s.duplicateWindowSeconds * 1000),
  };
}

export function writerConsumerConfig(
  signal: Signal,
  s: JetStreamSettings,
): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: writerConsumerName(signal),
    filter_subject: busSignalFilter(signal),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(s.ackWaitSeconds * 1000),
    // Never given up on by JetStream: the writer decides when a message is poison.
    max_deliver: -1,
    max_ack_pending: 20_000,
  };
}

const STREAM_NOT_FOUND = 10059;
const STREAM_NAME_IN_USE = 10058;

/** Creates the stream, or brings an existing one to the configured limits. */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
      return;
    } catch (err) {
      if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NOT_FOUND || attempt > 2) throw err;
    }
    try {
      await jsm.streams.add(config);
      return;
    } catch (err) {
      // Another process created it between our two calls: update it on the next round.
      if (!(err instanceof JetStreamApiError) || err.code !== STREAM_NAME_IN_USE) throw err;
    }
  }
}

async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  try {
    await jsm.consumers.info(stream, config.durable_name);
  } catch {
    try {
      await jsm.consumers.add(stream, config);
      return;
    } catch {
      // Created meanwhile by another process: fall through to the update.
    }
  }
  const { durable_name: _name, filter_subject: _filter, deliver_policy: _deliver, ...mutable } = config;
  await jsm.consumers.update(stream, config.durable_name, mutable);
}

/** Streams and writer consumers; the manifest bucket is created by the writer that uses it. */
export async function ensureTopology(jsm: JetStreamManager, settings: JetStreamSettings): Promise<void> {
  await ensureStream(jsm, streamConfig(settings));
  await ensureStream(jsm, deadLetterStreamConfig(settings));
  for (const signal of SIGNALS) await ensureConsumer(jsm, settings.stream, writerConsumerConfig(signal, settings));
}
