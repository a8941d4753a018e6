import { Controller, Get, Inject } from '@nestjs/common';
import type { ClickHouseClient } from '@telemetryflow/clickhouse';
import { CONTROL_PLANE, type ControlPlane } from '@telemetryflow/identity';
import { ApiError, Public } from '@telemetryflow/http-kit';
import { CLICKHOUSE, CLICKHOUSE_MIGRATED } from '../http/tokens.js';

const CHECK_TIMEOUT_MS = 2000;

async function check(fn: () => Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(CLICKHOUSE) private readonly ch: ClickHouseClient,
    @Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane,
    @Inject(CLICKHOUSE_MIGRATED) private readonly clickhouseMigrated: () => Promise<boolean>,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: both databases answer and both migration sets ran; 503 otherwise. */
  @Get('ready')
  async ready(): Promise<{ status: 'ready'; checks: Record<string, boolean> }> {
    const [clickhouse, postgres, clickhouseMigrations, postgresMigrations] = await Promise.all([
      check(async () => (await this.ch.ping()).success),
      check(async () => (await this.controlPlane.dataSource.query('SELECT 1 AS ok')).length === 1),
      check(() => this.clickhouseMigrated()),
      check(() => this.controlPlane.migrationsComplete()),
    ]);
    const checks = { clickhouse, postgres, clickhouseMigrations, postgresMigrations };
    if (!Object.values(checks).every(Boolean)) throw new ApiError(503, 'not_ready', 'not ready', { checks });
    return { status: 'ready', checks };
  }
}
