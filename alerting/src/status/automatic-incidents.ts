import { randomUUID } from 'node:crypto';
import type { Severity } from '@telemetryflow/contract';
import type { EntityManager } from 'typeorm';
import { StatusComponentEntity, StatusIncidentEntity } from '../store/entities.js';
import { impactOfSeverity } from './component-status.js';

const IMPACT_TEXT = {
  degraded: 'degraded performance',
  partial_outage: 'partial outage',
  major_outage: 'major outage',
  maintenance: 'maintenance',
} as const;

/**
 * Opens an incident on every status-page component bound to a rule when the rule starts
 * firing, and resolves them when none of its groups fires any more. Runs in the
 * scheduler's transaction under the rule's lease, so each happens once. The text names the
 * component, never the rule: rule names are internal.
 */
export async function syncAutomaticIncidents(
  em: EntityManager,
  tenant: string,
  ruleId: string,
  severity: Severity,
  firing: boolean,
  nowMs: number,
): Promise<void> {
  const components = await em
    .getRepository(StatusComponentEntity)
    .createQueryBuilder('c')
    .where('c.tenant_id = :tenant AND :ruleId = ANY(c.rule_ids)', { tenant, ruleId })
    .getMany();
  if (components.length === 0) return;
  const at = new Date(nowMs).toISOString();
  const incidents = em.getRepository(StatusIncidentEntity);
  for (const c of components) {
    const open = await incidents
      .createQueryBuilder('i')
      .where('i.component_id = :cid AND i.rule_id = :ruleId AND i.resolved_at IS NULL', { cid: c.id, ruleId })
      .getOne();
    if (firing && !open) {
      const impact = impactOfSeverity(severity);
      await incidents.insert({
        id: randomUUID(),
        pageId: c.pageId,
        tenantId: tenant,
        componentId: c.id,
        ruleId,
        impact,
        status: 'investigating',
        title: `${c.name}: ${IMPACT_TEXT[impact]}`,
        startedAt: new Date(nowMs),
        resolvedAt: null,
        updates: [
          { status: 'investigating', message: `We are investigating a ${IMPACT_TEXT[impact]} of ${c.name}.`, at },
        ],
      });
    } else if (!firing && open) {
      await incidents.update(
        { id: open.id },
        {
          status: 'resolved',
          resolvedAt: new Date(nowMs),
          updates: [...open.updates, { status: 'resolved', message: `${c.name} is operating normally again.`, at }],
        },
      );
    }
  }
}
