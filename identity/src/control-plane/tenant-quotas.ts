// Tenants' quotas in Postgres (`tenant_quotas`), read through a per-process cache that is at
// most `ttlMs` old: a change on one replica takes effect on the others within that time.
// The collector does not read here: its quotas come with the API key's credential (cached
// for as long as the key's look-up).
import type { DataSource } from 'typeorm';
import type { TenantQuotas, TenantQuotasDto } from '@telemetryflow/contract';

export interface TenantQuotaStoreOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class TenantQuotaStore {
  private readonly cache = new Map<string, { expires: number; quotas: TenantQuotas }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    opts: TenantQuotaStoreOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** The tenant's quotas, at most ttlMs old ({} when none are set). */
  async quotas(tenantId: string): Promise<TenantQuotas> {
    const now = this.now();
    const hit = this.cache.get(tenantId);
    if (hit && hit.expires > now) return hit.quotas;
    const quotas = (await this.read(tenantId))?.quotas ?? {};
    this.cache.delete(tenantId);
    while (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done) break;
      this.cache.delete(oldest.value);
    }
    this.cache.set(tenantId, { expires: now + this.ttlMs, quotas });
    return quotas;
  }

  /** The stored quotas (uncached), or null when the tenant does not exist. */
  async get(tenantId: string): Promise<TenantQuotasDto | null> {
    const exists = (await this.dataSource.query('SELECT 1 FROM tenants WHERE id = $1', [tenantId])) as unknown[];
    if (exists.length === 0) return null;
    const row = await this.read(tenantId);
    return { tenantId, quotas: row?.quotas ?? {}, updatedAt: row?.updatedAt.toISOString() ?? null };
  }

  /** Replaces the tenant's quotas; null when the tenant does not exist. */
  async put(tenantId: string, quotas: TenantQuotas, byUserId: string | undefined): Promise<TenantQuotasDto | null> {
    const rows = (await this.dataSource.query(
      `INSERT INTO tenant_quotas (tenant_id, quotas, updated_at, updated_by)
       SELECT t.id, $2::jsonb, now(), $3 FROM tenants t WHERE t.id = $1
       ON CONFLICT (tenant_id) DO UPDATE SET quotas = EXCLUDED.quotas, updated_at = EXCLUDED.updated_at,
         updated_by = EXCLUDED.updated_by
       RETURNING updated_at`,
      [tenantId, JSON.stringify(quotas), byUserId ?? null],
    )) as { updated_at: Date }[];
    const row = rows[0];
    if (!row) return null;
    this.cache.delete(tenantId);
    return { tenantId, quotas, updatedAt: row.updated_at.toISOString() };
  }

  private async read(tenantId: string): Promise<{ quotas: TenantQuotas; updatedAt: Date } | null> {
    const rows = (await this.dataSource.query('SELECT quotas, updated_at FROM tenant_quotas WHERE tenant_id = $1', [
      tenantId,
    ])) as { quotas: TenantQuotas; updated_at: Date }[];
    const row = rows[0];
    return row ? { quotas: row.quotas, updatedAt: row.updated_at } : null;
  }
}
