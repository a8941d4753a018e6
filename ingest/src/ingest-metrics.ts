import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the JetStream writers report at /metrics. */
export interface IngestMetrics {
  batchRows: Histogram<'signal'>;
  insertSeconds: Histogram<'signal'>;
  consumerPending: Gauge<'signal'>;
  redeliveries: Counter<'signal'>;
  deadLetters: Counter<'signal'>;
  insertErrors: Counter<'signal'>;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const registers = [registry];
  return {
    batchRows: new Histogram({
      name: 'tf_ingest_batch_rows',
      help: 'Rows per ClickHouse insert batch written from JetStream',
      labelNames: ['signal'],
      buckets: [100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000],
      registers,
    }),
    insertSeconds: new Histogram({
      name: 'tf_ingest_insert_seconds',
      help: 'Time to insert one batch into ClickHouse, all tables',
      labelNames: ['signal'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    consumerPending: new Gauge({
      name: 'tf_ingest_consumer_pending_messages',
      help: 'Messages in JetStream not yet acked by the writers (consumer lag)',
      labelNames: ['signal'],
      registers,
    }),
    redeliveries: new Counter({
      name: 'tf_ingest_redeliveries_total',
      help: 'Messages JetStream delivered again (writer died, nak, or ack wait passed)',
      labelNames: ['signal'],
      registers,
    }),
    insertErrors: new Counter({
      name: 'tf_ingest_insert_errors_total',
      help: 'Batch inserts that failed and were handed back to JetStream for a retry',
      labelNames: ['signal'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'tf_ingest_dead_letters_total',
      help: 'Messages moved to the dead-letter stream',
      labelNames: ['signal'],
      registers,
    }),
  };
}
