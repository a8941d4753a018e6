// What importing a tenant configuration document would do, decided before anything is written:
// every field error of the document, and per object create / update / skip / conflict against
// what the tenant has. Pure: the service reads the tenant's state and applies the plan.
import { parseTimeNs } from '@telemetryflow/http-kit';
import {
  ChannelInputSchema,
  type AlertRuleInput,
  type ChannelInput,
  type DashboardDefinition,
  type Matcher,
  type SilenceInput,
  type StatusComponentInput,
  type StatusPageInput,
} from '@telemetryflow/contract';
import { MonitorInputSchema, type MonitorInput } from '@telemetryflow/contract/monitors';
import type { z } from 'zod';
import { LabelMatcherSchema } from '../routing/label-matchers.js';
import {
  NotificationPolicySchema,
  tooDeepRoute,
  walkRouteConfigs,
  type NotificationPolicyConfig,
} from '../routing/route-tree.js';
import { dashboardKey, missingSecrets, type TenantConfigDocument } from './config-document.js';

export const IMPORT_MODES = ['skip', 'overwrite'] as const;
/** What happens to an object the tenant already has (matched by name, slug or built-in template). */
export type ImportMode = (typeof IMPORT_MODES)[number];
export type ImportAction = 'create' | 'update' | 'skip' | 'conflict';
export type ImportKind =
  | 'notificationChannel'
  | 'monitor'
  | 'alertRule'
  | 'notificationPolicy'
  | 'statusPage'
  | 'statusComponent'
  | 'dashboard'
  | 'silence';

export interface ImportItem {
  kind: ImportKind;
  /** Name, slug, title (a component: `slug/name`). */
  name: string;
  action: ImportAction;
  /** The tenant's object it matched (null: none, it would be created). */
  id: string | null;
  reason?: string;
}

export interface FieldIssue {
  path: string;
  message: string;
}

/** What the tenant has now, as far as the import matches against it. */
export interface TenantState {
  channels: { id: string; name: string }[];
  monitors: { id: string; name: string }[];
  rules: { id: string; name: string }[];
  pages: { id: string; slug: string; components: { id: string; name: string }[] }[];
  /** Slugs of status pages of other tenants (slugs are one public namespace). */
  slugsTakenElsewhere: ReadonlySet<string>;
  hasPolicy: boolean;
  silences: { kind: string; matchers: Matcher[]; startsAtMs: number; endsAtMs: number }[];
  dashboards: { id: string; builtIn: string | null; title: string }[];
  nowMs: number;
}

interface Planned<T> {
  action: ImportAction;
  /** The tenant's matching object. */
  targetId: string | null;
  /** Set for create and update. */
  input?: T;
  /** Its line of the report (the import sets the id of what it created). */
  item: ImportItem;
}

export interface ImportPlan {
  issues: FieldIssue[];
  items: ImportItem[];
  channels: (Planned<ChannelInput> & { ref: string })[];
  monitors: (Planned<MonitorInput> & { ref: string; enabled: boolean })[];
  /** Rule inputs still hold document refs (channels, monitorId): resolved as objects are written. */
  rules: (Planned<AlertRuleInput> & { ref: string })[];
  policy: Planned<NotificationPolicyConfig> | null;
  silences: Planned<SilenceInput & { startsAtMs: number; endsAtMs: number }>[];
  /** Component inputs hold document refs (ruleIds, monitorId). */
  pages: (Planned<StatusPageInput> & { components: Planned<StatusComponentInput>[] })[];
  dashboards: (Planned<DashboardDefinition> & { builtIn: string | null })[];
}

function issuesOf(prefix: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}

/** create / skip / update / conflict of one object by how many of the tenant's match it. */
function matchAction(
  matches: { id: string }[],
  mode: ImportMode,
  what: string,
): { action: ImportAction; targetId: string | null; reason?: string } {
  if (matches.length === 0) return { action: 'create', targetId: null };
  if (matches.length > 1)
    return {
      action: 'conflict',
      targetId: null,
      reason: `the tenant has ${matches.length} ${what}: rename all but one`,
    };
  return { action: mode === 'overwrite' ? 'update' : 'skip', targetId: matches[0]!.id };
}

/** Matchers compared by value (Postgres jsonb keeps object keys in its own order). */
const matchersKey = (ms: readonly Matcher[]) => JSON.stringify(ms.map((m) => [m.label, m.op, m.value]));

function duplicates<T>(items: readonly T[], key: (t: T) => string): Set<number> {
  const seen = new Map<string, number>();
  const dup = new Set<number>();
  items.forEach((t, i) => {
    const k = key(t);
    if (seen.has(k)) dup.add(i);
    else seen.set(k, i);
  });
  return dup;
}

/** Decides what importing `doc` into the tenant of `state` does; `issues` non-empty means nothing may be applied. */
export function planImport(doc: TenantConfigDocument, state: TenantState, mode: ImportMode): ImportPlan {
  const issues: FieldIssue[] = [];
  const items: ImportItem[] = [];
  const item = (
    kind: ImportKind,
    name: string,
    p: { action: ImportAction; targetId: string | null; reason?: string },
  ): ImportItem => {
    const it: ImportItem = {
      kind,
      name,
      action: p.action,
      id: p.targetId,
      ...(p.reason !== undefined && { reason: p.reason }),
    };
    items.push(it);
    return it;
  };

  // Notification channels, by name.
  const channelRefs = new Set<string>();
  const channelNames = new Set<string>();
  const channels: ImportPlan['channels'] = [];
  doc.notificationChannels.forEach((c, i) => {
    const at = `notificationChannels.${i}`;
    if (channelRefs.has(c.ref))
      issues.push({ path: `${at}.ref`, message: 'another channel of the document has this ref' });
    channelRefs.add(c.ref);
    const name = c.channel.name;
    if (typeof name !== 'string' || name === '') {
      issues.push({ path: `${at}.channel.name`, message: 'a channel needs a name' });
      return;
    }
    if (channelNames.has(name))
      issues.push({ path: `${at}.channel.name`, message: 'another channel of the document has this name' });
    channelNames.add(name);
    const m = matchAction(
      state.channels.filter((t) => t.name === name),
      mode,
      `channels named ${JSON.stringify(name)}`,
    );
    const missing = missingSecrets(c.channel, c.secretFields);
    if (missing.length > 0 && m.action !== 'skip' && m.action !== 'conflict') {
      for (const f of missing)
        issues.push({
          path: `${at}.channel.${f}`,
          message:
            'secrets are not exported: fill it in (or import with mode=skip over an existing channel of this name)',
        });
      return;
    }
    let input: ChannelInput | undefined;
    if (missing.length === 0) {
      const parsed = ChannelInputSchema.safeParse(c.channel);
      if (!parsed.success) {
        issues.push(...issuesOf(`${at}.channel`, parsed.error));
        return;
      }
      input = parsed.data;
    }
    channels.push({ ref: c.ref, ...m, ...(input && { input }), item: item('notificationChannel', name, m) });
  });

  // Monitors, by name.
  const monitorRefs = new Set<string>();
  const monitorNames = new Set<string>();
  const monitors: ImportPlan['monitors'] = [];
  doc.monitors.forEach((mon, i) => {
    const at = `monitors.${i}`;
    if (monitorRefs.has(mon.ref))
      issues.push({ path: `${at}.ref`, message: 'another monitor of the document has this ref' });
    monitorRefs.add(mon.ref);
    const name = mon.monitor.name;
    if (typeof name !== 'string' || name === '') {
      issues.push({ path: `${at}.monitor.name`, message: 'a monitor needs a name' });
      return;
    }
    if (monitorNames.has(name))
      issues.push({ path: `${at}.monitor.name`, message: 'another monitor of the document has this name' });
    monitorNames.add(name);
    const m = matchAction(
      state.monitors.filter((t) => t.name === name),
      mode,
      `monitors named ${JSON.stringify(name)}`,
    );
    const missing = missingSecrets(mon.monitor, mon.secretFields);
    if (missing.length > 0 && m.action !== 'skip' && m.action !== 'conflict') {
      for (const f of missing)
        issues.push({
          path: `${at}.monitor.${f}`,
          message:
            'secrets are not exported: fill it in (or import with mode=skip over an existing monitor of this name)',
        });
      return;
    }
    let input: MonitorInput | undefined;
    if (missing.length === 0) {
      const parsed = MonitorInputSchema.safeParse(mon.monitor);
      if (!parsed.success) {
        issues.push(...issuesOf(`${at}.monitor`, parsed.error));
        return;
      }
      input = parsed.data;
    }
    monitors.push({
      ref: mon.ref,
      enabled: mon.enabled,
      ...m,
      ...(input && { input }),
      item: item('monitor', name, m),
    });
  });

  // Alert rules, by name; their channels and monitor are refs of this document, nothing else.
  const ruleRefs = new Set<string>();
  const ruleDup = duplicates(doc.alertRules, (r) => r.rule.name);
  const rules: ImportPlan['rules'] = doc.alertRules.map((r, i) => {
    const at = `alertRules.${i}`;
    if (ruleRefs.has(r.ref)) issues.push({ path: `${at}.ref`, message: 'another rule of the document has this ref' });
    ruleRefs.add(r.ref);
    if (ruleDup.has(i)) issues.push({ path: `${at}.rule.name`, message: 'another rule of the document has this name' });
    r.rule.channels.forEach((ref, j) => {
      if (!channelRefs.has(ref))
        issues.push({
          path: `${at}.rule.channels.${j}`,
          message: 'not the ref of a notification channel of this document',
        });
    });
    if (r.rule.condition.kind === 'monitor' && !monitorRefs.has(r.rule.condition.monitorId))
      issues.push({ path: `${at}.rule.condition.monitorId`, message: 'not the ref of a monitor of this document' });
    const m = matchAction(
      state.rules.filter((t) => t.name === r.rule.name),
      mode,
      'rules of this name',
    );
    return { ref: r.ref, ...m, input: r.rule, item: item('alertRule', r.rule.name, m) };
  });

  // The notification policy: receivers name channels of this document.
  let policy: ImportPlan['policy'] = null;
  if (doc.notificationPolicy !== null) {
    const deep = tooDeepRoute(doc.notificationPolicy);
    const parsed = deep === null ? NotificationPolicySchema.safeParse(doc.notificationPolicy) : undefined;
    if (deep !== null) issues.push({ path: `notificationPolicy.${deep}`, message: 'routes nest too deep' });
    else if (!parsed!.success) issues.push(...issuesOf('notificationPolicy', parsed!.error));
    else {
      for (const { route, path } of walkRouteConfigs(parsed!.data.route, ['route']))
        if (route.receiver !== undefined && !channelNames.has(route.receiver))
          issues.push({
            path: ['notificationPolicy', ...path, 'receiver'].join('.'),
            message: `"${route.receiver}" is not the name of a notification channel of this document`,
          });
      const p = state.hasPolicy
        ? { action: (mode === 'overwrite' ? 'update' : 'skip') as ImportAction, targetId: null }
        : { action: 'create' as ImportAction, targetId: null };
      policy = { ...p, input: parsed!.data, item: item('notificationPolicy', 'notification policy', p) };
    }
  }

  // Silences: never updated; one the tenant has (same kind, matchers and window) or that ended is skipped.
  const silences: ImportPlan['silences'] = [];
  doc.silences.forEach((s, i) => {
    const at = `silences.${i}`;
    s.matchers.forEach((matcher, j) => {
      const issue = LabelMatcherSchema.safeParse(matcher).error?.issues[0];
      if (issue) issues.push({ path: `${at}.matchers.${j}.value`, message: issue.message });
    });
    const startsAtMs = Number((parseTimeNs(s.startsAt) ?? 0n) / 1_000_000n);
    const endsAtMs = Number((parseTimeNs(s.endsAt) ?? 0n) / 1_000_000n);
    if (endsAtMs <= startsAtMs) {
      issues.push({ path: `${at}.endsAt`, message: 'must be after startsAt' });
      return;
    }
    const same = state.silences.find(
      (t) =>
        t.kind === s.kind &&
        t.startsAtMs === startsAtMs &&
        t.endsAtMs === endsAtMs &&
        matchersKey(t.matchers) === matchersKey(s.matchers),
    );
    const name = `${s.kind} ${s.matchers.map((x) => `${x.label}${x.op}"${x.value}"`).join(',')}`;
    const p: { action: ImportAction; targetId: string | null; reason?: string } =
      endsAtMs <= state.nowMs
        ? { action: 'skip', targetId: null, reason: 'it has ended' }
        : same
          ? { action: 'skip', targetId: null, reason: 'the tenant has the same one' }
          : { action: 'create', targetId: null };
    silences.push({ ...p, input: { ...s, startsAtMs, endsAtMs }, item: item('silence', name, p) });
  });

  // Status pages by slug (one namespace for every tenant), components by name within their page.
  const pageDup = duplicates(doc.statusPages, (p) => p.slug);
  const pages: ImportPlan['pages'] = doc.statusPages.map((page, i) => {
    const at = `statusPages.${i}`;
    if (pageDup.has(i))
      issues.push({ path: `${at}.slug`, message: 'another status page of the document has this slug' });
    const { components, ...input } = page;
    const existing = state.pages.find((t) => t.slug === page.slug);
    const p: { action: ImportAction; targetId: string | null; reason?: string } = existing
      ? { action: mode === 'overwrite' ? 'update' : 'skip', targetId: existing.id }
      : state.slugsTakenElsewhere.has(page.slug)
        ? { action: 'conflict', targetId: null, reason: 'another tenant has a status page at this slug' }
        : { action: 'create', targetId: null };
    const pageItem = item('statusPage', page.slug, p);
    const compDup = duplicates(components, (c) => c.name);
    const planned = components.map((c, j) => {
      const cat = `${at}.components.${j}`;
      if (compDup.has(j)) issues.push({ path: `${cat}.name`, message: 'another component of this page has this name' });
      c.ruleIds.forEach((ref, k) => {
        if (!ruleRefs.has(ref))
          issues.push({ path: `${cat}.ruleIds.${k}`, message: 'not the ref of an alert rule of this document' });
      });
      if (c.monitorId !== null && !monitorRefs.has(c.monitorId))
        issues.push({ path: `${cat}.monitorId`, message: 'not the ref of a monitor of this document' });
      const match = existing?.components.filter((t) => t.name === c.name) ?? [];
      // A page left as it is leaves its components as they are.
      const cp =
        p.action === 'skip' || p.action === 'conflict'
          ? { action: p.action, targetId: match[0]?.id ?? null }
          : matchAction(match, 'overwrite', `components named ${JSON.stringify(c.name)}`);
      return { ...cp, input: c, item: item('statusComponent', `${page.slug}/${c.name}`, cp) };
    });
    return { ...p, input, components: planned, item: pageItem };
  });

  // Dashboards by built-in template, else by title.
  const dashDup = duplicates(doc.dashboards, dashboardKey);
  const dashboards: ImportPlan['dashboards'] = doc.dashboards.map((d, i) => {
    if (dashDup.has(i))
      issues.push({
        path: `dashboards.${i}.${d.builtIn !== null ? 'builtIn' : 'definition.title'}`,
        message: 'another dashboard of the document has this title (or template)',
      });
    const key = dashboardKey(d);
    const byKey = state.dashboards.filter(
      (t) => dashboardKey({ builtIn: t.builtIn, definition: { title: t.title } }) === key,
    );
    // A built-in template the tenant lacks is imported as an ordinary dashboard: matched by title then.
    const matches =
      byKey.length === 0 && d.builtIn !== null
        ? state.dashboards.filter((t) => t.builtIn === null && t.title === d.definition.title)
        : byKey;
    const m = matchAction(matches, mode, `dashboards titled ${JSON.stringify(d.definition.title)}`);
    return { ...m, builtIn: d.builtIn, input: d.definition, item: item('dashboard', d.definition.title, m) };
  });

  return { issues, items, channels, monitors, rules, policy, silences, pages, dashboards };
}

/** Counts of each action, for the report. */
export function countActions(items: readonly ImportItem[]): Record<ImportAction, number> {
  const counts: Record<ImportAction, number> = { create: 0, update: 0, skip: 0, conflict: 0 };
  for (const i of items) counts[i.action]++;
  return counts;
}
