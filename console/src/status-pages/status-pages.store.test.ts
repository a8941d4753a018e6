import type {
  IncidentDto,
  IncidentInput,
  StatusComponentDto,
  StatusComponentInput,
  StatusPageDto,
  StatusPageInput,
} from '@telemetryflow/contract';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useApiStub, type StubAnswer, type StubRequest } from '../api/api-stub.js';
import { useStatusPagesStore } from './status-pages.store.js';

// The status page API in memory: a component's status is its manual status, else operational.
function statusApi() {
  const pages = new Map<string, StatusPageDto>();
  const incidents: IncidentDto[] = [];
  let n = 0;
  return (req: StubRequest): StubAnswer => {
    const [, , pageId, sub, subId, action] = req.path.split('/');
    if (!pageId) {
      if (req.method === 'GET') return { data: [...pages.values()] };
      const page: StatusPageDto = {
        ...(req.body as StatusPageInput),
        id: `p${++n}`,
        components: [],
        createdAt: '',
        updatedAt: '',
      };
      pages.set(page.id, page);
      return { data: page };
    }
    const page = pages.get(pageId);
    if (!page) return { status: 404, body: { error: { code: 'not_found', message: 'no page', requestId: 'x' } } };
    if (sub === 'components') {
      const input = req.body as StatusComponentInput;
      const component: StatusComponentDto = {
        ...input,
        id: subId ?? `c${++n}`,
        status: input?.manualStatus ?? 'operational',
      };
      const others = page.components.filter((c) => c.id !== subId);
      page.components = req.method === 'DELETE' ? others : [...others, component];
      return req.method === 'DELETE' ? { status: 204 } : { data: component };
    }
    if (sub === 'incidents' && req.method === 'GET') return { data: incidents };
    if (sub === 'incidents' && action === 'updates') {
      const incident = incidents.find((i) => i.id === subId)!;
      const u = req.body as { status: IncidentDto['status']; message: string };
      Object.assign(incident, { status: u.status, updates: [...incident.updates, { ...u, at: '' }] });
      return { data: incident };
    }
    if (sub === 'incidents') {
      const input = req.body as IncidentInput;
      incidents.unshift({
        id: `i${++n}`,
        title: input.title,
        impact: input.impact,
        status: input.status,
        componentId: input.componentId,
        automatic: false,
        startedAt: '',
        resolvedAt: null,
        updates: [{ status: input.status, message: input.message, at: '' }],
      });
      return { data: incidents[0] };
    }
    if (req.method === 'DELETE') {
      pages.delete(pageId);
      return { status: 204 };
    }
    if (req.method === 'PUT') Object.assign(page, req.body);
    return { data: structuredClone(page) };
  };
}

describe('status pages store', () => {
  beforeEach(() => void useApiStub(statusApi()));
  afterEach(() => vi.unstubAllGlobals());

  it('edits the open page; the list shows the change', async () => {
    const store = useStatusPagesStore();
    const page = await store.create({ slug: 'acme', title: 'Acme', description: '' });
    await store.open(page.id);
    await store.update(page.id, { slug: 'acme-status', title: 'Acme status', description: 'all of it' });
    expect(store.current).toMatchObject({ slug: 'acme-status', title: 'Acme status' });
    expect(store.list.map((p) => p.title)).toEqual(['Acme status']);
    await store.remove(page.id);
    expect(store.list).toEqual([]);
    expect(store.current).toBeNull();
  });

  it("adds, changes and removes components; the page's copy follows", async () => {
    const store = useStatusPagesStore();
    const page = await store.create({ slug: 'acme', title: 'Acme', description: '' });
    const component = { name: 'API', description: '', position: 0, ruleIds: [], manualStatus: null, monitorId: null };
    await store.saveComponent(page.id, null, component);
    const id = store.current!.components[0]!.id;
    await store.saveComponent(page.id, id, { ...component, manualStatus: 'major_outage' });
    expect(store.current!.components.map((c) => [c.name, c.status])).toEqual([['API', 'major_outage']]);
    await store.deleteComponent(page.id, id);
    expect(store.current!.components).toEqual([]);
  });

  it('opens an incident, posts updates and resolves it, newest incident first', async () => {
    const store = useStatusPagesStore();
    const page = await store.create({ slug: 'acme', title: 'Acme', description: '' });
    await store.open(page.id);
    const first = await store.openIncident(page.id, {
      title: 'Slow',
      impact: 'degraded',
      status: 'investigating',
      message: 'looking',
      componentId: null,
    });
    await store.openIncident(page.id, {
      title: 'Down',
      impact: 'major_outage',
      status: 'identified',
      message: 'db',
      componentId: null,
    });
    await store.postUpdate(page.id, first.id, { status: 'resolved', message: 'fixed' });
    expect(store.incidents.map((i) => [i.title, i.status, i.updates.length])).toEqual([
      ['Down', 'identified', 1],
      ['Slow', 'resolved', 2],
    ]);
  });
});
