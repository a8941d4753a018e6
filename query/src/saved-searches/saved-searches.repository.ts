import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { SavedSearchBody, SavedSearchDto, SavedSearchSignal } from '@telemetryflow/contract';
import { CONTROL_PLANE, type ControlPlane } from '@telemetryflow/identity';
import { SavedSearchEntity } from './saved-search.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** At most this many saved searches per tenant and signal. */
export const MAX_SAVED_SEARCHES = 500;

export function toSavedSearchDto(e: SavedSearchEntity): SavedSearchDto {
  return {
    id: e.id,
    name: e.name,
    signal: e.signal,
    filters: e.filters,
    range: e.range,
    createdAt: e.createdAt.toISOString(),
    createdBy: e.createdBy,
  };
}

/** Saved searches in Postgres; every lookup is by tenant, so another tenant's id finds nothing. */
@Injectable()
export class SavedSearchesRepository {
  constructor(@Inject(CONTROL_PLANE) private readonly controlPlane: ControlPlane) {}

  private get repo() {
    return this.controlPlane.dataSource.getRepository(SavedSearchEntity);
  }

  list(tenantId: string, signal?: SavedSearchSignal): Promise<SavedSearchEntity[]> {
    return this.repo.find({
      where: { tenantId, ...(signal ? { signal } : {}) },
      order: { name: 'ASC', id: 'ASC' },
      take: MAX_SAVED_SEARCHES,
    });
  }

  count(tenantId: string, signal: SavedSearchSignal): Promise<number> {
    return this.repo.count({ where: { tenantId, signal } });
  }

  /** The new saved search; null when the tenant has one of that name for the signal already. */
  async insert(tenantId: string, body: SavedSearchBody, createdBy: string): Promise<SavedSearchEntity | null> {
    const rows: { id: string; created_at: Date }[] = await this.controlPlane.dataSource.query(
      `INSERT INTO saved_searches (id, tenant_id, signal, name, filters, range, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, signal, name) DO NOTHING
       RETURNING id, created_at`,
      [randomUUID(), tenantId, body.signal, body.name, JSON.stringify(body.filters), body.range, createdBy],
    );
    const row = rows[0];
    if (!row) return null;
    return this.repo.create({
      id: row.id,
      tenantId,
      signal: body.signal,
      name: body.name,
      filters: body.filters,
      range: body.range,
      createdAt: row.created_at,
      createdBy,
    });
  }

  /** False when the tenant has no saved search of that id. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const res = await this.repo.delete({ tenantId, id });
    return (res.affected ?? 0) > 0;
  }
}
