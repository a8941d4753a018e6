import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { RetentionDto, RetentionSignalName } from '@telemetryflow/schemas';
import type { RetentionDays } from '../planner/query-plan.js';
import { applyRetentionUpdate } from './retention-policy.js';
import { RetentionRepository, toClickHousePolicies } from './retention.repository.js';

/** How long a tenant's policy is reused by the query planner before Postgres is asked again. */
const CACHE_MS = 10_000;
/** Wait before copying policies to ClickHouse again after a failed attempt at start. */
const SYNC_RETRY_MS = 30_000;

@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly cache = new Map<string, { at: number; policy: RetentionDto }>();
  private retry: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('retention');

  constructor(@Inject(RetentionRepository) private readonly repo: RetentionRepository) {}

  /**
   * At start, ClickHouse gets every tenant's policy where its copy differs (a first start,
   * tenants added since, a change whose copy failed). The API serves meanwhile; a failed
   * copy is retried until it succeeds.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.syncClickHouse();
    } catch (err) {
      this.logger.warn(`copying retention policies to ClickHouse failed; retrying in ${SYNC_RETRY_MS / 1000} s: ${(err as Error).message}`);
      this.retry = setTimeout(() => void this.onApplicationBootstrap(), SYNC_RETRY_MS);
      this.retry.unref();
    }
  }

  onModuleDestroy(): void {
    clearTimeout(this.retry);
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
    const next = applyRetentionUpdate(await this.repo.load(tenant), body);
    await this.repo.save(tenant, next);
    this.cache.delete(tenant);
    await this.repo.applyInClickHouse(toClickHousePolicies(tenant, next));
    return next;
  }

  async daysFor(tenant: string, signal: RetentionSignalName): Promise<RetentionDays> {
    return (await this.get(tenant))[signal];
  }
}
