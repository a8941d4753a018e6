import { Counter, Histogram, type Registry } from 'prom-client';

/** What the alerting role reports at /metrics. */
export interface AlertingMetrics {
  /** Rule evaluations by outcome: ok, error (the condition could not be read), lost (the lease ran out first). */
  evaluations: Counter<'outcome'>;
  evaluationSeconds: Histogram;
  /** Notification deliveries by channel type and outcome: sent, failed, retrying. */
  notifications: Counter<'channel' | 'outcome'>;
}

export function createAlertingMetrics(registry: Registry): AlertingMetrics {
  return {
    evaluations: new Counter({
      name: 'tf_alerting_evaluations_total',
      help: 'Alert rule evaluations by outcome (ok, error, lost)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    evaluationSeconds: new Histogram({
      name: 'tf_alerting_evaluation_seconds',
      help: 'Time to evaluate one alert rule: read its condition, step its alerts, commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'tf_alerting_notifications_total',
      help: 'Notification deliveries by channel type and outcome (sent, failed, retrying)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
  };
}
