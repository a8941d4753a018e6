import { Module, type DynamicModule } from '@nestjs/common';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import type { ControlPlane } from '@telemetryflow/identity';
import { AlertsService } from '../alerts/alerts.service.js';
import { ChannelsService } from '../channels/channels.service.js';
import type { HttpDelivery } from '../delivery/http-delivery.js';
import { AlertHistory } from '../history/alert-history.js';
import { AlertRulesService } from '../rules/alert-rules.service.js';
import { CONDITION_READER, type ConditionReader } from '../sources/condition-reader.js';
import type { QueryReads } from '../sources/query-reads.js';
import { AlertRulesController } from './alert-rules.controller.js';
import { AlertsController, SilencesController } from './alerts.controller.js';
import { ChannelsController } from './channels.controller.js';
import { PublicStatusController } from './public-status.controller.js';
import { StatusPagesController } from './status-pages.controller.js';
import { StatusPagesService } from '../status/status-pages.service.js';
import { AddressGuard } from '../delivery/address-guard.js';
import { MonitorResultsReader } from '../monitors/monitor-results-reader.js';
import { MonitorsService } from '../monitors/monitors.service.js';
import { HeartbeatsController, MonitorsController } from './monitors.controller.js';

export interface AlertingApiConfig {
  controlPlane: ControlPlane;
  clickhouse: ClickHouseClient;
  /** Reads rule conditions for previews; its limits bound rules, previews and the alert history. */
  reader: ConditionReader;
  /** The query API's reads: the alert history is listed through them, under their limits. */
  reads: QueryReads;
  /** Sends channel test messages. */
  delivery: HttpDelivery;
  /** Judges monitor targets written as addresses (default: nothing private allowed). */
  guard?: AddressGuard;
}

/** The alerting routes, served by the query API (`startQueryServer({ modules: [...] })`). */
@Module({})
export class AlertingApiModule {
  static forRoot(cfg: AlertingApiConfig): DynamicModule {
    const ds = cfg.controlPlane.dataSource;
    const monitorResults = new MonitorResultsReader(cfg.reads.reader);
    return {
      module: AlertingApiModule,
      controllers: [
        AlertRulesController,
        AlertsController,
        SilencesController,
        ChannelsController,
        StatusPagesController,
        PublicStatusController,
        MonitorsController,
        HeartbeatsController,
      ],
      providers: [
        { provide: AlertRulesService, useValue: new AlertRulesService(ds, cfg.reader.limits) },
        { provide: AlertsService, useValue: new AlertsService(ds) },
        { provide: ChannelsService, useValue: new ChannelsService(ds, cfg.delivery) },
        { provide: AlertHistory, useValue: new AlertHistory(cfg.clickhouse, cfg.reads) },
        {
          provide: StatusPagesService,
          useValue: new StatusPagesService(ds, (tenant, id, range, nowMs) =>
            monitorResults.uptime(tenant, [id], range, nowMs),
          ),
        },
        { provide: CONDITION_READER, useValue: cfg.reader },
        { provide: MonitorResultsReader, useValue: monitorResults },
        {
          provide: MonitorsService,
          useValue: new MonitorsService(ds, cfg.guard ?? new AddressGuard(), monitorResults),
        },
      ],
    };
  }
}
