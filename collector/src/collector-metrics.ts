import { Counter, Histogram, type Registry } from 'prom-client';

/** What the OTLP receivers report at /metrics. */
export interface CollectorMetrics {
  /** Export requests by outcome: accepted, partial, or the error kind that refused them. */
  requests: Counter<'signal' | 'tenant' | 'outcome'>;
  itemsAccepted: Counter<'signal' | 'tenant'>;
  itemsRejected: Counter<'signal' | 'tenant'>;
  publishSeconds: Histogram<'signal'>;
}

export function createCollectorMetrics(registry: Registry): CollectorMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'tf_otlp_requests_total',
      help: 'OTLP export requests by signal, tenant and outcome (accepted, partial, malformed, unauthenticated, forbidden, too-large, unsupported-media-type, unavailable)',
      labelNames: ['signal', 'tenant', 'outcome'],
      registers,
    }),
    itemsAccepted: new Counter({
      name: 'tf_otlp_items_accepted_total',
      help: 'Spans, log records and metric data points accepted',
      labelNames: ['signal', 'tenant'],
      registers,
    }),
    itemsRejected: new Counter({
      name: 'tf_otlp_items_rejected_total',
      help: 'Items refused one by one (OTLP partial success)',
      labelNames: ['signal', 'tenant'],
      registers,
    }),
    publishSeconds: new Histogram({
      name: 'tf_jetstream_publish_seconds',
      help: 'Time from publishing an accepted request to its JetStream PubAck',
      labelNames: ['signal'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    }),
  };
}
