import { availableParallelism } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  LogsPanelQuerySchema,
  panelReducer,
  QuerySchema,
  TracesPanelQuerySchema,
  type DashboardDefinition,
  type DashboardRenderDto,
  type Panel,
  type PanelResult,
  type PromqlQuery,
  type QueryResult,
} from '@telemetryflow/contract';
import { QueryError } from '@telemetryflow/promql';
import { ApiError, notFound, validate } from '@telemetryflow/http-kit';
import { LogsService } from '../logs/logs.service.js';
import { seriesStepMs } from '../metrics/metric-query.js';
import { QueryRunner } from '../query-runner/query-runner.js';
import { parseTimeRange } from '../request-params.js';
import { TracesService } from '../traces/traces.service.js';
import { mapBounded } from './bounded-parallel.js';
import {
  resolveVariableValues,
  substituteVariables,
  type GivenValues,
  type VariableValues,
} from './dashboard-variables.js';
import { DashboardsRepository } from './dashboards.repository.js';
import { logSearchParams, traceSearchParams } from './panel-search-params.js';
import { promqlPanelError, promqlPanelResult, substitutePromqlVariables } from './promql-panel.js';
import { PROMQL_QUERIES, type PromqlQueries } from '../prometheus/promql-queries.js';

/**
 * Panel queries of one render under way at once. A ClickHouse server runs them in parallel
 * and spreads each over its cores; the embedded engine runs one query at a time (four
 * parallel 50 ms sleeps took 220 ms each), where 2 at once only overlaps the JSON work. On
 * 2 cores, 4 at once nearly doubled render time (pnpm bench:dashboard).
 */
export const RENDER_CONCURRENCY = Math.min(4, Math.max(2, availableParallelism()));
const NS_PER_MS = 1_000_000n;

export interface RenderRequest {
  /** As the API takes them (RFC 3339 or epoch ms); default: the dashboard's own time range, ending now. */
  from?: string | number;
  to?: string | number;
  /** Step of series panels in seconds; default: the panel's, the dashboard's, or ~120 points. */
  step?: number;
  variables?: GivenValues;
  /** Indexes of the panels to run; default: every panel. Indexes past the last panel are ignored. */
  panels?: number[];
}

interface Window {
  fromMs: number;
  toMs: number;
  step: number | undefined;
}

/**
 * Runs every panel of a dashboard (or those asked for), a few at a time. A panel that fails (bad substituted
 * query, a query limit, ClickHouse trouble) carries its error in its place; the render
 * itself succeeds.
 */
@Injectable()
export class DashboardRenderer {
  private readonly logger = new Logger('dashboards');

  constructor(
    @Inject(DashboardsRepository) private readonly repo: DashboardsRepository,
    @Inject(QueryRunner) private readonly runner: QueryRunner,
    @Inject(LogsService) private readonly logs: LogsService,
    @Inject(TracesService) private readonly traces: TracesService,
    @Inject(PROMQL_QUERIES) private readonly promql: PromqlQueries,
  ) {}

  async render(tenantId: string, dashboardId: string, req: RenderRequest = {}): Promise<DashboardRenderDto> {
    const dashboard = await this.repo.get(tenantId, dashboardId);
    if (!dashboard) throw notFound(`dashboard ${dashboardId} not found`);
    const def = dashboard.definition;
    const window = renderWindow(def, req);
    const variables = resolveVariableValues(def.variables ?? [], req.variables);
    const asked = req.panels ? new Set(req.panels) : null;
    const chosen = def.panels.flatMap((panel, index) => (!asked || asked.has(index) ? [{ panel, index }] : []));
    const panels = await mapBounded(chosen, RENDER_CONCURRENCY, async ({ panel, index }) => {
      const started = performance.now();
      const result = await this.panel(tenantId, panel, variables, window).catch((err: unknown) =>
        this.failed(err, dashboardId, index),
      );
      return {
        index,
        title: substituteVariables(panel.title, variables),
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ...result,
      };
    });
    return {
      dashboardId,
      version: dashboard.version,
      fromMs: window.fromMs,
      toMs: window.toMs,
      variables: withoutUnset(variables),
      panels,
    };
  }

  private async panel(tenantId: string, panel: Panel, variables: VariableValues, w: Window): Promise<PanelResult> {
    // Substituted queries are validated again: a variable's value can make one invalid.
    switch (panel.type) {
      case 'logs': {
        const q = validate(LogsPanelQuerySchema, substituteVariables(panel.query, variables), 'body');
        return {
          status: 'ok',
          kind: 'logs',
          data: (await this.logs.search(tenantId, logSearchParams(q, w.fromMs, w.toMs))).data,
        };
      }
      case 'traces': {
        const q = validate(TracesPanelQuerySchema, substituteVariables(panel.query, variables), 'body');
        return {
          status: 'ok',
          kind: 'traces',
          data: (await this.traces.searchTraces(tenantId, traceSearchParams(q, w.fromMs, w.toMs))).data,
        };
      }
      default: {
        const range = { fromNs: BigInt(w.fromMs) * NS_PER_MS, toNs: BigInt(w.toMs) * NS_PER_MS };
        const stepMs = seriesStepMs(range, panel.step ?? w.step, 'step');
        if (panel.query.signal === 'promql') return this.promqlPanel(tenantId, panel.query, variables, w, stepMs);
        const q = validate(QuerySchema, substituteVariables(panel.query, variables), 'body');
        if ((panel.type === 'stat' || panel.type === 'gauge') && panelReducer(panel.options) === 'range') {
          const answer = await this.runner.run(tenantId, q, { ...range, stepSeconds: wholeRangeStepSeconds(w.toMs) });
          return { status: 'ok', kind: 'series', data: atRangeStart(answer.data, w.fromMs), meta: answer.meta };
        }
        const answer = await this.runner.run(tenantId, q, {
          ...range,
          fromNs: stepAlignedFromNs(w.fromMs, stepMs),
          stepSeconds: stepMs / 1000,
        });
        return { status: 'ok', kind: 'series', data: answer.data, meta: answer.meta };
      }
    }
  }

  /**
   * A range query as Grafana sends one: start and end on whole steps (so a refresh charts the
   * same points), the expression with the dashboard's variables in.
   */
  private async promqlPanel(
    tenantId: string,
    query: PromqlQuery,
    variables: VariableValues,
    w: Window,
    stepMs: number,
  ): Promise<PanelResult> {
    const expr = substitutePromqlVariables(query.expr, variables);
    const range = {
      startMs: Math.floor(w.fromMs / stepMs) * stepMs,
      endMs: Math.floor(w.toMs / stepMs) * stepMs,
      stepMs,
    };
    try {
      const value = await this.promql.range(tenantId, expr, range.startMs, range.endMs, stepMs);
      return { status: 'ok', kind: 'series', ...promqlPanelResult(value, range, expr, query.legend) };
    } catch (err) {
      if (err instanceof QueryError) throw promqlPanelError(err);
      throw err;
    }
  }

  private failed(err: unknown, dashboardId: string, index: number): PanelResult {
    if (err instanceof ApiError) return { status: 'error', error: { code: err.code, message: err.message } };
    this.logger.error(`dashboard ${dashboardId} panel ${index}: ${err instanceof Error ? err.message : String(err)}`);
    return { status: 'error', error: { code: 'internal', message: 'the panel query failed; see the server log' } };
  }
}

/** The range of a render: the request's, else the dashboard's `lastSeconds` ending now. Pure but for the clock. */
export function renderWindow(def: DashboardDefinition, req: RenderRequest, nowMs = Date.now()): Window {
  const step = req.step ?? def.timeRange?.stepSeconds;
  if (req.from === undefined && req.to === undefined) {
    return { fromMs: nowMs - (def.timeRange?.lastSeconds ?? 3600) * 1000, toMs: nowMs, step };
  }
  const range = parseTimeRange({ from: req.from, to: req.to }, nowMs);
  return { fromMs: Number(range.fromNs / NS_PER_MS), toMs: Number(range.toNs / NS_PER_MS), step };
}

/**
 * A step of whole days longer than the epoch time of `toMs`: every row of the range falls into
 * the one bucket at 0, so a query answers one number over exactly the range (whole days and hours
 * of it still read from rollups).
 */
export function wholeRangeStepSeconds(toMs: number): number {
  return (Math.floor(toMs / 86_400_000) + 1) * 86_400;
}

/** A whole-range answer's one point, dated at the start of the range rather than at the epoch. */
function atRangeStart(result: QueryResult, fromMs: number): QueryResult {
  return {
    series: result.series.map((s) => ({ ...s, points: s.points.map(([, v]): [number, number | null] => [fromMs, v]) })),
  };
}

/**
 * A series panel starts at a whole step: its first point covers a whole step like the
 * others, and (for steps of whole hours) no partial hour at the old end is read raw.
 */
export function stepAlignedFromNs(fromMs: number, stepMs: number): bigint {
  return BigInt(Math.floor(fromMs / stepMs) * stepMs) * NS_PER_MS;
}

function withoutUnset(values: VariableValues): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string | string[]] => e[1] !== null));
}
