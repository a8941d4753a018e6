import { Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import type { ControlPlane, ControlPlaneFeature } from '@telemetryflow/identity';
import { ExportJobs } from './export-jobs.js';
import { DEFAULT_EXPORT_OPTIONS, ExportWorker, type ExportOptions } from './export-worker.js';
import { EXPORT_OPTIONS, ExportsController } from './exports.controller.js';
import { DataJobs1765980000000 } from './migrations/1765980000000-data-jobs.js';

/** The export and erasure job tables in the control-plane database. */
export const DATA_JOBS_FEATURE: ControlPlaneFeature = { migrations: [DataJobs1765980000000] };

export interface ExportsConfig {
  controlPlane: ControlPlane;
  clickhouse: ClickHouseClient;
  options: Pick<ExportOptions, 'dir'> & Partial<ExportOptions>;
  /** Run the worker in this process (default true). */
  worker?: boolean;
  log?: (msg: string) => void;
}

class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly worker: ExportWorker | undefined) {}
  onApplicationBootstrap(): void {
    this.worker?.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }
}

/** The export routes and their worker, served by the query API (`startQueryServer({ modules })`). */
@Module({})
export class ExportsModule {
  static forRoot(cfg: ExportsConfig): DynamicModule {
    const options: ExportOptions = { ...DEFAULT_EXPORT_OPTIONS, ...cfg.options };
    const jobs = new ExportJobs(cfg.controlPlane.dataSource);
    const worker = cfg.worker === false ? undefined : new ExportWorker(jobs, cfg.clickhouse, options, cfg.log);
    return {
      module: ExportsModule,
      controllers: [ExportsController],
      providers: [
        { provide: ExportJobs, useValue: jobs },
        { provide: EXPORT_OPTIONS, useValue: options },
        { provide: WorkerLifecycle, useValue: new WorkerLifecycle(worker) },
      ],
    };
  }
}
