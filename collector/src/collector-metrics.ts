import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the OTLP receivers report at /metrics. */
export interface CollectorMetrics {
  /** Export requests by outcome: accepted, partial, or the error kind that refused them. */
  requests: Counter<'signal' | 'tenant' | 'outcome'>;
  itemsAccepted: Counter<'signal' | 'tenant'>;
  itemsRejected: Counter<'signal' | 'tenant'>;
  publishSeconds: Histogram<'signal'>;
  /** Connections the listeners closed: over the per-address limit, or never authenticated. */
  connectionsClosed: Counter<'listener' | 'reason'>;
}

/** Reports the bytes of requests in flight (admission control) at every scrape. */
export function registerInflightGauge(registry: Registry, bytes: () => number): void {
  new Gauge({
    name: 'tf_otlp_inflight_bytes',
    help: 'Bytes of telemetry requests in flight (received, inflated, being decoded or stored); beyond TF_OTLP_MAX_INFLIGHT_BYTES requests are throttled',
    registers: [registry],
    collect() {
      this.set(bytes());
    },
  });
}

export function createCollectorMetrics(registry: Registry): CollectorMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'tf_otlp_requests_total',
      help: 'OTLP export requests by signal, tenant and outcome (accepted, partial, malformed, unauthenticated, forbidden, too-large, unsupported-media-type, throttled, timeout, unavailable)',
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
    connectionsClosed: new Counter({
      name: 'tf_otlp_connections_closed_total',
      help: 'Connections the OTLP listeners closed by listener (http, grpc) and reason (address-limit, unauthenticated)',
      labelNames: ['listener', 'reason'],
      registers,
    }),
  };
}
