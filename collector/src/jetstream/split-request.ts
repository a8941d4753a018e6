import { encodeExportRequest, type ExportRequestBySignal, type Signal } from '@telemetryflow/otlp';

// Field names of the three levels of an export request: resources → scopes → items.
const LEVELS: Record<Signal, readonly [string, string, string]> = {
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
};

export interface SplitRequest {
  /** Encoded requests, each at most maxBytes, together holding every item that fits. */
  parts: Uint8Array[];
  /** Items that alone encode to more than maxBytes (cannot be carried at all). */
  oversized: number;
}

type Obj = Record<string, unknown>;

/**
 * Encodes a request as protobuf, split into several requests of at most maxBytes each:
 * first between resources, then between scopes of one resource, then between items of one
 * scope, halving each time. Every part keeps its resource and scope. Pure.
 */
export function splitExportRequest<S extends Signal>(
  signal: S,
  request: ExportRequestBySignal[S],
  maxBytes: number,
): SplitRequest {
  const [rKey, sKey, iKey] = LEVELS[signal];
  const encode = (r: Obj) => encodeExportRequest(signal, r as ExportRequestBySignal[S]);
  const split = (req: Obj): SplitRequest => {
    const encoded = encode(req);
    if (encoded.byteLength <= maxBytes) return { parts: [encoded], oversized: 0 };
    const halves = (list: unknown[], wrap: (half: unknown[]) => Obj): SplitRequest => {
      const mid = Math.ceil(list.length / 2);
      const a = split(wrap(list.slice(0, mid)));
      const b = split(wrap(list.slice(mid)));
      return { parts: [...a.parts, ...b.parts], oversized: a.oversized + b.oversized };
    };
    const resources = (req[rKey] as Obj[] | null | undefined) ?? [];
    if (resources.length > 1) return halves(resources, (h) => ({ [rKey]: h }));
    const resource = resources[0] ?? {};
    const scopes = (resource[sKey] as Obj[] | null | undefined) ?? [];
    if (scopes.length > 1) return halves(scopes, (h) => ({ [rKey]: [{ ...resource, [sKey]: h }] }));
    const scope = scopes[0] ?? {};
    const items = (scope[iKey] as unknown[] | null | undefined) ?? [];
    if (items.length > 1)
      return halves(items, (h) => ({ [rKey]: [{ ...resource, [sKey]: [{ ...scope, [iKey]: h }] }] }));
    return { parts: [], oversized: items.length };
  };
  return split(request as unknown as Obj);
}
