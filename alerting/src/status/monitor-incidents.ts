import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { StatusComponentEntity, StatusIncidentEntity } from '../store/entities.js';

/**
 * Opens a major-outage incident on every status-page component bound to a monitor when the
 * monitor goes down (after its retries: N failures in a row), and resolves it when the
 * monitor is up again. Runs in the probe's transaction under the monitor's lease, so each
 * happens once across replicas. The text names the component, never the monitor.
 */
export async function syncMonitorIncidents(
  em: EntityManager,
  tenant: string,
  monitorId: string,
  down: boolean,
  nowMs: number,
): Promise<void> {
  const components = await em.getRepository(StatusComponentEntity).findBy({ tenantId: tenant, monitorId });
  if (components.length === 0) return;
  const at = new Date(nowMs).toISOString();
  const incidents = em.getRepository(StatusIncidentEntity);
  for (const c of components) {
    const open = await incidents
      .createQueryBuilder('i')
      .where('i.component_id = :cid AND i.monitor_id = :monitorId AND i.resolved_at IS NULL', { cid: c.id, monitorId })
      .getOne();
    if (down && !open) {
      await incidents.insert({
        id: randomUUID(),
        pageId: c.pageId,
        tenantId: tenant,
        componentId: c.id,
        ruleId: null,
        monitorId,
        impact: 'major_outage',
        status: 'investigating',
        title: `${c.name}: major outage`,
        startedAt: new Date(nowMs),
        resolvedAt: null,
        updates: [{ status: 'investigating', message: `${c.name} is not responding. We are investigating.`, at }],
      });
    } else if (!down && open) {
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
