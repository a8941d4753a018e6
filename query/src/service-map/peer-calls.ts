// Peers of the service map: databases, messaging systems and external services that
// instrumented services call but that send no spans of their own. They are found in the
// callers' client and producer spans — a call whose callee never answered with a span — and
// named from the span's attributes (OpenTelemetry semantic conventions, old and new names).
import type { ServiceMapDto, ServiceMapNodeDto, ServiceMapNodeType } from '@telemetryflow/contract';

/** The first non-empty of the span attributes `keys` (constant names, never request input). */
function firstAttribute(keys: readonly string[], last = "''"): string {
  return keys.reduceRight((rest, key) => `if(Attributes['${key}'] != '', Attributes['${key}'], ${rest})`, last);
}

const DB_SYSTEM = firstAttribute(['db.system', 'db.system.name']);
const DB_TARGET = firstAttribute(['db.namespace', 'db.name', 'server.address', 'net.peer.name']);
const MESSAGING_TARGET = firstAttribute(['messaging.destination.name', 'messaging.destination']);
/** An external service: its address, else the host of the URL it was called at. */
const EXTERNAL_HOST = firstAttribute(
  ['server.address', 'net.peer.name'],
  `if(Attributes['url.full'] != '', domain(Attributes['url.full']), domain(Attributes['http.url']))`,
);

/** The attributes of which a span needs one to name a peer (the others only qualify these). */
const NAMING_KEYS = [
  'peer.service',
  'db.system',
  'db.system.name',
  'messaging.system',
  'server.address',
  'net.peer.name',
  'url.full',
  'http.url',
];

/**
 * True for a span with an attribute that can name a peer. It reads the attribute keys only, so
 * as a PREWHERE condition it spares reading the values of spans that name none.
 */
export const NAMES_A_PEER = `hasAny(mapKeys(Attributes), [${NAMING_KEYS.map((k) => `'${k}'`).join(', ')}])`;

/**
 * Columns of a client or producer span naming the peer it calls: `type` (database when it has
 * `db.system`, messaging when `messaging.system`, external otherwise), `system`, and `peer`:
 * `peer.service` when the caller names it, else "<db.system> <database or host>",
 * "<messaging.system> <destination>", or the external host. An empty `peer` names nothing.
 */
export const PEER_COLUMNS = `${DB_SYSTEM} AS dbSystem, Attributes['messaging.system'] AS messagingSystem,
  multiIf(dbSystem != '', 'database', messagingSystem != '', 'messaging', 'external') AS type,
  if(dbSystem != '', dbSystem, messagingSystem) AS system,
  multiIf(
    Attributes['peer.service'] != '', Attributes['peer.service'],
    dbSystem != '', trimRight(concat(dbSystem, ' ', ${DB_TARGET})),
    messagingSystem != '', trimRight(concat(messagingSystem, ' ', ${MESSAGING_TARGET})),
    ${EXTERNAL_HOST}
  ) AS peer`;

/** Calls from one service to one peer, or (`caller` null) all calls to the peer. */
export interface PeerCallRow {
  caller: string | null;
  type: Exclude<ServiceMapNodeType, 'service'>;
  system: string;
  peer: string;
  calls: number;
  errorCount: number;
  /** Duration (ns) of the calls at p95. */
  p95Ns: number;
}

const p95Max = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

/**
 * Pure: the map with its peers added. A peer becomes a node (its RED over the calls to it, rates
 * over the range's seconds) and an edge from each caller. A peer named like an instrumented
 * service is that service (its server spans are missing, e.g. sampled out): its calls join the
 * caller → service edge. Where two parts of one edge or node are added up, the p95 is the larger
 * of the two (the merged quantile is not known; both parts are rare: a name given twice).
 */
export function withPeers(map: ServiceMapDto, peers: readonly PeerCallRow[], rangeSeconds: number): ServiceMapDto {
  const services = new Set(map.nodes.map((n) => n.service));
  const nodes = new Map<string, ServiceMapNodeDto>();
  const edges = new Map(map.edges.map((e) => [`${e.caller}\n${e.callee}`, { ...e }]));
  for (const p of peers) {
    const p95Ms = p.calls > 0 ? p.p95Ns / 1e6 : null;
    if (p.caller !== null) {
      if (p.caller === p.peer) continue;
      const key = `${p.caller}\n${p.peer}`;
      const e = edges.get(key);
      if (e) {
        e.calls += p.calls;
        e.errorCount += p.errorCount;
        e.p95Ms = p95Max(e.p95Ms, p95Ms);
      } else edges.set(key, { caller: p.caller, callee: p.peer, calls: p.calls, errorCount: p.errorCount, p95Ms });
      continue;
    }
    if (services.has(p.peer)) continue;
    const n = nodes.get(p.peer);
    if (n) {
      n.count += p.calls;
      n.errorCount += p.errorCount;
      n.p95Ms = p95Max(n.p95Ms, p95Ms);
      continue;
    }
    nodes.set(p.peer, {
      service: p.peer,
      type: p.type,
      ...(p.system ? { system: p.system } : {}),
      count: p.calls,
      errorCount: p.errorCount,
      rate: 0,
      errorRate: null,
      p95Ms,
    });
  }
  const peerNodes = [...nodes.values()]
    .map((n) => ({ ...n, rate: n.count / rangeSeconds, errorRate: n.count > 0 ? n.errorCount / n.count : null }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const allEdges = [...edges.values()].sort(
    (a, b) =>
      b.calls - a.calls ||
      (a.caller < b.caller ? -1 : a.caller > b.caller ? 1 : 0) ||
      (a.callee < b.callee ? -1 : a.callee > b.callee ? 1 : 0),
  );
  return { nodes: [...map.nodes, ...peerNodes], edges: allEdges };
}
