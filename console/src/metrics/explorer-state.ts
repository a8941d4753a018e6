/** How the metrics explorer builds its query: the form over the query API, or a PromQL expression. */
export type ExplorerMode = 'builder' | 'promql';
/** A PromQL query drawn over the range (`query_range`), or evaluated once at its end (`query`). */
export type PromqlView = 'graph' | 'table';

/** The PromQL side of the explorer, as the URL keeps it (`mode=promql&expr=…&legend=…&view=table`). */
export interface PromqlState {
  expr: string;
  legend: string;
  view: PromqlView;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function explorerMode(query: Record<string, unknown>): ExplorerMode {
  return query.mode === 'promql' ? 'promql' : 'builder';
}

export function parsePromqlState(query: Record<string, unknown>): PromqlState {
  return { expr: text(query.expr), legend: text(query.legend), view: query.view === 'table' ? 'table' : 'graph' };
}

/** The URL patch of a PromQL state (defaults and empty values dropped). */
export function promqlQuery(state: PromqlState): Record<string, string | undefined> {
  return {
    mode: 'promql',
    expr: state.expr.trim() || undefined,
    legend: state.legend || undefined,
    view: state.view === 'graph' ? undefined : state.view,
  };
}
