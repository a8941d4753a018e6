import type { DashboardDefinition, DashboardDto } from '@telemetryflow/contract';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useApiStub, type StubAnswer, type StubRequest } from '../api/api-stub.js';
import { useDashboardsStore } from './dashboards.store.js';

// The dashboards API in memory: every save is a new version, restoring saves an old one again.
function dashboardsApi() {
  const history = new Map<string, DashboardDefinition[]>();
  let n = 0;
  const dto = (id: string): DashboardDto => {
    const versions = history.get(id)!;
    return {
      ...versions.at(-1)!,
      id,
      version: versions.length,
      builtIn: null,
      createdAt: '',
      updatedAt: `t${versions.length}`,
    };
  };
  return (req: StubRequest): StubAnswer => {
    const [, , id, sub, version] = req.path.split('/');
    if (req.path === '/dashboards' && req.method === 'GET')
      return {
        data: [...history.keys()].map((k) => ({
          id: k,
          title: dto(k).title,
          version: dto(k).version,
          builtIn: null,
          panelCount: 0,
          updatedAt: '',
        })),
      };
    if (req.path === '/dashboards' || req.path === '/dashboards/import') {
      const key = `d${++n}`;
      history.set(key, [req.body as DashboardDefinition]);
      return { data: dto(key) };
    }
    if (!history.has(id!))
      return { status: 404, body: { error: { code: 'not_found', message: 'no dashboard', requestId: 'x' } } };
    if (sub === 'versions' && req.method === 'GET')
      return {
        data: history.get(id!)!.map((d, i) => ({ version: i + 1, title: d.title, createdAt: '', createdBy: null })),
      };
    if (sub === 'versions') history.get(id!)!.push(history.get(id!)![Number(version) - 1]!);
    if (req.method === 'PUT') history.get(id!)!.push(req.body as DashboardDefinition);
    return { data: dto(id!) };
  };
}

describe('dashboards store', () => {
  beforeEach(() => void useApiStub(dashboardsApi()));
  afterEach(() => vi.unstubAllGlobals());

  it('a created dashboard is open and listed; saving updates both', async () => {
    const store = useDashboardsStore();
    await store.loadList();
    const d = await store.create({ title: 'Board', panels: [] });
    expect(store.current?.id).toBe(d.id);
    expect(store.list.map((s) => [s.title, s.version])).toEqual([['Board', 1]]);
    await store.save(d.id, { title: 'Board 2', panels: [] });
    expect(store.current).toMatchObject({ title: 'Board 2', version: 2 });
    expect(store.list.map((s) => [s.title, s.version, s.panelCount])).toEqual([['Board 2', 2, 0]]);
  });

  it('restoring a version makes it the newest and refreshes the version list', async () => {
    const store = useDashboardsStore();
    const d = await store.create({ title: 'v1', panels: [] });
    await store.save(d.id, { title: 'v2', panels: [] });
    await store.loadVersions(d.id);
    expect(store.versions.map((v) => v.title)).toEqual(['v1', 'v2']);
    await store.restore(d.id, 1);
    expect(store.current).toMatchObject({ title: 'v1', version: 3 });
    expect(store.versions.map((v) => v.title)).toEqual(['v1', 'v2', 'v1']);
  });

  it('opening another dashboard forgets the versions of the previous one', async () => {
    const store = useDashboardsStore();
    const a = await store.create({ title: 'a', panels: [] });
    const b = await store.importDefinition({ title: 'b', panels: [] });
    await store.loadVersions(b.id);
    await store.open(a.id);
    expect(store.current?.title).toBe('a');
    expect(store.versions).toEqual([]);
    await expect(store.open('gone')).rejects.toMatchObject({ status: 404 });
  });
});
