import type { AlertDto, AlertRuleDto, AlertRuleInput } from '@telemetryflow/contract';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { useApiStub, type StubAnswer, type StubRequest } from '../api/api-stub.js';
import { useAuthStore } from '../auth/auth.store.js';
import { useAlertsStore } from './alerts.store.js';

const input = (name: string): AlertRuleInput => ({
  name,
  description: '',
  enabled: true,
  condition: { kind: 'absence', signal: 'spans', window: '5m' },
  interval: '1m',
  for: '0s',
  groupBy: [],
  severity: 'warning',
  labels: {},
  annotations: {},
  channels: [],
  noData: 'keep',
  groupWait: '30s',
  repeatInterval: '4h',
});
const alert = (ruleId: string, state: AlertDto['state']) => ({ ruleId, state }) as AlertDto;

// The alerting API of one tenant, kept in memory.
function alertingApi() {
  let n = 0;
  const rules: AlertRuleDto[] = [];
  const alerts = [alert('r1', 'resolved'), alert('r1', 'firing'), alert('r1', 'pending')];
  return (req: StubRequest): StubAnswer => {
    const id = req.path.split('/')[2];
    if (req.path === '/me')
      return { data: { kind: 'user', tenantId: 't1', memberships: [], permissions: ['read', 'write'] } };
    if (req.path === '/auth/refresh') return { data: { accessToken: 'a', expiresIn: 900 } };
    if (req.path === '/alerts') return { data: alerts };
    if (req.path === '/notification-channels') return { data: [{ id: 'c1', name: 'ops', type: 'webhook' }] };
    if (req.method === 'GET') return { data: rules };
    if (req.method === 'POST') {
      rules.push({ ...(req.body as AlertRuleInput), id: `r${++n}`, createdAt: '', updatedAt: '' });
      return { data: rules.at(-1) };
    }
    const at = rules.findIndex((r) => r.id === id);
    if (at < 0) return { status: 404, body: { error: { code: 'not_found', message: 'no such rule', requestId: 'x' } } };
    if (req.method === 'PUT') return { data: (rules[at] = { ...rules[at]!, ...(req.body as AlertRuleInput) }) };
    rules.splice(at, 1);
    return { status: 204 };
  };
}

describe('alerts store', () => {
  let api: ReturnType<typeof useApiStub>;
  beforeEach(() => (api = useApiStub(alertingApi())));
  afterEach(() => vi.unstubAllGlobals());

  it("creates, renames and deletes rules, keeping the list in step; a rule's state is its worst alert's", async () => {
    const store = useAlertsStore();
    const created = await store.saveRule(null, input('latency'));
    expect(store.rules.map((r) => r.name)).toEqual(['latency']);
    await store.saveRule(created.id, input('latency p95'));
    expect(store.rules.map((r) => r.name)).toEqual(['latency p95']);
    await store.loadRules();
    expect(store.states.get(created.id)).toBe('firing');
    await store.removeRule(created.id);
    expect(store.rules).toEqual([]);
    expect(store.alerts).toEqual([]);
    expect(api.calls).toEqual([
      'POST /alert-rules',
      'PUT /alert-rules/r1',
      'GET /alert-rules',
      'GET /alerts',
      'DELETE /alert-rules/r1',
    ]);
  });

  it('keeps the list unchanged when the API refuses', async () => {
    const store = useAlertsStore();
    await store.saveRule(null, input('a'));
    await expect(store.saveRule('missing', input('b'))).rejects.toMatchObject({ status: 404 });
    expect(store.rules.map((r) => r.name)).toEqual(['a']);
  });

  it("forgets the tenant's rules and channels when the tenant changes", async () => {
    localStorage.setItem('tf.session', JSON.stringify({ kind: 'user', identity: 'ann', tenant: null }));
    const auth = useAuthStore();
    const store = useAlertsStore();
    await Promise.all([store.saveRule(null, input('a')), store.loadChannels()]);
    // The tenant becoming known after a reload keeps what was loaded (it came from that tenant).
    await auth.loadProfile();
    await nextTick();
    expect(auth.tenant).toBe('t1');
    expect(store.channels.map((c) => c.name)).toEqual(['ops']);
    await auth.switchTenant('t2');
    await nextTick();
    expect(store.rules).toEqual([]);
    expect(store.channels).toEqual([]);
  });
});
