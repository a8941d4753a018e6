import { auditBefore } from '@telemetryflow/http-kit';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { RetentionDto, RetentionSignalName } from '@telemetryflow/contract';
import type { RetentionDays } from '../planner/query-plan.js';
import { applyRetentionUpdate } from '@telemetryflow/identity';
import { RetentionRepository, toClickHousePolicies } from './retention.repository.js';

/** How long a tenant's policy is reused by the query planner before Postgres is asked again. */
const CACHE_MS = 10_000;
/**
 * How often the copy in ClickHouse is compared with Postgres again: picks up tenants created
 * since, and retries a copy that failed.
 */
const RESYNC_MS = 5 * 60_000;

@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly cache = new Map<string, { at: number; policy: RetentionDto }>();
  private resync: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('retention');

  constructor(@Inject(RetentionRepository) private readonly repo: RetentionRepository) {}

  /**
   * At start and every few minutes, ClickHouse gets every tenant's policy where its copy
   * differs (a first start, tenants added since, a change whose copy failed). The API
   * serves meanwhile; a failed copy is logged and tried again at the next round.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.syncQuietly();
    this.resync = setInterval(() => void this.syncQuietly(), RESYNC_MS);
    this.resync.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.resync);
  }

  private async syncQuietly(): Promise<void> {
    try {
      await this.syncClickHouse();
    } catch (err) {
      this.logger.warn(
        `copying retention policies to ClickHouse failed; retrying in ${RESYNC_MS / 60_000} min: ${(err as Error).message}`,
      );
    }
  }

  private async syncClickHouse(): Promise<void> {
    const stored = new Map((await this.repo.clickHousePolicies()).map((p) => [`${p.tenantId}\0${p.signal}`, p]));
    const wanted = [...(await this.repo.all())].flatMap(([tenant, policy]) => toClickHousePolicies(tenant, policy));
    const differing = wanted.filter((p) => {
      const s = stored.get(`${p.tenantId}\0${p.signal}`);
      return !s || s.rawDays !== p.rawDays || s.hourlyDays !== p.hourlyDays || s.dailyDays !== p.dailyDays;
    });
    await this.repo.applyInClickHouse(differing);
  }

  async get(tenant: string): Promise<RetentionDto> {
    const hit = this.cache.get(tenant);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.policy;
    const policy = await this.repo.load(tenant);
    this.cache.set(tenant, { at: Date.now(), policy });
    return policy;
  }

  /** Saves the change in Postgres first (the truth), then makes ClickHouse apply it. */
  async put(tenant: string, body: unknown): Promise<RetentionDto> {
    const current = await this.repo.load(tenant);
    auditBefore(current);
    const next = applyRetentionUpdate(current, body);
    await this.repo.save(tenant, next);
    this.cache.delete(tenant);
    await this.repo.applyInClickHouse(toClickHousePolicies(tenant, next));
    return next;
  }

  async daysFor(tenant: string, signal: RetentionSignalName): Promise<RetentionDays> {
    return (await this.get(tenant))[signal];
  }
}
