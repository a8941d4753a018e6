// A layered drawing of a directed graph (Sugiyama's scheme, kept small): callers in the left
// layers, callees to their right. Everything depends only on the names and the edges, never on
// the order they came in or on chance, so the same graph is drawn the same way on every load.

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface NodePlace {
  /** The node's layer, 0 on the left; its row in the layer, 0 at the top. */
  layer: number;
  row: number;
  /** Drawing coordinates: `layerGap` apart across, `rowGap` apart down, each layer centred on y = 0. */
  x: number;
  y: number;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Edges that close no cycle: a depth-first walk from the sources (then from any node left, in
 * name order) drops each edge back to a node still on its path. What is left is acyclic.
 */
function acyclic(names: readonly string[], out: ReadonlyMap<string, string[]>, hasCaller: ReadonlySet<string>) {
  const state = new Map<string, 1 | 2>(); // 1: on the path, 2: done
  const kept = new Map<string, string[]>(names.map((n) => [n, []]));
  const starts = [...names.filter((n) => !hasCaller.has(n)), ...names.filter((n) => hasCaller.has(n))];
  for (const start of starts) {
    if (state.has(start)) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = out.get(top.node)!;
      if (top.next === targets.length) {
        state.set(top.node, 2);
        stack.pop();
        continue;
      }
      const to = targets[top.next++]!;
      const s = state.get(to);
      if (s === 1) continue; // back to the path: closes a cycle
      kept.get(top.node)!.push(to);
      if (s === undefined) {
        state.set(to, 1);
        stack.push({ node: to, next: 0 });
      }
    }
  }
  return kept;
}

/**
 * Places `nodes`: each in the layer one past its furthest caller (longest path from the
 * sources, cycles broken first), then rows ordered by the mean row of their neighbours (a few
 * sweeps down and up, ties by name) so edges cross less.
 */
export function layeredLayout(
  nodes: readonly string[],
  edges: readonly LayoutEdge[],
  { layerGap = 240, rowGap = 110 }: { layerGap?: number; rowGap?: number } = {},
): Map<string, NodePlace> {
  const names = [...new Set(nodes)].sort(byName);
  const known = new Set(names);
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  const hasCaller = new Set<string>();
  for (const e of edges) {
    if (e.from === e.to || !known.has(e.from) || !known.has(e.to)) continue;
    const targets = out.get(e.from)!;
    if (!targets.includes(e.to)) targets.push(e.to);
    hasCaller.add(e.to);
  }
  for (const targets of out.values()) targets.sort(byName);
  const dag = acyclic(names, out, hasCaller);

  // Longest path: a node's layer is one past the deepest of its callers'.
  const callers = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [from, targets] of dag) for (const to of targets) callers.get(to)!.push(from);
  const layerOf = new Map<string, number>();
  const layer = (n: string): number => {
    const known = layerOf.get(n);
    if (known !== undefined) return known;
    // Iterative: walk up the callers whose layers are not known yet.
    const stack = [n];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const pending = callers.get(top)!.filter((c) => !layerOf.has(c));
      if (pending.length > 0) {
        stack.push(...pending);
        continue;
      }
      stack.pop();
      if (!layerOf.has(top)) layerOf.set(top, Math.max(-1, ...callers.get(top)!.map((c) => layerOf.get(c)!)) + 1);
    }
    return layerOf.get(n)!;
  };
  const layers: string[][] = [];
  for (const n of names) (layers[layer(n)] ??= []).push(n);

  // Rows: barycentres of the neighbours' relative rows, sweeping down then up.
  const neighbours = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const [from, targets] of out)
    for (const to of targets) {
      neighbours.get(from)!.push(to);
      neighbours.get(to)!.push(from);
    }
  const rel = new Map<string, number>();
  const rank = () => {
    for (const l of layers) l.forEach((n, i) => rel.set(n, (i + 0.5) / l.length));
  };
  rank();
  const sweep = (l: string[], side: (other: string) => boolean) => {
    const key = new Map(
      l.map((n) => {
        const near = neighbours.get(n)!.filter(side);
        return [n, near.length ? near.reduce((a, m) => a + rel.get(m)!, 0) / near.length : rel.get(n)!];
      }),
    );
    l.sort((a, b) => key.get(a)! - key.get(b)! || byName(a, b));
    l.forEach((n, i) => rel.set(n, (i + 0.5) / l.length));
  };
  for (let pass = 0; pass < 4; pass++) {
    for (let i = 1; i < layers.length; i++) sweep(layers[i]!, (m) => layerOf.get(m)! < i);
    for (let i = layers.length - 2; i >= 0; i--) sweep(layers[i]!, (m) => layerOf.get(m)! > i);
  }

  const places = new Map<string, NodePlace>();
  layers.forEach((l, li) =>
    l.forEach((n, row) => places.set(n, { layer: li, row, x: li * layerGap, y: (row - (l.length - 1) / 2) * rowGap })),
  );
  return places;
}
