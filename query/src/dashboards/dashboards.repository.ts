import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DashboardDefinition } from '@telemetryflow/contract';
import type { DataSource, EntityManager } from 'typeorm';
import { CONTROL_PLANE, type ControlPlane } from '@telemetryflow/identity';
import { ApiError } from '@telemetryflow/http-kit';
import { DashboardEntity, DashboardVersionEntity } from './dashboard.entities.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface VersionSummary {
  version: number;
  title: string;
  createdAt: Date;
  createdBy: string | null;
}

/** Whether `id` can be a dashboard id at all (anything else is simply not found). */
export function isDashboardId(id: string): boolean {
  return UUID.test(id);
}

/**
 * Inserts a dashboard and its version 1. Used by the API and by tenant creation (built-in
 * templates), so it takes any entity manager, inside the caller's transaction.
 */
export async function insertDashboard(
  em: EntityManager | DataSource,
  tenantId: string,
  definition: DashboardDefinition,
  createdBy: string | null,
  builtIn: string | null = null,
): Promise<DashboardEntity> {
  const now = new Date();
  const row = em.getRepository(DashboardEntity).create({
    id: randomUUID(),
    tenantId,
    title: definition.title,
    version: 1,
    definition,
    builtIn,
    createdAt: now,
    updatedAt: now,
  });
  await em.query(
    'INSERT INTO dashboards (id, tenant_id, title, version, definition, built_in, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $5, $6, $6)',
    [row.id, tenantId, definition.title, JSON.stringify(definition), builtIn, now],
  );
  await insertVersion(em, row.id, 1, definition, now, createdBy);
  return row;
}

// Plain SQL for the jsonb writes: TypeORM's partial-entity types cannot express the definition's open `options`.
async function insertVersion(
  em: EntityManager | DataSource,
  id: string,
  version: number,
  definition: DashboardDefinition,
  at: Date,
  createdBy: string | null,
): Promise<void> {
  await em.query(
    'INSERT INTO dashboard_versions (dashboard_id, version, definition, created_at, created_by) VALUES ($1, $2, $3, $4, $5)',
    [id, version, JSON.stringify(definition), at, createdBy],
  );
}

/** Dashboards in Postgres; every lookup is by tenant and id, so another tenant's id finds nothing. */
@Injectable()
export class DashboardsRepository {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  private get ds(): DataSource {
    return this.controlPlane.dataSource;
  }

  list(tenantId: string): Promise<DashboardEntity[]> {
    return this.ds.getRepository(DashboardEntity).find({ where: { tenantId }, order: { title: 'ASC', id: 'ASC' } });
  }

  async get(tenantId: string, id: string): Promise<DashboardEntity | null> {
    if (!isDashboardId(id)) return null;
    return this.ds.getRepository(DashboardEntity).findOneBy({ tenantId, id });
  }

  create(tenantId: string, definition: DashboardDefinition, createdBy: string): Promise<DashboardEntity> {
    return this.ds.transaction((em) => insertDashboard(em, tenantId, definition, createdBy));
  }

  /**
   * Saves `definition` as the next version; null when the dashboard does not exist. With
   * `expectedVersion`, refuses (409) when someone saved another version since.
   */
  async update(
    tenantId: string,
    id: string,
    definition: DashboardDefinition,
    createdBy: string,
    expectedVersion?: number,
  ): Promise<DashboardEntity | null> {
    if (!isDashboardId(id)) return null;
    return this.ds.transaction(async (em) => {
      // Row lock: concurrent saves get consecutive versions instead of colliding.
      const current = await em
        .getRepository(DashboardEntity)
        .findOne({ where: { tenantId, id }, lock: { mode: 'pessimistic_write' } });
      if (!current) return null;
      if (expectedVersion !== undefined && current.version !== expectedVersion) {
        throw new ApiError(
          409,
          'version_conflict',
          `dashboard ${id} is at version ${current.version}, not ${expectedVersion}: load it again and reapply the change`,
          {
            currentVersion: current.version,
          },
        );
      }
      const now = new Date();
      current.version += 1;
      current.definition = definition;
      current.title = definition.title;
      current.updatedAt = now;
      await em.query('UPDATE dashboards SET version = $2, title = $3, definition = $4, updated_at = $5 WHERE id = $1', [
        id,
        current.version,
        definition.title,
        JSON.stringify(definition),
        now,
      ]);
      await insertVersion(em, id, current.version, definition, now, createdBy);
      return current;
    });
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!isDashboardId(id)) return false;
    const res = await this.ds.getRepository(DashboardEntity).delete({ tenantId, id });
    return (res.affected ?? 0) > 0;
  }

  /** Versions (the newest 1,000), newest first, without their definitions; null when the dashboard is not the tenant's. */
  async versions(tenantId: string, id: string): Promise<VersionSummary[] | null> {
    if (!(await this.get(tenantId, id))) return null;
    const rows: { version: number; title: string; created_at: Date; created_by: string | null }[] = await this.ds.query(
      `SELECT version, definition->>'title' AS title, created_at, created_by FROM dashboard_versions
       WHERE dashboard_id = $1 ORDER BY version DESC LIMIT 1000`,
      [id],
    );
    return rows.map((r) => ({ version: r.version, title: r.title, createdAt: r.created_at, createdBy: r.created_by }));
  }

  async version(tenantId: string, id: string, version: number): Promise<DashboardVersionEntity | null> {
    if (!(await this.get(tenantId, id))) return null;
    return this.ds.getRepository(DashboardVersionEntity).findOneBy({ dashboardId: id, version });
  }
}
