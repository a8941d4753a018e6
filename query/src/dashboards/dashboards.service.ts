import { Inject, Injectable } from '@nestjs/common';
import type {
  DashboardDefinition,
  DashboardDto,
  DashboardSummaryDto,
  DashboardVersionDto,
} from '@telemetryflow/contract';
import { notFound, type Caller, auditBefore } from '@telemetryflow/http-kit';
import { parseTimeRange } from '../request-params.js';
import type { DashboardEntity } from './dashboard.entities.js';
import { DashboardsRepository, type VersionSummary } from './dashboards.repository.js';
import { VariableValuesRepository } from './variable-values.repository.js';

/** Who saved a version, as stored: `user:<id>` or `key:<id>`. */
export function savedBy(caller: Caller): string {
  return caller.kind === 'user' ? `user:${caller.userId}` : `key:${caller.keyId ?? 'unknown'}`;
}

function toDto(d: DashboardEntity): DashboardDto {
  return {
    ...d.definition,
    id: d.id,
    version: d.version,
    builtIn: d.builtIn,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

function toSummary(d: DashboardEntity): DashboardSummaryDto {
  const { title, description, tags, panels } = d.definition;
  return {
    id: d.id,
    title,
    ...(description !== undefined ? { description } : {}),
    ...(tags !== undefined ? { tags } : {}),
    version: d.version,
    builtIn: d.builtIn,
    panelCount: panels.length,
    updatedAt: d.updatedAt.toISOString(),
  };
}

function toVersionDto(v: VersionSummary): DashboardVersionDto {
  return { version: v.version, title: v.title, createdAt: v.createdAt.toISOString(), createdBy: v.createdBy };
}

@Injectable()
export class DashboardsService {
  constructor(
    @Inject(DashboardsRepository) private readonly repo: DashboardsRepository,
    @Inject(VariableValuesRepository) private readonly variableValues: VariableValuesRepository,
  ) {}

  async list(tenantId: string): Promise<DashboardSummaryDto[]> {
    return (await this.repo.list(tenantId)).map(toSummary);
  }

  async get(tenantId: string, id: string): Promise<DashboardDto> {
    return toDto(await this.found(tenantId, id));
  }

  async create(caller: Caller, definition: DashboardDefinition): Promise<DashboardDto> {
    return toDto(await this.repo.create(caller.tenantId, definition, savedBy(caller)));
  }

  async update(
    caller: Caller,
    id: string,
    definition: DashboardDefinition,
    expectedVersion?: number,
  ): Promise<DashboardDto> {
    auditBefore(toDto(await this.found(caller.tenantId, id)));
    const saved = await this.repo.update(caller.tenantId, id, definition, savedBy(caller), expectedVersion);
    if (!saved) throw notFound(`dashboard ${id} not found`);
    return toDto(saved);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(tenantId, id))) throw notFound(`dashboard ${id} not found`);
  }

  async versions(tenantId: string, id: string): Promise<DashboardVersionDto[]> {
    const versions = await this.repo.versions(tenantId, id);
    if (!versions) throw notFound(`dashboard ${id} not found`);
    return versions.map(toVersionDto);
  }

  /** The definition saved as `version` (what export returned then). */
  async version(tenantId: string, id: string, version: number): Promise<DashboardDefinition> {
    const v = await this.repo.version(tenantId, id, version);
    if (!v) throw notFound(`dashboard ${id} has no version ${version}`);
    return v.definition;
  }

  /** Saves an earlier version's definition as the newest version; history is never rewritten. */
  async restore(caller: Caller, id: string, version: number): Promise<DashboardDto> {
    return this.update(caller, id, await this.version(caller.tenantId, id, version));
  }

  /** The definition alone: what import takes back. */
  async export(tenantId: string, id: string): Promise<DashboardDefinition> {
    return (await this.found(tenantId, id)).definition;
  }

  /** The choices of a variable: values of its label over the range (default: the last hour). */
  async variableOptions(
    tenantId: string,
    id: string,
    name: string,
    q: { from?: string | number; to?: string | number },
  ): Promise<string[]> {
    const variable = (await this.found(tenantId, id)).definition.variables?.find((v) => v.name === name);
    if (!variable) throw notFound(`dashboard ${id} has no variable ${name}`);
    return this.variableValues.values(tenantId, variable.source, parseTimeRange(q));
  }

  private async found(tenantId: string, id: string): Promise<DashboardEntity> {
    const d = await this.repo.get(tenantId, id);
    if (!d) throw notFound(`dashboard ${id} not found`);
    return d;
  }
}
