import { randomUUID } from 'node:crypto';
import type { AlertRuleDto, AlertRuleInput } from '@telemetryflow/contract';
import { ApiError, notFound, auditBefore } from '@telemetryflow/http-kit';
import type { ReadLimits } from '../sources/query-reads.js';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { groupColumns, UnknownGroupLabelError } from '../sources/group-columns.js';
import { alertLabels, alertNotification } from '../notify/alert-notification.js';
import { syncAutomaticIncidents } from '../status/automatic-incidents.js';
import { queueNotifications } from '../store/alert-state-store.js';
import {
  AlertInstanceEntity,
  AlertRuleEntity,
  AlertRuleLeaseEntity,
  NotificationChannelEntity,
} from '../store/entities.js';
import { rulesFromYaml, RulesDocumentError, rulesToYaml } from './rules-yaml.js';
import { isUniqueViolation } from '../store/unique-violation.js';
import { MonitorEntity } from '../monitors/monitor-entities.js';
import { assertRuleWithinLimits } from './rule-limits.js';

export function toRuleDto(e: AlertRuleEntity): AlertRuleDto {
  return { id: e.id, ...e.spec, createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString() };
}

/** Alert rules of a tenant in Postgres; a rule's lease row (its schedule) lives and dies with it. */
export class AlertRulesService {
  constructor(
    private readonly ds: DataSource,
    /** The limits rule conditions are read under: a rule past them is refused. */
    private readonly limits: ReadLimits,
  ) {}

  async list(tenant: string): Promise<AlertRuleDto[]> {
    const rows = await this.ds
      .getRepository(AlertRuleEntity)
      .find({ where: { tenantId: tenant }, order: { name: 'ASC' } });
    return rows.map(toRuleDto);
  }

  async get(tenant: string, id: string): Promise<AlertRuleDto> {
    return toRuleDto(await this.find(this.ds.manager, tenant, id));
  }

  async create(tenant: string, input: AlertRuleInput): Promise<AlertRuleDto> {
    return this.ds.transaction(async (em) => toRuleDto(await this.insert(em, tenant, input)));
  }

  async update(tenant: string, id: string, input: AlertRuleInput): Promise<AlertRuleDto> {
    return this.ds.transaction(async (em) => {
      const row = await this.find(em, tenant, id);
      auditBefore(toRuleDto(row));
      await this.check(em, tenant, input);
      if (row.enabled && !input.enabled) await this.retire(em, row);
      row.name = input.name;
      row.enabled = input.enabled;
      row.spec = input;
      row.updatedAt = new Date();
      await this.saveUnique(em, row);
      await this.dueNow(em, id);
      return toRuleDto(row);
    });
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.ds.transaction(async (em) => {
      const row = await this.find(em, tenant, id);
      await this.retire(em, row);
      await em.getRepository(AlertRuleEntity).delete({ id });
    });
  }

  async exportYaml(tenant: string): Promise<string> {
    const rows = await this.ds.getRepository(AlertRuleEntity).findBy({ tenantId: tenant });
    return rulesToYaml(rows.map((r) => r.spec));
  }

  /** Creates or replaces rules by name, in one transaction; rules not in the document stay. */
  async importYaml(tenant: string, text: string): Promise<{ created: number; updated: number }> {
    let rules: AlertRuleInput[];
    try {
      rules = rulesFromYaml(text);
    } catch (err) {
      if (err instanceof RulesDocumentError)
        throw new ApiError(400, 'invalid_parameter', `yaml: ${err.path}: ${err.message}`, {
          parameter: 'yaml',
          path: err.path,
        });
      throw err;
    }
    return this.ds.transaction(async (em) => {
      const existing = new Map(
        (await em.getRepository(AlertRuleEntity).findBy({ tenantId: tenant, name: In(rules.map((r) => r.name)) })).map(
          (r) => [r.name, r],
        ),
      );
      let created = 0;
      let updated = 0;
      for (const input of rules) {
        const row = existing.get(input.name);
        if (!row) {
          await this.insert(em, tenant, input);
          created++;
          continue;
        }
        await this.check(em, tenant, input);
        Object.assign(row, { enabled: input.enabled, spec: input, updatedAt: new Date() });
        await em.save(row);
        await this.dueNow(em, row.id);
        updated++;
      }
      return { created, updated };
    });
  }

  private async insert(em: EntityManager, tenant: string, input: AlertRuleInput): Promise<AlertRuleEntity> {
    await this.check(em, tenant, input);
    const now = new Date();
    const row = em.getRepository(AlertRuleEntity).create({
      id: randomUUID(),
      tenantId: tenant,
      name: input.name,
      enabled: input.enabled,
      spec: input,
      createdAt: now,
      updatedAt: now,
    });
    await this.saveUnique(em, row);
    await em.getRepository(AlertRuleLeaseEntity).insert({ ruleId: row.id, dueAt: now, holder: null, leaseUntil: null });
    return row;
  }

  /**
   * A rule that is deleted or disabled ends its alerts: firing ones that were notified get
   * their resolve notification, its status-page incidents are closed, its instances go.
   */
  private async retire(em: EntityManager, row: AlertRuleEntity): Promise<void> {
    const nowMs = Date.now();
    const firing = await em.getRepository(AlertInstanceEntity).findBy({ ruleId: row.id, state: 'firing' });
    const resolves = firing
      .filter((i) => i.lastNotifiedAt !== null)
      .map((i) =>
        alertNotification(
          row,
          'resolved',
          {
            groupKey: i.groupKey,
            value: i.value,
            firedAtMs: i.firedAt?.getTime() ?? null,
            resolvedAtMs: nowMs,
            lastEvaluatedAtMs: i.lastEvaluatedAt.getTime(),
          },
          alertLabels(row.spec, i.labels),
        ),
      );
    await queueNotifications(em, row.tenantId, row.spec.channels, resolves);
    if (firing.length > 0) await syncAutomaticIncidents(em, row.tenantId, row.id, row.spec.severity, false, nowMs);
    await em.getRepository(AlertInstanceEntity).delete({ ruleId: row.id });
  }

  /** A changed rule is evaluated at once rather than after its old interval. */
  private async dueNow(em: EntityManager, id: string): Promise<void> {
    await em.query('UPDATE alert_rule_leases SET due_at = now() WHERE rule_id = $1', [id]);
  }

  private async saveUnique(em: EntityManager, row: AlertRuleEntity): Promise<void> {
    try {
      await em.save(row);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ApiError(409, 'conflict', `an alert rule named "${row.name}" already exists`);
      }
      throw err;
    }
  }

  /** What a schema cannot see: windows within the query limits, group-by labels the kind supports, and channels of this tenant. */
  private async check(em: EntityManager, tenant: string, input: AlertRuleInput): Promise<void> {
    assertRuleWithinLimits(input, this.limits);
    try {
      groupColumns(input.condition, input.groupBy);
    } catch (err) {
      if (err instanceof UnknownGroupLabelError)
        throw new ApiError(400, 'invalid_parameter', `groupBy: ${err.message}`, { parameter: 'groupBy' });
      throw err;
    }
    const c = input.condition;
    if (
      c.kind === 'monitor' &&
      !(await em.getRepository(MonitorEntity).existsBy({ tenantId: tenant, id: c.monitorId }))
    )
      throw new ApiError(400, 'invalid_parameter', 'condition.monitorId: unknown monitor id', {
        parameter: 'condition.monitorId',
      });
    if (input.channels.length === 0) return;
    const found = await em
      .getRepository(NotificationChannelEntity)
      .countBy({ tenantId: tenant, id: In(input.channels) });
    if (found !== new Set(input.channels).size)
      throw new ApiError(400, 'invalid_parameter', 'channels: unknown notification channel id', {
        parameter: 'channels',
      });
  }

  private async find(em: EntityManager, tenant: string, id: string): Promise<AlertRuleEntity> {
    const row = await em.getRepository(AlertRuleEntity).findOneBy({ tenantId: tenant, id });
    if (!row) throw notFound(`no alert rule ${id}`);
    return row;
  }
}
