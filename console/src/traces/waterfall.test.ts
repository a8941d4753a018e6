import type { SpanDto } from '@telemetryflow/contract';
import { describe, expect, it } from 'vitest';
import { buildWaterfall, criticalPath, flameLevels, visibleRows } from './waterfall.js';

const T0 = 1_732_540_800_000_000_000n;
function span(spanId: string, parentSpanId: string, startMs: number, durationMs: number): SpanDto {
  const start = T0 + BigInt(Math.round(startMs * 1e6));
  const dur = BigInt(Math.round(durationMs * 1e6));
  return {
    traceId: 'a'.repeat(32),
    spanId,
    parentSpanId,
    traceState: '',
    name: `op-${spanId}`,
    kind: 'SPAN_KIND_INTERNAL',
    serviceName: 'svc',
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + dur),
    durationNs: String(dur),
    status: { code: 'STATUS_CODE_UNSET', message: '' },
    flags: 0,
    attributes: [],
    resource: [],
    scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
    events: [],
    links: [],
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

// root 0–100: a 5–40, b 10–30 (overlaps a), c 45–95; c has d 50–90; orphan e's parent never arrived.
const spans = [
  span('c', 'r', 45, 50),
  span('r', '', 0, 100),
  span('a', 'r', 5, 35),
  span('b', 'r', 10, 20),
  span('d', 'c', 50, 40),
  span('e', 'missing', 60, 5),
];

describe('trace waterfall', () => {
  it('builds the tree in start order with depths, orphans as roots', () => {
    const w = buildWaterfall(spans);
    expect(w.count).toBe(6);
    expect(w.durationMs).toBe(100);
    expect(w.roots.map((r) => r.span.spanId)).toEqual(['r', 'e']);
    expect(visibleRows(w, new Set()).map((r) => `${r.node.span.spanId}${r.node.depth}`)).toEqual([
      'r0',
      'a1',
      'b1',
      'c1',
      'd2',
      'e0',
    ]);
  });

  it('hides the descendants of a collapsed span', () => {
    const w = buildWaterfall(spans);
    const rows = visibleRows(w, new Set(['c']));
    expect(rows.map((r) => r.node.span.spanId)).toEqual(['r', 'a', 'b', 'c', 'e']);
    expect(rows.find((r) => r.node.span.spanId === 'c')?.collapsed).toBe(true);
  });

  it('follows the last-finishing children back from the end for the critical path', () => {
    const w = buildWaterfall(spans);
    expect([...criticalPath(w)].sort()).toEqual(['a', 'c', 'd', 'r']);
  });

  it('groups spans by depth for the flame graph', () => {
    const levels = flameLevels(buildWaterfall(spans));
    expect(levels.map((l) => l.map((n) => n.span.spanId))).toEqual([['r', 'e'], ['a', 'b', 'c'], ['d']]);
  });

  it('handles a 10,000-deep chain without recursion', () => {
    const chain = Array.from({ length: 10_000 }, (_, i) =>
      span(`s${i}`, i === 0 ? '' : `s${i - 1}`, i * 0.001, 20 - i * 0.001),
    );
    const w = buildWaterfall(chain);
    expect(visibleRows(w, new Set())).toHaveLength(10_000);
    expect(w.bySpanId.get('s9999')?.depth).toBe(9999);
  });
});
