import type { ComponentStatus } from '@telemetryflow/contract';

/** Tag colours of component statuses and incident impacts. */
export const STATUS_TAG: Record<ComponentStatus, 'success' | 'warning' | 'error' | 'info'> = {
  operational: 'success',
  degraded: 'warning',
  partial_outage: 'error',
  major_outage: 'error',
  maintenance: 'info',
};
