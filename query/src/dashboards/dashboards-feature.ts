import type { ControlPlaneFeature } from '@telemetryflow/identity';
import { createBuiltInDashboards, refreshBuiltInDashboards } from './built-in-dashboards.js';
import { DashboardEntity, DashboardVersionEntity } from './dashboard.entities.js';
import { Dashboards1764300000000 } from './migrations/0004-dashboards.js';

/**
 * Dashboards in the control-plane database: their tables (migration 0004, between identity's
 * 0003 and 0005 by timestamp), the built-in dashboards of every new tenant, and at each start
 * the unedited built-ins brought to the current templates.
 */
export const DASHBOARDS_FEATURE: ControlPlaneFeature = {
  entities: [DashboardEntity, DashboardVersionEntity],
  migrations: [Dashboards1764300000000],
  onTenantCreated: async (em, tenantId) => {
    await createBuiltInDashboards(em, tenantId);
  },
  afterMigrations: async (dataSource, log) => {
    const refreshed = await dataSource.transaction((em) => refreshBuiltInDashboards(em));
    if (refreshed > 0)
      log(`control plane: ${refreshed} unedited built-in dashboard(s) brought to the current templates`);
  },
};
