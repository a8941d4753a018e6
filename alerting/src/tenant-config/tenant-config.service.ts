import type { ChannelInput, DashboardDefinition, StatusComponentInput } from '@telemetryflow/contract';
import { ApiError } from '@telemetryflow/http-kit';
import type { DataSource } from 'typeorm';
import { MoreThan } from 'typeorm';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { ChannelsService } from '../channels/channels.service.js';
import { MonitorEntity } from '../monitors/monitor-entities.js';
import type { MonitorsService } from '../monitors/monitors.service.js';
import type { NotificationPoliciesService } from '../policies/notification-policies.service.js';
import { walkRouteConfigs, type RouteConfig } from '../routing/route-tree.js';
import type { AlertRulesService } from '../rules/alert-rules.service.js';
import type { StatusPagesService } from '../status/status-pages.service.js';
import {
  AlertRuleEntity,
  AlertSilenceEntity,
  NotificationChannelEntity,
  NotificationPolicyEntity,
  StatusComponentEntity,
  StatusPageEntity,
} from '../store/entities.js';
import { exportChannel, exportMonitor, TENANT_CONFIG_FORMAT, type TenantConfigDocument } from './config-document.js';
import {
  countActions,
  planImport,
  type ImportAction,
  type ImportItem,
  type ImportMode,
  type TenantState,
} from './import-plan.js';

/**
 * The dashboards of a tenant, as the tenant configuration needs them. Dashboards belong to the
 * read model (query's DashboardsRepository implements this); alerting only declares what it uses.
 */
export interface TenantDashboards {
  list(tenant: string): Promise<{ id: string; builtIn: string | null; definition: DashboardDefinition }[]>;
  create(tenant: string, definition: DashboardDefinition, savedBy: string): Promise<{ id: string }>;
  update(tenant: string, id: string, definition: DashboardDefinition, savedBy: string): Promise<{ id: string } | null>;
}

export interface ImportReport {
  dryRun: boolean;
  mode: ImportMode;
  counts: Record<ImportAction, number>;
  items: ImportItem[];
}

export interface TenantConfigOwners {
  ds: DataSource;
  channels: ChannelsService;
  monitors: MonitorsService;
  rules: AlertRulesService;
  policies: NotificationPoliciesService;
  statusPages: StatusPagesService;
  alerts: AlertsService;
  dashboards: TenantDashboards;
}

/** Receivers that name a channel by id name it by name instead: names carry over to another tenant, ids do not. */
function receiversByName(route: RouteConfig, names: ReadonlyMap<string, string>): RouteConfig {
  const copy = structuredClone(route);
  for (const { route: r } of walkRouteConfigs(copy, []))
    if (r.receiver !== undefined) r.receiver = names.get(r.receiver) ?? r.receiver;
  return copy;
}

/**
 * A tenant's configuration as one document, and the import of such a document: every object
 * through the service that owns it (its checks and audit trail), references re-mapped to the
 * objects written in the tenant that imports.
 */
export class TenantConfigService {
  constructor(
    private readonly o: TenantConfigOwners,
    private readonly now: () => number = Date.now,
  ) {}

  async export(tenant: string): Promise<TenantConfigDocument> {
    const ds = this.o.ds;
    const [channels, monitors, rules, policy, silences, pages, components, dashboards] = await Promise.all([
      ds.getRepository(NotificationChannelEntity).find({ where: { tenantId: tenant }, order: { name: 'ASC' } }),
      ds.getRepository(MonitorEntity).find({ where: { tenantId: tenant }, order: { name: 'ASC' } }),
      ds.getRepository(AlertRuleEntity).find({ where: { tenantId: tenant }, order: { name: 'ASC' } }),
      ds.getRepository(NotificationPolicyEntity).findOneBy({ tenantId: tenant }),
      ds
        .getRepository(AlertSilenceEntity)
        .find({ where: { tenantId: tenant, endsAt: MoreThan(new Date(this.now())) }, order: { startsAt: 'ASC' } }),
      ds.getRepository(StatusPageEntity).find({ where: { tenantId: tenant }, order: { slug: 'ASC' } }),
      ds
        .getRepository(StatusComponentEntity)
        .find({ where: { tenantId: tenant }, order: { position: 'ASC', name: 'ASC' } }),
      this.o.dashboards.list(tenant),
    ]);
    const channelNames = new Map(channels.map((c) => [c.id, c.name]));
    const policyDoc = policy?.policy as { route: RouteConfig } | undefined;
    return {
      format: TENANT_CONFIG_FORMAT,
      exportedAt: new Date(this.now()).toISOString(),
      tenantId: tenant,
      notificationChannels: channels.map((c) => ({
        ref: c.id,
        ...exportChannel({ type: c.type, name: c.name, ...c.config } as unknown as ChannelInput),
      })),
      monitors: monitors.map((m) => ({ ref: m.id, enabled: m.enabled, ...exportMonitor(m.config) })),
      alertRules: rules.map((r) => ({ ref: r.id, rule: r.spec })),
      notificationPolicy: policyDoc ? { ...policyDoc, route: receiversByName(policyDoc.route, channelNames) } : null,
      silences: silences.map((s) => ({
        kind: s.kind,
        matchers: s.matchers,
        startsAt: s.startsAt.toISOString(),
        endsAt: s.endsAt.toISOString(),
        comment: s.comment,
      })),
      statusPages: pages.map((p) => ({
        slug: p.slug,
        title: p.title,
        description: p.description,
        components: components
          .filter((c) => c.pageId === p.id)
          .map((c) => ({
            name: c.name,
            description: c.description,
            position: c.position,
            ruleIds: c.ruleIds,
            manualStatus: c.manualStatus,
            monitorId: c.monitorId,
          })),
      })),
      dashboards: dashboards
        .map((d) => ({ builtIn: d.builtIn, definition: d.definition }))
        .sort((a, b) => a.definition.title.localeCompare(b.definition.title)),
    };
  }

  /**
   * Plans the import; with `dryRun` only reports it. A document with field errors is refused
   * (400) and one with conflicts too (409), before anything is written.
   */
  async import(
    tenant: string,
    author: string,
    doc: TenantConfigDocument,
    opts: { mode: ImportMode; dryRun: boolean },
  ): Promise<ImportReport> {
    const plan = planImport(doc, await this.state(tenant, doc), opts.mode);
    if (plan.issues.length > 0) {
      const first = plan.issues[0]!;
      throw new ApiError(400, 'invalid_parameter', `${first.path}: ${first.message}`, {
        parameter: first.path,
        issues: plan.issues.slice(0, 50),
      });
    }
    const report = (items: ImportItem[]): ImportReport => ({
      dryRun: opts.dryRun,
      mode: opts.mode,
      counts: countActions(items),
      items,
    });
    if (opts.dryRun) return report(plan.items);
    const conflicts = plan.items.filter((i) => i.action === 'conflict');
    if (conflicts.length > 0)
      throw new ApiError(
        409,
        'import_conflict',
        `${conflicts.length} object(s) of the document conflict with this tenant (see conflicts); nothing was imported`,
        { conflicts },
      );
    // Written in the order references point: channels and monitors, rules, the policy, pages, dashboards.
    const channelIds = new Map<string, string>();
    for (const c of plan.channels) {
      const id =
        c.action === 'create'
          ? (await this.o.channels.create(tenant, c.input!)).id
          : c.action === 'update'
            ? (await this.o.channels.update(tenant, c.targetId!, c.input!)).id
            : c.targetId!;
      channelIds.set(c.ref, id);
      c.item.id = id;
    }
    const monitorIds = new Map<string, string>();
    for (const m of plan.monitors) {
      let id = m.targetId!;
      if (m.action === 'create') id = (await this.o.monitors.create(tenant, m.input!)).id;
      else if (m.action === 'update') await this.o.monitors.update(tenant, id, m.input!);
      if (m.action !== 'skip') await this.o.monitors.setEnabled(tenant, id, m.enabled);
      monitorIds.set(m.ref, id);
      m.item.id = id;
    }
    const ruleIds = new Map<string, string>();
    for (const r of plan.rules) {
      const input = r.input && {
        ...r.input,
        channels: r.input.channels.map((ref) => channelIds.get(ref)!),
        condition:
          r.input.condition.kind === 'monitor'
            ? { ...r.input.condition, monitorId: monitorIds.get(r.input.condition.monitorId)! }
            : r.input.condition,
      };
      const id =
        r.action === 'create'
          ? (await this.o.rules.create(tenant, input!)).id
          : r.action === 'update'
            ? (await this.o.rules.update(tenant, r.targetId!, input!)).id
            : r.targetId!;
      ruleIds.set(r.ref, id);
      r.item.id = id;
    }
    if (plan.policy && plan.policy.action !== 'skip') await this.o.policies.put(tenant, author, plan.policy.input!);
    const component = (c: StatusComponentInput): StatusComponentInput => ({
      ...c,
      ruleIds: c.ruleIds.map((ref) => ruleIds.get(ref)!),
      monitorId: c.monitorId === null ? null : monitorIds.get(c.monitorId)!,
    });
    for (const p of plan.pages) {
      if (p.action === 'skip') continue;
      const pageId =
        p.action === 'create'
          ? (await this.o.statusPages.create(tenant, p.input!)).id
          : (await this.o.statusPages.update(tenant, p.targetId!, p.input!)).id;
      p.item.id = pageId;
      for (const c of p.components) {
        if (c.action === 'create')
          c.item.id = (await this.o.statusPages.addComponent(tenant, pageId, component(c.input!))).id;
        else if (c.action === 'update')
          await this.o.statusPages.updateComponent(tenant, pageId, c.targetId!, component(c.input!));
      }
    }
    for (const d of plan.dashboards) {
      if (d.action === 'create') d.item.id = (await this.o.dashboards.create(tenant, d.input!, author)).id;
      else if (d.action === 'update') await this.o.dashboards.update(tenant, d.targetId!, d.input!, author);
    }
    for (const s of plan.silences)
      if (s.action === 'create') s.item.id = (await this.o.alerts.createSilence(tenant, author, s.input!)).id;
    return report(plan.items);
  }

  private async state(tenant: string, doc: TenantConfigDocument): Promise<TenantState> {
    const ds = this.o.ds;
    const [channels, monitors, rules, pages, components, policy, silences, dashboards, elsewhere] = await Promise.all([
      ds
        .getRepository(NotificationChannelEntity)
        .find({ where: { tenantId: tenant }, select: { id: true, name: true } }),
      ds.getRepository(MonitorEntity).find({ where: { tenantId: tenant }, select: { id: true, name: true } }),
      ds.getRepository(AlertRuleEntity).find({ where: { tenantId: tenant }, select: { id: true, name: true } }),
      ds.getRepository(StatusPageEntity).find({ where: { tenantId: tenant }, select: { id: true, slug: true } }),
      ds
        .getRepository(StatusComponentEntity)
        .find({ where: { tenantId: tenant }, select: { id: true, name: true, pageId: true } }),
      ds.getRepository(NotificationPolicyEntity).countBy({ tenantId: tenant }),
      ds
        .getRepository(AlertSilenceEntity)
        .find({ where: { tenantId: tenant, endsAt: MoreThan(new Date(this.now())) } }),
      this.o.dashboards.list(tenant),
      // Only whether the document's own slugs are taken: the slugs of other tenants are none of this tenant's business.
      ds.query(`SELECT slug FROM status_pages WHERE tenant_id <> $1 AND slug = ANY($2::text[])`, [
        tenant,
        doc.statusPages.map((p) => p.slug),
      ]) as Promise<{ slug: string }[]>,
    ]);
    return {
      channels,
      monitors,
      rules,
      pages: pages.map((p) => ({
        id: p.id,
        slug: p.slug,
        components: components.filter((c) => c.pageId === p.id).map((c) => ({ id: c.id, name: c.name })),
      })),
      slugsTakenElsewhere: new Set(elsewhere.map((r) => r.slug)),
      hasPolicy: policy > 0,
      silences: silences.map((s) => ({
        kind: s.kind,
        matchers: s.matchers,
        startsAtMs: s.startsAt.getTime(),
        endsAtMs: s.endsAt.getTime(),
      })),
      dashboards: dashboards.map((d) => ({ id: d.id, builtIn: d.builtIn, title: d.definition.title })),
      nowMs: this.now(),
    };
  }
}
