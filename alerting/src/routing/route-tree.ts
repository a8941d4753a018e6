// A notification policy as Alertmanager's routing tree: every alert enters at the root,
// descends depth-first into the first matching child (and on into later siblings while a
// matching child has `continue`), and is handled by the deepest nodes that matched. A
// child inherits receiver, group_by and the three timers from its parent unless it sets
// them; mute and active time intervals are the node's own.
import { durationMs, DurationSchema } from '@telemetryflow/contract';
import { z } from 'zod';
import {
  compileMatcher,
  LabelMatcherSchema,
  matchersString,
  matchesAll,
  sortMatchers,
  type CompiledMatcher,
} from './label-matchers.js';
import { compileNamedIntervals, NamedTimeIntervalSchema, type CompiledTimeInterval } from './time-intervals.js';

/** Alertmanager's defaults for the root route. */
export const DEFAULT_GROUP_WAIT = '30s';
export const DEFAULT_GROUP_INTERVAL = '5m';
export const DEFAULT_REPEAT_INTERVAL = '4h';

/** `...` as the only label groups by every label (no aggregation). */
export const GROUP_BY_ALL = '...';

export interface RouteConfig {
  receiver?: string;
  groupBy?: string[];
  continue?: boolean;
  matchers?: z.infer<typeof LabelMatcherSchema>[];
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
  muteTimeIntervals?: string[];
  activeTimeIntervals?: string[];
  routes?: RouteConfig[];
}

const Names = z.array(z.string().min(1).max(200)).max(20);

export const RouteConfigSchema: z.ZodType<RouteConfig> = z.lazy(() =>
  z.object({
    receiver: z.string().min(1).max(200).optional(),
    groupBy: z
      .array(z.string().min(1).max(200))
      .max(50)
      .refine((g) => !g.includes(GROUP_BY_ALL) || g.length === 1, "'...' must be the only group_by label")
      .optional(),
    continue: z.boolean().optional(),
    matchers: z.array(LabelMatcherSchema).max(50).optional(),
    groupWait: DurationSchema.optional(),
    groupInterval: DurationSchema.refine((d) => durationMs(d) > 0, 'group_interval must be greater than 0').optional(),
    repeatInterval: DurationSchema.refine(
      (d) => durationMs(d) > 0,
      'repeat_interval must be greater than 0',
    ).optional(),
    muteTimeIntervals: Names.optional(),
    activeTimeIntervals: Names.optional(),
    routes: z.array(RouteConfigSchema).max(200).optional(),
  }),
);

/** The routing tree with the time intervals its routes name, checked as Alertmanager checks its config. */
export const NotificationPolicySchema = z
  .object({
    route: RouteConfigSchema,
    timeIntervals: z.array(NamedTimeIntervalSchema).max(100).default([]),
  })
  .superRefine((p, ctx) => {
    const root = p.route;
    if (!root.receiver)
      ctx.addIssue({
        code: 'custom',
        path: ['route', 'receiver'],
        message: 'root route must specify a default receiver',
      });
    if (root.matchers?.length)
      ctx.addIssue({ code: 'custom', path: ['route', 'matchers'], message: 'root route must not have any matchers' });
    if (root.muteTimeIntervals?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['route', 'muteTimeIntervals'],
        message: 'root route must not have any mute time intervals',
      });
    if (root.activeTimeIntervals?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['route', 'activeTimeIntervals'],
        message: 'root route must not have any active time intervals',
      });
    const defined = new Set<string>();
    for (const ti of p.timeIntervals) {
      if (defined.has(ti.name))
        ctx.addIssue({
          code: 'custom',
          path: ['timeIntervals'],
          message: `time interval "${ti.name}" is defined twice`,
        });
      defined.add(ti.name);
    }
    const visit = (r: RouteConfig, path: (string | number)[]) => {
      for (const name of [...(r.muteTimeIntervals ?? []), ...(r.activeTimeIntervals ?? [])]) {
        if (!defined.has(name))
          ctx.addIssue({ code: 'custom', path, message: `undefined time interval "${name}" used in route` });
      }
      r.routes?.forEach((child, i) => visit(child, [...path, 'routes', i]));
    };
    visit(root, ['route']);
  });
export type NotificationPolicyInput = z.input<typeof NotificationPolicySchema>;
/** A policy NotificationPolicySchema accepted. */
export type NotificationPolicyConfig = z.output<typeof NotificationPolicySchema>;

/** One node with everything resolved (inherited values filled in). */
export interface Route {
  /** Unique in the tree: children are numbered before their parent, as Alertmanager does. */
  index: number;
  /** `{}/{service="db"}`: the path of matchers from the root (part of every group key). */
  key: string;
  receiver: string;
  /** Label names to group by, or 'all' for `...`. */
  groupBy: ReadonlySet<string> | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  muteTimeIntervals: readonly string[];
  activeTimeIntervals: readonly string[];
  matchers: readonly CompiledMatcher[];
  continue: boolean;
  routes: readonly Route[];
}

export interface NotificationPolicy {
  root: Route;
  timeIntervals: ReadonlyMap<string, CompiledTimeInterval[]>;
}

interface Inherited {
  receiver: string;
  groupBy: ReadonlySet<string> | 'all';
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

function buildRoute(cfg: RouteConfig, parent: Inherited & { key: string | null }, counter: { next: number }): Route {
  const groupBy =
    cfg.groupBy === undefined
      ? parent.groupBy
      : cfg.groupBy.includes(GROUP_BY_ALL)
        ? ('all' as const)
        : new Set(cfg.groupBy);
  const matchers = sortMatchers(cfg.matchers ?? []).map(compileMatcher);
  const own = matchersString(matchers);
  const inherited: Inherited = {
    receiver: cfg.receiver ?? parent.receiver,
    groupBy,
    groupWaitMs: cfg.groupWait !== undefined ? durationMs(cfg.groupWait) : parent.groupWaitMs,
    groupIntervalMs: cfg.groupInterval !== undefined ? durationMs(cfg.groupInterval) : parent.groupIntervalMs,
    repeatIntervalMs: cfg.repeatInterval !== undefined ? durationMs(cfg.repeatInterval) : parent.repeatIntervalMs,
  };
  const key = parent.key === null ? own : `${parent.key}/${own}`;
  const routes = (cfg.routes ?? []).map((child) => buildRoute(child, { ...inherited, key }, counter));
  return {
    index: counter.next++,
    key,
    ...inherited,
    matchers,
    routes,
    muteTimeIntervals: cfg.muteTimeIntervals ?? [],
    activeTimeIntervals: cfg.activeTimeIntervals ?? [],
    continue: cfg.continue ?? false,
  };
}

/** Resolves a validated policy into its tree. */
export function buildNotificationPolicy(input: NotificationPolicyInput): NotificationPolicy {
  const p = NotificationPolicySchema.parse(input);
  const defaults = {
    receiver: '',
    groupBy: new Set<string>(),
    key: null,
    groupWaitMs: durationMs(DEFAULT_GROUP_WAIT),
    groupIntervalMs: durationMs(DEFAULT_GROUP_INTERVAL),
    repeatIntervalMs: durationMs(DEFAULT_REPEAT_INTERVAL),
  };
  return { root: buildRoute(p.route, defaults, { next: 0 }), timeIntervals: compileNamedIntervals(p.timeIntervals) };
}

/** The routes that handle an alert with these labels, depth-first, left to right. */
export function matchRoutes(route: Route, labels: Readonly<Record<string, string>>): Route[] {
  if (!matchesAll(route.matchers, labels)) return [];
  const all: Route[] = [];
  for (const child of route.routes) {
    const matched = matchRoutes(child, labels);
    all.push(...matched);
    if (matched.length > 0 && !child.continue) break;
  }
  return all.length > 0 ? all : [route];
}

/** The labels of an alert that name its group on a route. */
export function groupLabelsOf(
  route: Pick<Route, 'groupBy'>,
  labels: Readonly<Record<string, string>>,
): Record<string, string> {
  if (route.groupBy === 'all') return { ...labels };
  const by = route.groupBy;
  return Object.fromEntries(Object.entries(labels).filter(([name]) => by.has(name)));
}

/** Every route of the tree, parents before children. */
export function walkRoutes(route: Route): Route[] {
  return [route, ...route.routes.flatMap(walkRoutes)];
}

/** How deep routes may nest (Alertmanager sets no limit; a deep tree is a mistake, and validating it recursively would exhaust the stack). */
export const MAX_ROUTE_DEPTH = 16;

/**
 * The path of the first route nested deeper than MAX_ROUTE_DEPTH in an unvalidated body, or
 * null; iterative, so any input is safe to check before the schema parses it.
 */
export function tooDeepRoute(body: unknown): string | null {
  const stack: { node: unknown; path: string; depth: number }[] = [
    { node: (body as { route?: unknown } | null)?.route, path: 'route', depth: 0 },
  ];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (depth > MAX_ROUTE_DEPTH) return path;
    const routes = (node as { routes?: unknown } | null)?.routes;
    if (typeof node !== 'object' || !Array.isArray(routes)) continue;
    routes.forEach((child, i) => stack.push({ node: child, path: `${path}.routes.${i}`, depth: depth + 1 }));
  }
  return null;
}

/** Every node of a route config with its path (`route.routes.0`), parents before children. */
export function walkRouteConfigs(
  route: RouteConfig,
  path: (string | number)[],
): { route: RouteConfig; path: (string | number)[] }[] {
  return [
    { route, path },
    ...(route.routes ?? []).flatMap((child, i) => walkRouteConfigs(child, [...path, 'routes', i])),
  ];
}
