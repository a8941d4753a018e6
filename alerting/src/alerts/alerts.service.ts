import { randomUUID } from 'node:crypto';
import { notFound } from '@telemetryflow/http-kit';
import type { AlertDto, AlertState, SilenceDto, SilenceInput } from '@telemetryflow/contract';
import type { DataSource } from 'typeorm';
import { alertLabels } from '../notify/alert-notification.js';
import { isSilenced } from '../notify/silences.js';
import { AlertStateStore } from '../store/alert-state-store.js';
import { AlertInstanceEntity, AlertRuleEntity, AlertSilenceEntity } from '../store/entities.js';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function toSilenceDto(s: AlertSilenceEntity): SilenceDto {
  return {
    id: s.id,
    kind: s.kind,
    matchers: s.matchers,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    comment: s.comment,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  };
}

/** Current alerts, and the silences and maintenance windows that mute them. */
export class AlertsService {
  private readonly states: AlertStateStore;

  constructor(private readonly ds: DataSource) {
    this.states = new AlertStateStore(ds);
  }

  /** Alerts worth showing (pending, firing, resolved), firing first. */
  async alerts(tenant: string, filter: { state?: AlertState; ruleId?: string }): Promise<AlertDto[]> {
    const qb = this.ds
      .getRepository(AlertInstanceEntity)
      .createQueryBuilder('i')
      .innerJoinAndMapOne('i.rule', AlertRuleEntity, 'r', 'r.id = i.rule_id')
      .where('i.tenant_id = :tenant', { tenant });
    if (filter.state !== undefined) qb.andWhere('i.state = :state', { state: filter.state });
    else qb.andWhere("i.state <> 'inactive'");
    if (filter.ruleId !== undefined) qb.andWhere('i.rule_id = :ruleId', { ruleId: filter.ruleId });
    const rows = (await qb
      .orderBy('i.fired_at', 'DESC', 'NULLS LAST')
      .limit(5000)
      .getMany()) as (AlertInstanceEntity & { rule: AlertRuleEntity })[];
    const now = Date.now();
    const silences = await this.states.activeSilences(tenant, now);
    const rank: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2, inactive: 3 };
    return rows
      .map((i) => ({
        ruleId: i.ruleId,
        ruleName: i.rule.name,
        groupKey: i.groupKey,
        labels: i.labels,
        annotations: i.annotations,
        state: i.state,
        severity: i.rule.spec.severity,
        value: i.value,
        activeSince: iso(i.activeSince),
        firedAt: iso(i.firedAt),
        resolvedAt: iso(i.resolvedAt),
        lastEvaluatedAt: i.lastEvaluatedAt.toISOString(),
        silenced: isSilenced(silences, alertLabels(i.rule.spec, i.labels), now),
      }))
      .sort((a, b) => rank[a.state] - rank[b.state]);
  }

  async silences(
    tenant: string,
    kind: 'silence' | 'maintenance' | undefined,
    includeExpired: boolean,
  ): Promise<SilenceDto[]> {
    const qb = this.ds
      .getRepository(AlertSilenceEntity)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenant', { tenant });
    if (kind !== undefined) qb.andWhere('s.kind = :kind', { kind });
    if (!includeExpired) qb.andWhere('s.ends_at > now()');
    return (await qb.orderBy('s.starts_at', 'ASC').limit(1000).getMany()).map(toSilenceDto);
  }

  async createSilence(
    tenant: string,
    createdBy: string,
    input: SilenceInput & { startsAtMs: number; endsAtMs: number },
  ): Promise<SilenceDto> {
    const row = this.ds.getRepository(AlertSilenceEntity).create({
      id: randomUUID(),
      tenantId: tenant,
      kind: input.kind,
      matchers: input.matchers,
      startsAt: new Date(input.startsAtMs),
      endsAt: new Date(input.endsAtMs),
      comment: input.comment,
      createdBy,
      createdAt: new Date(),
    });
    await this.ds.getRepository(AlertSilenceEntity).insert(row);
    return toSilenceDto(row);
  }

  /** Ends a silence now (kept for the record) or deletes one that has not started. */
  async expireSilence(tenant: string, id: string): Promise<void> {
    const repo = this.ds.getRepository(AlertSilenceEntity);
    const row = await repo.findOneBy({ tenantId: tenant, id });
    if (!row) throw notFound(`no silence ${id}`);
    const now = new Date();
    if (row.startsAt > now) await repo.delete({ id });
    else if (row.endsAt > now) await repo.update({ id }, { endsAt: now });
  }
}
