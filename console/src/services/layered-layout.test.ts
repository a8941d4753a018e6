import { describe, expect, it } from 'vitest';
import { layeredLayout, type LayoutEdge } from './layered-layout.js';

const edges = (...pairs: string[]): LayoutEdge[] =>
  pairs.map((p) => {
    const [from, to] = p.split('>');
    return { from: from!, to: to! };
  });
const layersOf = (places: ReturnType<typeof layeredLayout>) =>
  Object.fromEntries([...places].map(([n, p]) => [n, p.layer]));

describe('layered layout', () => {
  it('puts each node one layer past its furthest caller, callers left', () => {
    const places = layeredLayout(
      ['web', 'api', 'db', 'cache', 'mobile', 'stripe'],
      edges('web>api', 'mobile>api', 'api>db', 'api>cache', 'web>cache', 'api>stripe'),
    );
    expect(layersOf(places)).toEqual({ api: 1, cache: 2, db: 2, mobile: 0, stripe: 2, web: 0 });
    expect(places.get('api')).toMatchObject({ x: 240, y: 0 });
    // Three nodes in the last layer, centred: rows 110 apart around 0.
    expect([...places.values()].filter((p) => p.layer === 2).map((p) => p.y)).toEqual(
      expect.arrayContaining([-110, 0, 110]),
    );
  });

  it('draws the same graph the same way whatever order nodes and edges come in', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const es = edges('a>c', 'b>c', 'a>d', 'c>e', 'd>e', 'd>f', 'b>g', 'g>f');
    const first = layeredLayout(nodes, es);
    const shuffled = layeredLayout([...nodes].reverse(), [...es].reverse().concat(es.slice(0, 2)));
    expect([...shuffled].sort()).toEqual([...first].sort());
  });

  it('orders rows so that edges do not cross where they need not', () => {
    // x1 calls y2 and x2 calls y1: the callees are swapped to face their callers.
    const places = layeredLayout(['x1', 'x2', 'y1', 'y2'], edges('x1>y2', 'x2>y1'));
    const rowOf = (n: string) => places.get(n)!.row;
    expect(rowOf('x1') < rowOf('x2')).toBe(rowOf('y2') < rowOf('y1'));
  });

  it('breaks cycles and ignores self calls and unknown nodes', () => {
    const places = layeredLayout(['gw', 'a', 'b'], edges('gw>a', 'a>b', 'b>a', 'a>a', 'a>ghost'));
    expect(layersOf(places)).toEqual({ a: 1, b: 2, gw: 0 });
    const loop = layeredLayout(['p', 'q'], edges('p>q', 'q>p'));
    expect(layersOf(loop)).toEqual({ p: 0, q: 1 });
    expect(layeredLayout([], [])).toEqual(new Map());
  });
});
