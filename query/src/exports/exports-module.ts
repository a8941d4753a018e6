import { Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import type { ControlPlane, ControlPlaneFeature } from '@telemetryflow/identity';
import { ExportJobs } from './export-jobs.js';
import { DEFAULT_EXPORT_OPTIONS, ExportWorker, type ExportOptions } from './export-worker.js';
import { EXPORT_OPTIONS, ExportsController } from './exports.controller.js';
import { DataJobs1765980000000 } from './migrations/1765980000000-data-jobs.js';
import { ErasureJobs } from './erasure-jobs.js';
import { DEFAULT_ERASURE_OPTIONS, ErasureWorker, type ErasureOptions } from './erasure-worker.js';
import { ErasuresController } from './erasures.controller.js';

/** The export and erasure job tables in the control-plane database. */
export const DATA_JOBS_FEATURE: ControlPlaneFeature = { migrations: [DataJobs1765980000000] };

export interface ExportsConfig {
  controlPlane: ControlPlane;
  clickhouse: ClickHouseClient;
  options: Pick<ExportOptions, 'dir'> & Partial<ExportOptions>;
  erasure?: Partial<ErasureOptions>;
  /** Run the export and erasure workers in this process (default true). */
  worker?: boolean;
  log?: (msg: string) => void;
}

class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly workers: readonly (ExportWorker | ErasureWorker)[]) {}
  onApplicationBootstrap(): void {
    for (const w of this.workers) w.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }
}

/** The export and erasure routes and their workers, served by the query API (`startQueryServer({ modules })`). */
@Module({})
export class ExportsModule {
  static forRoot(cfg: ExportsConfig): DynamicModule {
    const options: ExportOptions = { ...DEFAULT_EXPORT_OPTIONS, ...cfg.options };
    const jobs = new ExportJobs(cfg.controlPlane.dataSource);
    const erasures = new ErasureJobs(cfg.controlPlane.dataSource);
    const workers =
      cfg.worker === false
        ? []
        : [
            new ExportWorker(jobs, cfg.clickhouse, options, cfg.log),
            new ErasureWorker(erasures, cfg.clickhouse, { ...DEFAULT_ERASURE_OPTIONS, ...cfg.erasure }, cfg.log),
          ];
    return {
      module: ExportsModule,
      controllers: [ExportsController, ErasuresController],
      providers: [
        { provide: ExportJobs, useValue: jobs },
        { provide: EXPORT_OPTIONS, useValue: options },
        { provide: ErasureJobs, useValue: erasures },
        { provide: ErasureJobs, useValue: erasures },
        { provide: WorkerLifecycle, useValue: new WorkerLifecycle(workers) },
      ],
    };
  }
}
