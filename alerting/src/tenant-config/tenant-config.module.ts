import { Module, type DynamicModule } from '@nestjs/common';
import { AlertsService } from '../alerts/alerts.service.js';
import type { AlertingApiConfig } from '../api/alerting-api.module.js';
import { ChannelsService } from '../channels/channels.service.js';
import { AddressGuard } from '../delivery/address-guard.js';
import { MonitorResultsReader } from '../monitors/monitor-results-reader.js';
import { MonitorsService } from '../monitors/monitors.service.js';
import { NotificationPoliciesService } from '../policies/notification-policies.service.js';
import { AlertRulesService } from '../rules/alert-rules.service.js';
import { StatusPagesService } from '../status/status-pages.service.js';
import { TenantConfigController } from './tenant-config.controller.js';
import { TenantConfigService, type TenantDashboards } from './tenant-config.service.js';

export interface TenantConfigModuleConfig extends AlertingApiConfig {
  /** The read model's dashboards (query's DashboardsRepository). */
  dashboards: TenantDashboards;
}

/** `GET /api/v1/tenant-config/export` and `POST …/import`, served by the query API next to AlertingApiModule. */
@Module({})
export class TenantConfigModule {
  static forRoot(cfg: TenantConfigModuleConfig): DynamicModule {
    const ds = cfg.controlPlane.dataSource;
    const service = new TenantConfigService({
      ds,
      channels: new ChannelsService(ds, cfg.delivery, cfg.smtp),
      monitors: new MonitorsService(ds, cfg.guard ?? new AddressGuard(), new MonitorResultsReader(cfg.reads.reader)),
      rules: new AlertRulesService(ds, cfg.reader.limits),
      policies: new NotificationPoliciesService(ds),
      statusPages: new StatusPagesService(ds),
      alerts: new AlertsService(ds),
      dashboards: cfg.dashboards,
    });
    return {
      module: TenantConfigModule,
      controllers: [TenantConfigController],
      providers: [{ provide: TenantConfigService, useValue: service }],
    };
  }
}
