import type { SpanDto } from '@telemetryflow/contract';

/** A span placed in its trace: times in milliseconds from the trace's start. */
export interface WaterfallSpan {
  span: SpanDto;
  depth: number;
  startMs: number;
  durationMs: number;
  children: WaterfallSpan[];
}

export interface Waterfall {
  roots: WaterfallSpan[];
  /** Trace start (ns) and whole duration (ms). */
  startNs: bigint;
  durationMs: number;
  count: number;
  bySpanId: Map<string, WaterfallSpan>;
}

/** A visible row: its span, and whether its subtree is collapsed. */
export interface WaterfallRow {
  node: WaterfallSpan;
  collapsed: boolean;
}

const byStart = (a: WaterfallSpan, b: WaterfallSpan) => a.startMs - b.startMs;

/**
 * Spans → tree by parent id. A span whose parent is not in the trace (not arrived, or
 * sampled away) becomes a root, so every span is shown once.
 */
export function buildWaterfall(spans: SpanDto[]): Waterfall {
  let startNs = spans.length ? BigInt(spans[0]!.startTimeUnixNano) : 0n;
  let endNs = startNs;
  for (const s of spans) {
    const st = BigInt(s.startTimeUnixNano);
    const en = BigInt(s.endTimeUnixNano);
    if (st < startNs) startNs = st;
    if (en > endNs) endNs = en;
  }
  const bySpanId = new Map<string, WaterfallSpan>();
  for (const span of spans) {
    bySpanId.set(span.spanId, {
      span,
      depth: 0,
      startMs: Number(BigInt(span.startTimeUnixNano) - startNs) / 1e6,
      durationMs: Number(BigInt(span.durationNs)) / 1e6,
      children: [],
    });
  }
  const roots: WaterfallSpan[] = [];
  for (const node of bySpanId.values()) {
    const parent = node.span.parentSpanId ? bySpanId.get(node.span.parentSpanId) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  roots.sort(byStart);
  // Depths iteratively: a trace of 10,000 nested spans must not overflow the stack.
  const stack = roots.map((r) => r);
  while (stack.length) {
    const n = stack.pop()!;
    n.children.sort(byStart);
    for (const c of n.children) {
      c.depth = n.depth + 1;
      stack.push(c);
    }
  }
  return { roots, startNs, durationMs: Number(endNs - startNs) / 1e6, count: spans.length, bySpanId };
}

/** Rows in tree order, leaving out the descendants of collapsed spans. */
export function visibleRows(w: Waterfall, collapsed: ReadonlySet<string>): WaterfallRow[] {
  const rows: WaterfallRow[] = [];
  const stack = [...w.roots].reverse();
  while (stack.length) {
    const node = stack.pop()!;
    const isCollapsed = collapsed.has(node.span.spanId) && node.children.length > 0;
    rows.push({ node, collapsed: isCollapsed });
    if (!isCollapsed) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return rows;
}

/**
 * The critical path: the spans whose work the trace's end waited on. From each span's end,
 * walk back through the children that finished last and did not overlap a later one on the path.
 */
export function criticalPath(w: Waterfall): Set<string> {
  const onPath = new Set<string>();
  const root = w.roots.reduce<WaterfallSpan | null>(
    (best, r) => (!best || r.durationMs > best.durationMs ? r : best),
    null,
  );
  if (!root) return onPath;
  const work: WaterfallSpan[] = [root];
  while (work.length) {
    const node = work.pop()!;
    onPath.add(node.span.spanId);
    let cursor = node.startMs + node.durationMs;
    const byEnd = [...node.children].sort((a, b) => b.startMs + b.durationMs - (a.startMs + a.durationMs));
    for (const child of byEnd) {
      const end = child.startMs + child.durationMs;
      if (end <= cursor + 1e-9 || child === byEnd[0]) {
        work.push(child);
        cursor = child.startMs;
      }
    }
  }
  return onPath;
}

/** Flame graph levels: spans grouped by depth, each level in time order. */
export function flameLevels(w: Waterfall): WaterfallSpan[][] {
  const levels: WaterfallSpan[][] = [];
  for (const node of w.bySpanId.values()) (levels[node.depth] ??= []).push(node);
  for (const level of levels) level.sort(byStart);
  return levels;
}
