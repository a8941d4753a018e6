import type { MonitorDto, MonitorInput } from '@telemetryflow/contract/monitors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useApiStub, type StubAnswer, type StubRequest } from '../api/api-stub.js';
import { useMonitorsStore } from './monitors.store.js';

// The monitors API in memory: a new or changed monitor is pending, a paused one paused.
function monitorsApi() {
  const monitors = new Map<string, MonitorDto>();
  let n = 0;
  const dto = (id: string, config: MonitorInput): MonitorDto => ({
    id,
    name: config.name,
    config,
    enabled: true,
    status: 'pending',
    since: '2026-12-07T12:00:00Z',
    lastCheck: null,
    uptime24h: null,
    latencyP95Ms: null,
    createdAt: '',
    updatedAt: '',
  });
  return (req: StubRequest): StubAnswer => {
    const [, , id, action] = req.path.split('/');
    if (!id) {
      if (req.method === 'GET') return { data: [...monitors.values()] };
      const m = dto(`m${++n}`, req.body as MonitorInput);
      monitors.set(m.id, m);
      return { data: m };
    }
    const m = monitors.get(id);
    if (!m) return { status: 404, body: { error: { code: 'not_found', message: 'no monitor', requestId: 'r1' } } };
    if (req.method === 'DELETE') {
      monitors.delete(id);
      return { status: 204 };
    }
    const next =
      action === 'pause'
        ? { ...m, enabled: false, status: 'paused' as const }
        : action === 'resume'
          ? { ...m, enabled: true, status: 'pending' as const }
          : req.method === 'PUT'
            ? dto(id, req.body as MonitorInput)
            : m;
    monitors.set(id, next);
    return { data: next };
  };
}

const INPUT: MonitorInput = {
  name: 'db',
  interval: '30s',
  timeout: '5s',
  retries: 0,
  check: { kind: 'tcp', host: 'db.internal', port: 5432 },
};

describe('monitors store', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('keeps the list and the open monitor as the server answers them', async () => {
    const api = useApiStub(monitorsApi());
    const store = useMonitorsStore();
    const created = await store.save(null, INPUT);
    expect(store.list.map((m) => m.name)).toEqual(['db']);
    expect(store.current?.id).toBe(created.id);

    await store.setPaused(created.id, true);
    expect(store.list[0]!.status).toBe('paused');
    expect(store.current?.enabled).toBe(false);
    await store.setPaused(created.id, false);
    expect(store.current?.status).toBe('pending');

    await store.save(created.id, { ...INPUT, name: 'postgres' });
    expect(store.list.map((m) => m.name)).toEqual(['postgres']);

    await store.remove(created.id);
    expect(store.list).toEqual([]);
    expect(store.current).toBeNull();
    expect(api.calls).toEqual([
      'POST /monitors',
      'POST /monitors/m1/pause',
      'POST /monitors/m1/resume',
      'PUT /monitors/m1',
      'DELETE /monitors/m1',
    ]);
  });

  it("passes the API's error on", async () => {
    useApiStub(monitorsApi());
    await expect(useMonitorsStore().open('missing')).rejects.toMatchObject({ status: 404, message: 'no monitor' });
  });
});
