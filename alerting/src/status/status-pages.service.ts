import { randomUUID } from 'node:crypto';
import { ApiError, notFound } from '@telemetryflow/http-kit';
import type {
  ComponentStatus,
  IncidentDto,
  IncidentInput,
  IncidentUpdateInput,
  PublicStatusDto,
  StatusComponentDto,
  StatusComponentInput,
  StatusPageDto,
  StatusPageInput,
  UptimeDayDto,
} from '@telemetryflow/contract';
import { In, type DataSource } from 'typeorm';
import { AlertRuleEntity, StatusComponentEntity, StatusIncidentEntity, StatusPageEntity } from '../store/entities.js';
import { componentStatus, uptimeDays, uptimePercent, worst, type IncidentSpan } from './component-status.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import type { UptimeDto } from '@telemetryflow/contract/monitors';
import { MonitorEntity } from '../monitors/monitor-entities.js';
import { monitorUptimeDays } from './monitor-uptime-days.js';

/** Daily uptime of a monitor from the rollups (the status page's 90 bars). */
export type MonitorUptime = (
  tenant: string,
  monitorId: string,
  range: { fromMs: number; toMs: number; stepSeconds: number },
  nowMs: number,
) => Promise<UptimeDto>;

const DAY_MS = 86_400_000;

function toIncidentDto(i: StatusIncidentEntity): IncidentDto {
  return {
    id: i.id,
    title: i.title,
    impact: i.impact,
    status: i.status,
    componentId: i.componentId,
    automatic: i.ruleId !== null || i.monitorId !== null,
    startedAt: i.startedAt.toISOString(),
    resolvedAt: i.resolvedAt?.toISOString() ?? null,
    updates: i.updates,
  };
}

const spanOf = (i: StatusIncidentEntity): IncidentSpan => ({
  componentId: i.componentId,
  impact: i.impact,
  startedAtMs: i.startedAt.getTime(),
  resolvedAtMs: i.resolvedAt?.getTime() ?? null,
});

/** Status pages, their components and incidents; the public view shows only what the page holds. */
export class StatusPagesService {
  constructor(
    private readonly ds: DataSource,
    /** Absent: components bound to monitors show incident-based bars only. */
    private readonly monitorUptime?: MonitorUptime,
  ) {}

  async list(tenant: string): Promise<StatusPageDto[]> {
    const pages = await this.ds
      .getRepository(StatusPageEntity)
      .find({ where: { tenantId: tenant }, order: { slug: 'ASC' } });
    return Promise.all(pages.map((p) => this.pageDto(p)));
  }

  async get(tenant: string, id: string): Promise<StatusPageDto> {
    return this.pageDto(await this.page(tenant, id));
  }

  async create(tenant: string, input: StatusPageInput): Promise<StatusPageDto> {
    const now = new Date();
    const row = this.ds
      .getRepository(StatusPageEntity)
      .create({ id: randomUUID(), tenantId: tenant, ...input, createdAt: now, updatedAt: now });
    await this.uniqueSlug(() => this.ds.getRepository(StatusPageEntity).insert(row), input.slug);
    return this.pageDto(row);
  }

  async update(tenant: string, id: string, input: StatusPageInput): Promise<StatusPageDto> {
    const row = await this.page(tenant, id);
    Object.assign(row, input, { updatedAt: new Date() });
    await this.uniqueSlug(() => this.ds.getRepository(StatusPageEntity).save(row), input.slug);
    return this.pageDto(row);
  }

  async remove(tenant: string, id: string): Promise<void> {
    const res = await this.ds.getRepository(StatusPageEntity).delete({ tenantId: tenant, id });
    if (!res.affected) throw notFound(`no status page ${id}`);
  }

  async addComponent(tenant: string, pageId: string, input: StatusComponentInput): Promise<StatusComponentDto> {
    await this.page(tenant, pageId);
    await this.checkRules(tenant, input.ruleIds);
    await this.checkMonitor(tenant, input.monitorId);
    const row = this.ds
      .getRepository(StatusComponentEntity)
      .create({ id: randomUUID(), pageId, tenantId: tenant, ...input, createdAt: new Date() });
    await this.ds.getRepository(StatusComponentEntity).insert(row);
    return { ...this.componentInput(row), id: row.id, status: row.manualStatus ?? 'operational' };
  }

  async updateComponent(
    tenant: string,
    pageId: string,
    id: string,
    input: StatusComponentInput,
  ): Promise<StatusComponentDto> {
    const row = await this.component(tenant, pageId, id);
    await this.checkRules(tenant, input.ruleIds);
    await this.checkMonitor(tenant, input.monitorId);
    Object.assign(row, input);
    await this.ds.getRepository(StatusComponentEntity).save(row);
    return (await this.get(tenant, pageId)).components.find((c) => c.id === id)!;
  }

  async removeComponent(tenant: string, pageId: string, id: string): Promise<void> {
    await this.component(tenant, pageId, id);
    await this.ds.getRepository(StatusComponentEntity).delete({ id });
  }

  async incidents(tenant: string, pageId: string): Promise<IncidentDto[]> {
    await this.page(tenant, pageId);
    const rows = await this.ds
      .getRepository(StatusIncidentEntity)
      .find({ where: { pageId }, order: { startedAt: 'DESC' }, take: 500 });
    return rows.map(toIncidentDto);
  }

  async createIncident(
    tenant: string,
    pageId: string,
    input: IncidentInput & { startsAtMs?: number; endsAtMs?: number },
  ): Promise<IncidentDto> {
    await this.page(tenant, pageId);
    if (input.componentId !== null) await this.component(tenant, pageId, input.componentId);
    const maintenance = input.impact === 'maintenance';
    if (
      maintenance &&
      (input.startsAtMs === undefined || input.endsAtMs === undefined || input.endsAtMs <= input.startsAtMs)
    ) {
      throw new ApiError(400, 'invalid_parameter', 'endsAt: scheduled maintenance needs startsAt and a later endsAt', {
        parameter: 'endsAt',
      });
    }
    const now = Date.now();
    const row = this.ds.getRepository(StatusIncidentEntity).create({
      id: randomUUID(),
      pageId,
      tenantId: tenant,
      componentId: input.componentId,
      title: input.title,
      impact: input.impact,
      status: input.status,
      ruleId: null,
      startedAt: new Date(input.startsAtMs ?? now),
      resolvedAt: maintenance ? new Date(input.endsAtMs!) : input.status === 'resolved' ? new Date(now) : null,
      updates: [{ status: input.status, message: input.message, at: new Date(now).toISOString() }],
    });
    await this.ds.getRepository(StatusIncidentEntity).insert(row);
    return toIncidentDto(row);
  }

  /** A new update; `resolved` closes the incident, any other status reopens it. Automatic incidents can be edited too. */
  async addUpdate(tenant: string, pageId: string, id: string, input: IncidentUpdateInput): Promise<IncidentDto> {
    const repo = this.ds.getRepository(StatusIncidentEntity);
    const row = await repo.findOneBy({ id, pageId, tenantId: tenant });
    if (!row) throw notFound(`no incident ${id}`);
    const now = new Date();
    row.updates = [...row.updates, { status: input.status, message: input.message, at: now.toISOString() }];
    row.status = input.status;
    if (input.title !== undefined) row.title = input.title;
    if (row.impact !== 'maintenance') row.resolvedAt = input.status === 'resolved' ? (row.resolvedAt ?? now) : null;
    else if (input.status === 'resolved' && row.resolvedAt !== null && row.resolvedAt > now) row.resolvedAt = now;
    await repo.save(row);
    return toIncidentDto(row);
  }

  /** The public view of a page: null when no page has the slug. */
  async publicStatus(slug: string, nowMs: number): Promise<PublicStatusDto | null> {
    const page = await this.ds.getRepository(StatusPageEntity).findOneBy({ slug });
    if (!page) return null;
    const components = await this.ds
      .getRepository(StatusComponentEntity)
      .find({ where: { pageId: page.id }, order: { position: 'ASC', name: 'ASC' } });
    const since = new Date(nowMs - 90 * DAY_MS);
    const rows = await this.ds
      .getRepository(StatusIncidentEntity)
      .createQueryBuilder('i')
      .where('i.page_id = :page AND (i.resolved_at IS NULL OR i.resolved_at >= :since)', { page: page.id, since })
      .orderBy('i.started_at', 'DESC')
      .limit(5000)
      .getMany();
    const spans = rows.map(spanOf);
    const view = await Promise.all(
      components.map(async (c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        status: componentStatus(c.id, c.manualStatus, spans, nowMs),
        ...(c.monitorId !== null && this.monitorUptime
          ? await this.monitorBars(page.tenantId, c.monitorId, nowMs)
          : {
              uptimePercent: uptimePercent(c.id, spans, c.createdAt.getTime(), nowMs),
              days: uptimeDays(c.id, spans, c.createdAt.getTime(), nowMs),
            }),
      })),
    );
    const recent = nowMs - 14 * DAY_MS;
    const pageWide = spans.filter((i) => i.componentId === null);
    const status = view.reduce<ComponentStatus>(
      (s, c) => worst(s, c.status),
      components.length ? 'operational' : componentStatus('', null, pageWide, nowMs),
    );
    return {
      title: page.title,
      description: page.description,
      status,
      components: view,
      incidents: rows
        .filter((i) => i.startedAt.getTime() <= nowMs && (i.resolvedAt === null || i.resolvedAt.getTime() >= recent))
        .map(toIncidentDto),
      scheduledMaintenance: rows
        .filter((i) => i.impact === 'maintenance' && i.startedAt.getTime() > nowMs)
        .map(toIncidentDto),
      generatedAt: new Date(nowMs).toISOString(),
    };
  }

  private async pageDto(p: StatusPageEntity): Promise<StatusPageDto> {
    const view = await this.publicStatus(p.slug, Date.now());
    const components = await this.ds
      .getRepository(StatusComponentEntity)
      .find({ where: { pageId: p.id }, order: { position: 'ASC', name: 'ASC' } });
    const statusOf = new Map(view?.components.map((c) => [c.id, c.status]));
    return {
      id: p.id,
      slug: p.slug,
      title: p.title,
      description: p.description,
      components: components.map((c) => ({
        ...this.componentInput(c),
        id: c.id,
        status: statusOf.get(c.id) ?? 'operational',
      })),
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    };
  }

  private componentInput(c: StatusComponentEntity): StatusComponentInput {
    return {
      name: c.name,
      description: c.description,
      position: c.position,
      ruleIds: c.ruleIds,
      manualStatus: c.manualStatus,
      monitorId: c.monitorId,
    };
  }

  /** 90 daily bars from the monitor's checks (the daily rollup); uptime over the days that have checks. */
  private async monitorBars(
    tenant: string,
    monitorId: string,
    nowMs: number,
  ): Promise<{ uptimePercent: number | null; days: UptimeDayDto[] }> {
    const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
    const uptime = await this.monitorUptime!(
      tenant,
      monitorId,
      { fromMs: today - 89 * DAY_MS, toMs: today + DAY_MS, stepSeconds: DAY_MS / 1000 },
      nowMs,
    );
    return {
      uptimePercent: uptime.up === null ? null : Math.round(uptime.up * 100_000) / 1000,
      days: monitorUptimeDays(uptime.buckets),
    };
  }

  private async checkMonitor(tenant: string, monitorId: string | null): Promise<void> {
    if (monitorId === null) return;
    if (!(await this.ds.getRepository(MonitorEntity).existsBy({ tenantId: tenant, id: monitorId })))
      throw new ApiError(400, 'invalid_parameter', 'monitorId: unknown monitor id', { parameter: 'monitorId' });
  }

  private async checkRules(tenant: string, ruleIds: string[]): Promise<void> {
    if (ruleIds.length === 0) return;
    const found = await this.ds.getRepository(AlertRuleEntity).countBy({ tenantId: tenant, id: In(ruleIds) });
    if (found !== new Set(ruleIds).size)
      throw new ApiError(400, 'invalid_parameter', 'ruleIds: unknown alert rule id', { parameter: 'ruleIds' });
  }

  private async uniqueSlug(write: () => Promise<unknown>, slug: string): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ApiError(409, 'conflict', `the slug "${slug}" is taken`);
      throw err;
    }
  }

  private async page(tenant: string, id: string): Promise<StatusPageEntity> {
    const row = await this.ds.getRepository(StatusPageEntity).findOneBy({ tenantId: tenant, id });
    if (!row) throw notFound(`no status page ${id}`);
    return row;
  }

  private async component(tenant: string, pageId: string, id: string): Promise<StatusComponentEntity> {
    const row = await this.ds.getRepository(StatusComponentEntity).findOneBy({ tenantId: tenant, pageId, id });
    if (!row) throw notFound(`no component ${id} on this page`);
    return row;
  }
}
