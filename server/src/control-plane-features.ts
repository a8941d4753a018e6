import { ALERTING_FEATURE } from '@telemetryflow/alerting';
import type { ControlPlaneFeature } from '@telemetryflow/identity';
import { DASHBOARDS_FEATURE, DATA_JOBS_FEATURE, SAVED_SEARCHES_FEATURE } from '@telemetryflow/query';

/**
 * The features that keep tables in the control-plane database (identity's own come first).
 * Every role and the migrate command open it with this same list, so each process knows every
 * migration (TypeORM runs them in timestamp order: identity's 0001–0003, dashboards' 0004,
 * alerting's, identity's 0005 — as before the packages were split) and every tenant-creation hook.
 */
export const CONTROL_PLANE_FEATURES: readonly ControlPlaneFeature[] = [
  DASHBOARDS_FEATURE,
  ALERTING_FEATURE,
  DATA_JOBS_FEATURE,
  SAVED_SEARCHES_FEATURE,
];
