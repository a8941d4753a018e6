import { DashboardRenderer } from './dashboard-renderer.js';
import { DashboardsController } from './dashboards.controller.js';
import { DashboardsRepository } from './dashboards.repository.js';
import { DashboardsService } from './dashboards.service.js';
import { VariableValuesRepository } from './variable-values.repository.js';

export { DashboardsController, DashboardRenderer };

/** The dashboards feature's providers, for the API module. */
export const DASHBOARD_PROVIDERS = [
  DashboardsRepository,
  DashboardsService,
  DashboardRenderer,
  VariableValuesRepository,
];
